import { z } from 'zod';
import { code } from '../model/mrkdwn';
import type { VendorCall, VendorName, VendorResponse } from '../vendors/types';
import { isId, type IdKind } from './ids';
import type { ListedTarget, ListFilter, TargetListing } from './listing';

export const operationNames = ['revoke-access', 'rotate-credentials', 'delete-peer', 'revoke-grant'] as const;
export type OperationName = (typeof operationNames)[number];

/** An ID slot of a command: its form and the words used for it in usage lines and results. */
export interface IdSlot {
  kind: IdKind;
  /** Placeholder in the usage line, e.g. `siteId`. */
  placeholder: string;
  /** What the thing is called, e.g. `site`, `session`. */
  noun: string;
}

/** A secret that a successful call returned; it is shown to the requester alone, or not at all. */
export interface RevealableSecret {
  label: string;
  value: string;
}

export interface TargetSuccess {
  /**
   * Past-tense summary shown per target, e.g. "revoked": mrkdwn, in which whatever the vendor
   * sent is escaped. Never contains a secret.
   */
  summary: string;
  secret?: RevealableSecret;
}

/** One of twokey's operations, as data: the parser, help, policy checks, manifest test and executor read it. */
export interface Operation {
  name: OperationName;
  command: `/${string}`;
  /** One line for help and the manifest. */
  description: string;
  /** Verb for a card or result title, e.g. "Revoke transient access". */
  title: string;
  vendor: VendorName;
  /** The ID every target lives under (site, instance, organization); absent when targets stand alone. */
  parent?: IdSlot;
  target: IdSlot;
  /** Access scope a vendor token needs for the call, named in a 403's explanation. */
  scope?: string;
  call(parentId: string | undefined, targetId: string): VendorCall;
  /** Reads a 2xx answer; throws an Error with a user-facing message when the body is not what the contract says. */
  interpret(response: VendorResponse): TargetSuccess;
  /** How the targets under a parent are listed (PRODUCT.md §9); absent when they cannot be. */
  listing?: TargetListing;
}

const segment = encodeURIComponent;

function noContent(summary: string) {
  return (): TargetSuccess => ({ summary });
}

/** The shape Altostrat documents for `POST /control-plane/{siteId}/credentials`. */
export const apiCredentialSchema = z.object({
  id: z.string(),
  site_id: z.string(),
  username: z.string(),
  password: z.string(),
  ip_address: z.string().optional(),
  api_port: z.number().int().optional(),
  server_ip: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});

// Target listings: the vendors' list calls (`../shared/vendors/lists.md`). Each schema declares only
// what a listing shows, so that a secret field of the answer (a session's password, a peer's token)
// is dropped by the parse and never reaches a ListedTarget.

/** An ID a filter names (a user, role or entity: vendor strings): no spaces or control characters, at most 100 long. */
const filterId = /^[A-Za-z0-9_-]{1,100}$/;

/** A value typed after a filter's flag, quoted for an error message. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
}

/** `--flag <value>` where the value is one of `choices`, sent as the query parameter `parameter`. */
function choiceFilter(flag: ListFilter['flag'], parameter: string, choices: readonly string[]): ListFilter {
  return {
    flag,
    values: choices.join('|'),
    parse: (value) =>
      choices.includes(value)
        ? { ok: true, query: { [parameter]: value } }
        : { ok: false, error: `${quoted(value)} is not one of ${choices.join(', ')}` },
  };
}

/** `--flag <type>[:<id>]`: a type from `types` (`<prefix>_type`), and optionally an ID (`<prefix>_id`). */
function typedIdFilter(flag: ListFilter['flag'], prefix: string, types: readonly string[]): ListFilter {
  return {
    flag,
    values: `${types.join('|')}[:<id>]`,
    parse: (value) => {
      const colon = value.indexOf(':');
      const [type, id] = colon < 0 ? [value, undefined] : [value.slice(0, colon), value.slice(colon + 1)];
      if (!types.includes(type)) return { ok: false, error: `${quoted(type)} is not one of ${types.join(', ')}` };
      if (id === undefined) return { ok: true, query: { [`${prefix}_type`]: type } };
      if (!filterId.test(id)) {
        return { ok: false, error: `${quoted(id)} is not an ID: letters, digits, _ and - only, at most 100 of them` };
      }
      return { ok: true, query: { [`${prefix}_type`]: type, [`${prefix}_id`]: id } };
    },
  };
}

/** The path with the query appended, in a stable order: `{ type: 'site' }` → `path?type=site`. */
function withQuery(path: string, query: Readonly<Record<string, string>>): string {
  const text = new URLSearchParams(Object.entries(query)).toString();
  return text ? `${path}?${text}` : path;
}

