import { z } from 'zod';
import { durationSchema, formatDuration } from '../lib/duration';
import { type AliasKind, type Aliases, noAliases } from '../operations/aliases';
import { operationNames, type OperationName } from '../operations/catalog';
import { describeIdForm, type IdKind, idKinds, isId } from '../operations/ids';

export const MAX_APPROVALS = 5;
export const DEFAULT_EXPIRES_MS = 15 * 60_000;
/** A request waits a week at most: longer, and nobody remembers why it was made. */
export const MAX_EXPIRES_MS = 7 * 24 * 3_600_000;
/** Reminders more often than this would be noise that people learn to ignore. */
export const MIN_REMIND_MS = 60_000;
export const revealPasswordModes = ['never', 'requester'] as const;
export type RevealPassword = (typeof revealPasswordModes)[number];

/** What the policy says about one operation. */
export interface ActionRule {
  /** Roles whose holders may request it. */
  request: string[];
  /** Roles whose holders may approve (and deny) it; empty when no approval is needed. */
  approve: string[];
  /** Approvals needed before it runs, 0…5. */
  approvals: number;
  /** How long a request waits for approval. */
  expiresMs: number;
  reasonRequired: boolean;
  /** While a request waits, how often its approvers are reminded; absent: never. */
  remindMs?: number;
  /** Who else may approve (and deny) a request still waiting this long after it was made. */
  escalation?: Escalation;
  /** Roles whose holders may run it at once with `--break-glass` and a long reason; absent: nobody may. */
  breakGlass?: string[];
}

export interface Escalation {
  afterMs: number;
  /** Roles whose holders may approve and deny from then on, besides those in `approve`. */
  to: string[];
}

export interface RoleDefinition {
  users: string[];
  usergroups: string[];
}

export interface Policy {
  roles: Record<string, RoleDefinition>;
  /** Channel IDs and name globs where requests may be made; absent means anywhere. */
  channels?: string[];
  /** An operation missing here is refused to everyone. */
  actions: Partial<Record<OperationName, ActionRule>>;
  revealPassword: RevealPassword;
  /** Short names for sites, VPN instances and organizations, accepted wherever their IDs are. */
  aliases: Aliases;
  /** The channel ID where every outcome, refusal and policy reload is posted as one line; absent: nowhere. */
  auditChannel?: string;
}

/** Slack channel IDs: `C…` public, `G…` private. Any other `channels` entry is a name glob. */
export const channelIdPattern = /^[CG][A-Z0-9]+$/;
// Slack channel names are lower-case letters, digits, `-` and `_`; a glob adds `*` and `?`.
const channelGlobPattern = /^[a-z0-9_*?-]+$/;
const userIdPattern = /^[UW][A-Z0-9]+$/;
const usergroupIdPattern = /^S[A-Z0-9]+$/;

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

