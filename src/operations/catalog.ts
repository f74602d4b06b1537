import { z } from 'zod';
import { code } from '../model/mrkdwn';
import type { VendorCall, VendorName, VendorResponse } from '../vendors/types';
import type { IdKind } from './ids';

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