/** A target's ID in the form its command takes, so that what is picked can be acted on. */
function targetId(kind: IdKind) {
  return z.string().refine((id) => isId(kind, id), 'not an ID of the documented form');
}

/** Reads a list answer with `schema`, or throws saying what `what` should have been and where it was not. */
function readAnswer<Output>(schema: z.ZodType<Output>, body: unknown, what: string): Output {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  // The message names the place and the problem, never the value: it may be a secret.
  const [issue] = parsed.error.issues;
  const where = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
  throw new Error(`the answer is not ${what} (${where ? `${where.replace(/^\./, '')}: ` : ''}${issue.message})`);
}

/** A fact only when the vendor gave its value. */
function facts(...entries: Array<[label: string, value: string | undefined | null]>): ListedTarget['facts'] {
  return entries.flatMap(([label, value]) => (value ? [{ label, value }] : []));
}

const sessionListSchema = z.array(
  z.object({
    id: targetId('uuid'),
    type: z.string(),
    port: z.number().int().optional(),
    entry_point: z.string().optional(),
    full_access: z.boolean().optional(),
    allow_only_cidr: z.string().nullish(),
    expires_at: z.string(),
    expired: z.boolean(),
    revoked_early: z.boolean().optional(),
  }),
);

const sessionListing: TargetListing = {
  filters: [],
  allNeedsFilter: false,
  call: (siteId) => ({
    vendor: 'altostrat',
    method: 'GET',
    path: `/control-plane/${segment(siteId)}/transient-accesses`,
    idempotent: true,
  }),
  read: (body) => {
    const sessions = readAnswer(sessionListSchema, body, 'a list of transient access sessions');
    const active = sessions.filter((session) => !session.expired && !session.revoked_early);
    const entryPoint = ({ entry_point: host, port }: (typeof sessions)[number]) =>
      host && (port === undefined ? host : `${host}:${port}`);
    const targets = active.map((session) => ({
      id: session.id,
      facts: facts(
        ['type', session.type],
        ['expires', session.expires_at],
        ['entry point', entryPoint(session)],
        ['allowed CIDR', session.allow_only_cidr],
        ['full access', session.full_access ? 'yes' : undefined],
      ),
    }));
    return { targets };
  },
};

const peerTypes = ['client', 'site'] as const;

const peerListSchema = z.array(
  z.object({
    id: targetId('uuid'),
    type: z.string(),
    user_id: z.string().nullish(),
    site_id: z.string().nullish(),
    subnets: z.array(z.string()).nullish(),
    protocol: z.string().nullish(),
    connected: z.boolean().optional(),
    connected_from: z.string().nullish(),
  }),
);

const peerListing: TargetListing = {
  filters: [choiceFilter('--type', 'type', peerTypes)],
  allNeedsFilter: false,
  call: (instanceId, query) => ({
    vendor: 'altostrat',
    method: 'GET',
    path: withQuery(`/vpn/instances/${segment(instanceId)}/peers`, query),
    idempotent: true,
  }),
  read: (body) => {
    const peers = readAnswer(peerListSchema, body, 'a list of VPN peers');
    const connected = (peer: (typeof peers)[number]) => {
      if (peer.connected === undefined) return undefined;
      if (!peer.connected) return 'no';
      return peer.connected_from ? `yes, from ${peer.connected_from}` : 'yes';
    };
    const targets = peers.map((peer) => ({
      id: peer.id,
      facts: facts(
        ['type', peer.type],
        ['connected', connected(peer)],
        ['user', peer.user_id],
        ['site', peer.site_id],
        ['subnets', peer.subnets?.join(', ')],
        ['protocol', peer.protocol],
      ),
    }));
    return { targets };
  },
};

const entityTypes = ['knowledge_slice', 'vector_store', 'assistant'] as const;
const granteeTypes = ['user', 'department', 'role'] as const;
// The most the list call gives at once; fewer pages for an organization with many grants.
const GRANT_PAGE_SIZE = 100;

const grantPageSchema = z.object({
  items: z.array(
    z.object({
      id: targetId('grant'),
      entity_type: z.string(),
      entity_id: z.string(),
      grantee_type: z.string(),
      grantee_id: z.string(),
      // Documented only as "its creation time": the first of the usual names that is there.
      created_at: z.string().optional().catch(undefined),
      granted_at: z.string().optional().catch(undefined),
      createdAt: z.string().optional().catch(undefined),
    }),
  ),
  skip: z.number().int().min(0),
  has_more: z.boolean(),
});