const expectedWords: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** Sentences for the issues no schema below words itself. */
const policyErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = expectedWords[issue.expected] ?? issue.expected;
      return issue.input === undefined
        ? `missing (expected ${expected})`
        : `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}, got ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
};

function expectedForm(form: string) {
  return (issue: { input?: unknown }) => `expected ${form}, got ${describeValue(issue.input)}`;
}

/** Unknown keys are errors, and their message lists what is allowed there: a typo is never ignored. */
function unknownKeyMessage(allowed: string) {
  return (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? `unknown ${allowed}` : undefined);
}

function strictMapping<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, { error: unknownKeyMessage(`key; allowed here: ${Object.keys(shape).join(', ')}`) });
}

const roleSchema = strictMapping({
  users: z
    .array(z.string().regex(userIdPattern, { error: expectedForm('a Slack user ID such as U0123ABCD') }))
    .default([]),
  usergroups: z
    .array(z.string().regex(usergroupIdPattern, { error: expectedForm('a Slack user-group ID such as S0ONCALL1') }))
    .default([]),
});

const channelRuleSchema = z
  .string()
  .refine((rule) => channelIdPattern.test(rule) || channelGlobPattern.test(rule), {
    error: expectedForm('a channel ID such as C0INCIDENT1 or a lower-case channel name glob such as inc-*'),
  });

// twokey posts to a channel by its ID: a name can change, and Slack's API wants the ID.
const auditChannelSchema = z
  .string({
    // `audit_channel: #audit` reads as a comment: the key is there with no value.
    error: (issue) => (issue.input === null ? 'expected a channel ID such as C0AUDIT01, got nothing (in YAML, # starts a comment)' : undefined),
  })
  .refine((value) => channelIdPattern.test(value), {
    error: (issue) =>
      typeof issue.input === 'string' && channelGlobPattern.test(issue.input.replace(/^#/, ''))
        ? `expected the channel's ID such as C0AUDIT01, not its name ${describeValue(issue.input)}: in Slack, the channel's details show its ID at the bottom`
        : `expected a channel ID such as C0AUDIT01, got ${describeValue(issue.input)}`,
  });

// A plain short name, as people type one in a command.
const aliasNamePattern = /^[a-z0-9][a-z0-9._-]{0,39}$/;

/** What is wrong with an alias's name, if anything. */
function aliasNameProblem(name: string): string | undefined {
  if (!aliasNamePattern.test(name)) {
    return 'expected a short name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 40 characters';
  }
  // A command reads an ID as an ID: a name that is one would never be looked up.
  if (idKinds.some((kind) => isId(kind, name))) return 'a name must not be an ID itself; choose a short name such as cpt-edge';
  return undefined;
}

/** One kind of alias: names, each checked, for IDs of `kind`. Two names for one ID are fine. */
function aliasMapSchema(kind: IdKind) {
  const expected = expectedForm(describeIdForm(kind));
  const id = z.string({ error: expected }).refine((value) => isId(kind, value), { error: expected });
  return z
    .record(z.string(), id)
    .superRefine((names, ctx) => {
      for (const name of Object.keys(names)) {
        const problem = aliasNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', path: [name], input: name, message: problem });
      }
    })
    .default({});
}

const aliasesSchema = strictMapping({
  sites: aliasMapSchema('uuid'),
  instances: aliasMapSchema('uuid'),
  organizations: aliasMapSchema('organization'),
} satisfies Record<AliasKind, unknown>).default(noAliases);

/** A list of role names, each of which `roles` must define. */
function roleListSchema(defined: readonly string[]) {
  const known = defined.length ? `defined roles: ${defined.join(', ')}` : 'no roles are defined under roles';
  return z.array(
    z.string().refine((name) => defined.includes(name), {
      error: (issue) => `unknown role ${describeValue(issue.input)}; ${known}`,
    }),
  );
}

/**
 * One action's rule. Role references are checked against `defined`; whether enough people could
 * approve, against `people` (the roles as defined), when the roles are valid.
 */
function actionRuleSchema(defined: readonly string[], people: Record<string, RoleDefinition> | undefined) {
  return strictMapping({
    request: roleListSchema(defined).min(1, 'expected at least one role that may request this action'),
    approve: roleListSchema(defined).optional(),
    approvals: z
      .int()
      .min(0, 'expected a whole number ≥ 0')
      .max(MAX_APPROVALS, `expected a whole number ≤ ${MAX_APPROVALS}`),
    expires: durationSchema(MAX_EXPIRES_MS).default(DEFAULT_EXPIRES_MS),
    reason: z.enum(['required', 'optional']).default('optional'),
    remind: durationSchema(MAX_EXPIRES_MS).optional(),
    escalate: strictMapping({
      after: durationSchema(MAX_EXPIRES_MS),
      to: roleListSchema(defined).min(1, 'expected at least one role to escalate to'),
    }).optional(),
    break_glass: roleListSchema(defined).min(1, 'expected at least one role; remove break_glass to let nobody break glass').optional(),
  })
    .superRefine((rule, ctx) => {
      for (const problem of waitingProblems(rule)) ctx.addIssue({ code: 'custom', ...problem });
      if (rule.approvals >= 1 && !rule.approve?.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['approve'],
          input: rule.approve,
          message: `required when approvals is ${rule.approvals}: list the roles that may approve`,
        });
      } else if (people && ctx.issues.length === 0) {
        // Counted only for a rule otherwise valid: an unknown role is reported as such, not as nobody.
        const shortfall = approvalShortfall({ ...rule, approve: rule.approve ?? [] }, people);
        if (shortfall?.severity === 'error') ctx.addIssue({ code: 'custom', path: ['approvals'], message: shortfall.message });
      }
    })
    .transform(
      (rule): ActionRule => ({
        request: rule.request,
        approve: rule.approve ?? [],
        approvals: rule.approvals,
        expiresMs: rule.expires,
        reasonRequired: rule.reason === 'required',
        ...(rule.remind === undefined ? {} : { remindMs: rule.remind }),
        ...(rule.escalate === undefined ? {} : { escalation: { afterMs: rule.escalate.after, to: rule.escalate.to } }),
        ...(rule.break_glass === undefined ? {} : { breakGlass: rule.break_glass }),
      }),
    );
}

/**
 * What is wrong with a rule's reminders, escalation and break-glass, each at its path. One that
 * could never apply — on an action that runs at once, or not before the request expires — is an
 * error rather than a warning: like a typo, it would silently do nothing.
 */
function waitingProblems(rule: {
  approvals: number;
  expires: number;
  remind?: number;
  escalate?: { after: number };
  break_glass?: string[];
}): { path: string[]; message: string }[] {
  /** Why something about waiting for approvals would never apply, if the action waits for none. */
  const neverWaits = (what: string): string | undefined =>
    rule.approvals === 0 ? `${what} only a request waiting for approvals, and this action runs at once (approvals: 0)` : undefined;
  /** Why something due `ms` after a request is made would never come, if it would not. */
  const neverDue = (ms: number, what: string): string | undefined =>
    neverWaits(what) ??
    (ms >= rule.expires ? `must be shorter than expires (${formatDuration(rule.expires)}): a request has expired by then` : undefined);
  const problems = [
    {
      path: ['remind'],
      message:
        rule.remind === undefined
          ? undefined
          : rule.remind < MIN_REMIND_MS
            ? `expected at least 1m, got ${formatDuration(rule.remind)}`
            : neverDue(rule.remind, 'reminders concern'),
    },
    { path: ['escalate', 'after'], message: rule.escalate && neverDue(rule.escalate.after, 'escalation concerns') },
    // Breaking glass skips the wait for approvals: an action that never waits has none to skip.
    { path: ['break_glass'], message: rule.break_glass && neverWaits('break-glass concerns') },
  ];
  return problems.filter((problem): problem is { path: string[]; message: string } => problem.message !== undefined);
}

/**
 * The policy file's schema; role references are checked against `definedRoles`, and approval rules
 * against the people in `roles` when they are known.
 */
export function policySchema(definedRoles: readonly string[], roles?: Record<string, RoleDefinition>): z.ZodType<Policy> {
  return strictMapping({
    roles: z.record(z.string(), roleSchema),
    channels: z
      .array(channelRuleSchema)
      .min(1, 'expected at least one channel; remove channels to allow requests anywhere')
      .optional(),
    actions: z.partialRecord(z.enum(operationNames), actionRuleSchema(definedRoles, roles), {
      error: unknownKeyMessage(`action; valid actions are ${operationNames.join(', ')}`),
    }),
    reveal_password: z.enum(revealPasswordModes).default('never'),
    aliases: aliasesSchema,
    audit_channel: auditChannelSchema.optional(),
  }).transform(
    (document): Policy => ({
      roles: document.roles,
      channels: document.channels,
      actions: document.actions,
      revealPassword: document.reveal_password,
      aliases: document.aliases,
      ...(document.audit_channel === undefined ? {} : { auditChannel: document.audit_channel }),
    }),
  );
}

/** Something in a valid policy that needs a look: where (`actions.delete-peer.approvals`) and why. */
export interface PolicyWarning {
  path: string[];
  message: string;
}

/** The approval rules that only user groups could satisfy, each at its path. */
export function policyWarnings(policy: Policy): PolicyWarning[] {
  return Object.entries(policy.actions).flatMap(([action, rule]) => {
    const shortfall = approvalShortfall(rule, policy.roles);
    return shortfall?.severity === 'warning' ? [{ path: ['actions', action, 'approvals'], message: shortfall.message }] : [];
  });
}

/**
 * Whether a rule needs more approvers than the policy's people could give. The requester never
 * approves their own request, so when every user who may request also approves, one approver
 * fewer is available. A shortfall that user groups could make up is a warning, not an error:
 * their members are known only at run time.
 */
function approvalShortfall(
  rule: Pick<ActionRule, 'request' | 'approve' | 'approvals'>,
  roles: Record<string, RoleDefinition>,
): { severity: 'error' | 'warning'; message: string } | undefined {
  const members = (roleNames: string[]) => ({
    users: new Set(roleNames.flatMap((name) => roles[name]?.users ?? [])),
    usergroups: roleNames.flatMap((name) => roles[name]?.usergroups ?? []),
  });
  const approvers = members(rule.approve);
  const requesters = members(rule.request);
  const requesterAlwaysApproves = requesters.users.size > 0 && [...requesters.users].every((id) => approvers.users.has(id));
  if (approvers.users.size - (requesterAlwaysApproves ? 1 : 0) >= rule.approvals) return undefined;

  // More approvers may be in approving groups; a requester from a group may approve nothing at all.
  const usergroups = new Set([
    ...approvers.usergroups,
    ...(approvers.users.size >= rule.approvals ? requesters.usergroups : []),
  ]);
  const shortfall =
    `needs ${count(rule.approvals, 'approver')} besides the requester, but the roles in approve ` +
    `(${rule.approve.join(', ')}) list ${count(approvers.users.size, 'user')}` +
    (requesterAlwaysApproves ? ', and the requester is always one of them' : '');
  return usergroups.size === 0
    ? { severity: 'error', message: `${shortfall}; add users to those roles or lower approvals` }
    : {
        severity: 'warning',
        message: `${shortfall}; it can be met only through user groups (${[...usergroups].join(', ')}), whose members are known only at run time`,
      };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// The roles alone, so that references and approval rules can be checked even when other parts are invalid.
const roleNamesOnly = z.object({ roles: z.record(z.string(), z.unknown()) });
const rolesOnly = z.object({ roles: z.record(z.string(), roleSchema) });

/** Validates a parsed policy document; every issue carries its path and a sentence for people. */
export function validatePolicy(document: unknown): z.ZodSafeParseResult<Policy> {
  const names = roleNamesOnly.safeParse(document);
  const roles = rolesOnly.safeParse(document);
  const schema = policySchema(names.success ? Object.keys(names.data.roles) : [], roles.data?.roles);
  return schema.safeParse(document, { error: policyErrorMap });
}