const grantListing: TargetListing = {
  filters: [typedIdFilter('--grantee', 'grantee', granteeTypes), typedIdFilter('--entity', 'entity', entityTypes)],
  allNeedsFilter: true,
  call: (organizationId, query, skip) => ({
    vendor: 'aitronos',
    method: 'GET',
    path: withQuery(`/v1/organizations/${segment(organizationId)}/access/grants`, {
      skip: String(skip),
      limit: String(GRANT_PAGE_SIZE),
      ...query,
    }),
    idempotent: true,
  }),
  read: (body) => {
    const page = readAnswer(grantPageSchema, body, 'a page of access grants');
    // A page that says there is more but holds nothing would be asked for again and again.
    if (page.has_more && page.items.length === 0) {
      throw new Error('the answer is not a page of access grants (has_more with no items)');
    }
    const targets = page.items.map((grant) => ({
      id: grant.id,
      facts: facts(
        ['entity', `${grant.entity_type}:${grant.entity_id}`],
        ['grantee', `${grant.grantee_type}:${grant.grantee_id}`],
        ['granted', grant.created_at ?? grant.granted_at ?? grant.createdAt],
      ),
    }));
    return { targets, nextSkip: page.has_more ? page.skip + page.items.length : undefined };
  },
};

export const operations: readonly Operation[] = [
  {
    name: 'revoke-access',
    command: '/revoke-access',
    description: 'Revoke transient SSH/Winbox sessions on an Altostrat site',
    title: 'Revoke transient access',
    vendor: 'altostrat',
    parent: { kind: 'uuid', placeholder: 'siteId', noun: 'site' },
    target: { kind: 'uuid', placeholder: 'accessId', noun: 'session' },
    call: (siteId, accessId) => ({
      vendor: 'altostrat',
      method: 'DELETE',
      path: `/control-plane/${segment(siteId ?? '')}/transient-accesses/${segment(accessId)}`,
      idempotent: true,
    }),
    interpret: noContent('revoked'),
    listing: sessionListing,
  },
  {
    name: 'rotate-credentials',
    command: '/rotate-credentials',
    description: "Rotate Altostrat sites' API credentials",
    title: 'Rotate API credentials',
    vendor: 'altostrat',
    target: { kind: 'uuid', placeholder: 'siteId', noun: 'site' },
    call: (_parent, siteId) => ({
      vendor: 'altostrat',
      method: 'POST',
      path: `/control-plane/${segment(siteId)}/credentials`,
      idempotent: false,
    }),
    interpret: ({ body }) => {
      const parsed = apiCredentialSchema.safeParse(body);
      if (!parsed.success) {
        throw new Error('the answer is not an ApiCredential (id, site_id, username, password)');
      }
      const credential = parsed.data;
      return {
        summary: `rotated: new credential ${code(credential.id)} for user ${code(credential.username)}`,
        secret: { label: `password for ${credential.username}`, value: credential.password },
      };
    },
  },
  {
    name: 'delete-peer',
    command: '/delete-peer',
    description: 'Delete peers from an Altostrat managed VPN instance',
    title: 'Delete VPN peers',
    vendor: 'altostrat',
    parent: { kind: 'uuid', placeholder: 'instanceId', noun: 'VPN instance' },
    target: { kind: 'uuid', placeholder: 'peerId', noun: 'peer' },
    scope: 'vpn:delete',
    call: (instanceId, peerId) => ({
      vendor: 'altostrat',
      method: 'DELETE',
      path: `/vpn/instances/${segment(instanceId ?? '')}/peers/${segment(peerId)}`,
      idempotent: true,
    }),
    interpret: noContent('deleted'),
    listing: peerListing,
  },
  {
    name: 'revoke-grant',
    command: '/revoke-grant',
    description: 'Revoke Aitronos access grants in an organization',
    title: 'Revoke access grants',
    vendor: 'aitronos',
    parent: { kind: 'organization', placeholder: 'organizationId', noun: 'organization' },
    target: { kind: 'grant', placeholder: 'grantId', noun: 'grant' },
    call: (organizationId, grantId) => ({
      vendor: 'aitronos',
      method: 'DELETE',
      path: `/v1/organizations/${segment(organizationId ?? '')}/access/grants/${segment(grantId)}`,
      idempotent: true,
    }),
    interpret: noContent('revoked'),
    listing: grantListing,
  },
];

export function findOperation(name: string): Operation | undefined {
  return operations.find((op) => op.name === name || op.command === name);
}

/** The operation a stored request names; a name the catalog does not know is a broken record. */
export function operationOf(request: { operation: string }): Operation {
  const operation = findOperation(request.operation);
  if (!operation) throw new Error(`request names an operation twokey does not know: ${request.operation}`);
  return operation;
}

/** `/revoke-access <siteId> <accessId>… [reason]` */
export function usageLine(op: Operation): string {
  const parent = op.parent ? ` <${op.parent.placeholder}>` : '';
  return `${op.command}${parent} <${op.target.placeholder}>… [reason] [--dry-run]`;
}

/** Name of the umbrella command. */
export const umbrellaCommand = '/twokey';
