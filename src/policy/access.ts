import type { AccountStanding } from '../model/ports';
import { formatDuration } from '../lib/duration';
import { operationNames, type OperationName } from '../operations/catalog';
import type { ResolvedRoles, UnresolvedUsergroup } from './roles';
import { channelIdPattern, type ActionRule, type Policy } from './schema';

// Who may do what, as pure functions returning named reasons: no I/O, so every rule is testable alone.

export interface ChannelRef {
  id: string;
  /** The channel's name without `#`, when known; name globs only match names. */
  name?: string;
}

export type RequestRefusalReason = 'action_not_in_policy' | 'channel_not_allowed' | 'no_role' | 'roles_unavailable' | 'unknown_usergroup';
export type ApprovalRefusalReason =
  | 'action_not_in_policy'
  | 'own_request'
  | 'no_role'
  | 'roles_unavailable'
  | 'unknown_usergroup'
  | 'not_escalated_yet'
  | 'already_approved';
export type DenyRefusalReason = Exclude<ApprovalRefusalReason, 'already_approved'>;
export type CancelRefusalReason = 'not_requester';
export type ClickRefusalReason = 'wrong_channel';
export type AccountRefusalReason = 'account_deactivated' | 'account_bot' | 'account_guest' | 'account_unverified';
export type ExecutionRefusalReason = 'action_not_in_policy' | 'requester_lost_role' | 'approver_lost_role' | 'roles_unavailable';
export type AuditRefusalReason = 'no_role';
export type BreakGlassRefusalReason = RequestRefusalReason | 'break_glass_not_enabled' | 'reason_too_short';
export type ReviewRefusalReason = 'not_break_glass' | 'own_break_glass' | 'action_not_in_policy' | 'no_role' | 'roles_unavailable' | 'unknown_usergroup';

/** The shortest reason that lets a request skip its approvals (PRODUCT.md §10): a sentence, not a word. */
export const minBreakGlassReason = 20;

/** The role whose holders may cancel anyone's request and read every channel's audit entries. */
export const adminRole = 'admin';

/** A reason and one sentence for the user. */
export interface Refusal<Reason extends string> {
  reason: Reason;
  message: string;
}

export type RequestDecision =
  | { allowed: true; rule: ActionRule }
  | ({ allowed: false } & Refusal<RequestRefusalReason>);
export type ApprovalDecision = { counts: true } | ({ counts: false } & Refusal<ApprovalRefusalReason>);
export type DenyDecision = { allowed: true } | ({ allowed: false } & Refusal<DenyRefusalReason>);
export type CancelDecision = { allowed: true } | ({ allowed: false } & Refusal<CancelRefusalReason>);
export type ClickDecision = { allowed: true } | ({ allowed: false } & Refusal<ClickRefusalReason>);
export type BreakGlassDecision = { allowed: true; rule: ActionRule } | ({ allowed: false } & Refusal<BreakGlassRefusalReason>);
export type ReviewDecision = { allowed: true } | ({ allowed: false } & Refusal<ReviewRefusalReason>);
export type ExecutionDecision = { allowed: true } | ({ allowed: false } & Refusal<ExecutionRefusalReason>);
/** Admins read every channel's audit entries; anyone else holding a role, the channel's. */
export type AuditDecision =
  | { allowed: true; scope: 'everywhere' | 'channel' }
  | ({ allowed: false } & Refusal<AuditRefusalReason>);

export interface RequestRef {
  operation: OperationName;
  requesterId: string;
  /**
   * How long the request has waited since it was made: from its rule's `escalate.after` on, the
   * escalation's roles may approve and deny it too. Absent: it has not escalated.
   */
  waitedMs?: number;
}

export interface ApprovalRef extends RequestRef {
  /** Users whose approvals already counted. */
  approverIds: string[];
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** Whether requests may be made in `channel`: IDs match exactly, globs match names; no `channels` means anywhere. */
export function channelAllowed(policy: Policy, channel: ChannelRef): boolean {
  if (!policy.channels) return true;
  return policy.channels.some((rule) =>
    channelIdPattern.test(rule)
      ? rule === channel.id
      : channel.name !== undefined && globToRegExp(rule).test(channel.name),
  );
}

function describeChannelRules(rules: readonly string[]): string {
  const ids = rules.filter((rule) => channelIdPattern.test(rule));
  const globs = rules.filter((rule) => !channelIdPattern.test(rule));
  return [...ids.map((id) => `channel ${id}`), ...globs.map((glob) => `channels named ${glob}`)].join(' or ');
}

function holdsAny(who: ResolvedRoles, roles: readonly string[]): boolean {
  return roles.some((role) => who.roles.has(role));
}

function notInPolicy(operation: OperationName): Refusal<'action_not_in_policy'> {
  return {
    reason: 'action_not_in_policy',
    message: `${operation} is not enabled in the twokey policy, so nobody may use it.`,
  };
}

type Act = 'request' | 'approve' | 'deny' | 'break glass on' | 'review break-glass uses of';

/**
 * Why `who` may not act for want of one of `roles`, or nothing when they hold one. A failed
 * user-group lookup that might have granted a role makes it `roles_unavailable`: never a grant.
 */
function roleRefusal(
  who: ResolvedRoles,
  roles: readonly string[],
  act: Act,
  operation: OperationName,
): Refusal<'no_role' | 'roles_unavailable' | 'unknown_usergroup'> | undefined {
  if (holdsAny(who, roles)) return undefined;
  const what = act === 'approve' || act === 'deny' ? `${operation} requests` : operation;
  const atStake = who.unresolved.filter((group) => group.roles.some((role) => roles.includes(role)));
  const failed = atStake.filter((group) => !group.unknown);
  if (failed.length) {
    const groups = failed.map((group) => `${group.usergroup} (Slack said: ${group.error})`).join(', ');
    return {
      reason: 'roles_unavailable',
      message:
        `twokey could not look up user group${failed.length > 1 ? 's' : ''} ${groups}, so it cannot confirm your roles ` +
        `to ${act} ${what}; try again in a moment, or ask an admin if it keeps failing.`,
    };
  }
  const unknown = atStake.filter((group) => group.unknown);
  if (unknown.length) {
    const [groups, exist] = unknown.length > 1 ? ['groups', 'do'] : ['group', 'does'];
    return {
      reason: 'unknown_usergroup',
      message:
        `The user ${groups} ${unknown.map((group) => group.usergroup).join(', ')} named in the policy ${exist} not exist in Slack, ` +
        `so no one is given a role through ${unknown.length > 1 ? 'them' : 'it'} to ${act} ${what}; ask an admin to fix the policy.`,
    };
  }
  const needs = roles.length
    ? `that needs one of the roles ${roles.join(', ')}, and you hold none of them`
    : 'the policy names no role that may';
  return { reason: 'no_role', message: `You may not ${act} ${what}: ${needs}.` };
}

/** Whether `who` may request `operation` in `channel`, with the rule that then applies. */
export function decideRequest(
  policy: Policy,
  who: ResolvedRoles,
  operation: OperationName,
  channel: ChannelRef,
): RequestDecision {
  const rule = policy.actions[operation];
  if (!rule) return { allowed: false, ...notInPolicy(operation) };
  if (!channelAllowed(policy, channel)) {
    const allowed = describeChannelRules(policy.channels ?? []);
    return {
      allowed: false,
      reason: 'channel_not_allowed',
      message: `${operation} may not be requested in this channel; the policy allows requests only in ${allowed}.`,
    };
  }
  const refusal = roleRefusal(who, rule.request, 'request', operation);
  return refusal ? { allowed: false, ...refusal } : { allowed: true, rule };
}

/**
 * Whether `who` may run `operation` at once with `--break-glass` and `reason` (PRODUCT.md §10):
 * where requests may be made, holding one of the rule's `break_glass` roles (the `request` roles
 * are not needed), with a reason of at least `minBreakGlassReason` characters.
 */
export function decideBreakGlass(
  policy: Policy,
  who: ResolvedRoles,
  operation: OperationName,
  channel: ChannelRef,
  reason: string,
): BreakGlassDecision {
  const request = decideRequest(policy, who, operation, channel);
  if (!request.allowed && request.reason !== 'no_role') return request;
  const rule = policy.actions[operation]!;
  if (!rule.breakGlass?.length) {
    return {
      allowed: false,
      reason: 'break_glass_not_enabled',
      message: `${operation} has no break-glass in the twokey policy: it always waits for ${rule.approvals === 1 ? 'an approval' : `${rule.approvals} approvals`}.`,
    };
  }
  const refusal = roleRefusal(who, rule.breakGlass, 'break glass on', operation);
  if (refusal) return { allowed: false, ...refusal };
  if (reason.length < minBreakGlassReason) {
    return {
      allowed: false,
      reason: 'reason_too_short',
      message:
        `Breaking glass skips every approval, so it needs a reason of at least ${minBreakGlassReason} characters ` +
        `saying what is on fire; ${reason.length ? `yours has ${reason.length}` : 'none was given'}.`,
    };
  }
  return { allowed: true, rule };
}

/**
 * Whether `who` may review a break-glass use: anyone who may approve its action (the escalation's
 * roles do not count: nothing waited), or an admin, so that a use is never left unreviewable by a
 * policy changed since; never the one who broke glass.
 */
export function mayReview(policy: Policy, who: ResolvedRoles, request: RequestRef & { breakGlass?: boolean }): ReviewDecision {
  if (!request.breakGlass) {
    return { allowed: false, reason: 'not_break_glass', message: 'That request was not a break-glass use: there is nothing to review.' };
  }
  if (who.userId === request.requesterId) {
    return { allowed: false, reason: 'own_break_glass', message: 'You cannot review your own break-glass use: another approver must.' };
  }
  if (who.roles.has(adminRole)) return { allowed: true };
  const rule = policy.actions[request.operation];
  if (!rule) return { allowed: false, ...notInPolicy(request.operation) };
  const refusal = roleRefusal(who, rule.approve, 'review break-glass uses of', request.operation);
  return refusal ? { allowed: false, ...refusal } : { allowed: true };
}

/** Whether a request that has waited `waitedMs` has escalated under `rule`. */
function hasEscalated(rule: ActionRule, waitedMs: number | undefined): boolean {
  return rule.escalation !== undefined && waitedMs !== undefined && waitedMs >= rule.escalation.afterMs;
}

/** The roles whose holders may approve and deny a request that has waited `waitedMs`: `approve`, and the escalation's once it applies. */
export function approvingRoles(rule: ActionRule, waitedMs: number | undefined): string[] {
  return hasEscalated(rule, waitedMs) ? [...new Set([...rule.approve, ...(rule.escalation?.to ?? [])])] : rule.approve;
}

/** Approving and denying share a rule: a role in `approve` (or the escalation's, once due), and never on one's own request. */
function approverRefusal(
  policy: Policy,
  who: ResolvedRoles,
  request: RequestRef,
  act: 'approve' | 'deny',
): Refusal<DenyRefusalReason> | undefined {
  const rule = policy.actions[request.operation];
  if (!rule) return notInPolicy(request.operation);
  if (who.userId === request.requesterId) {
    return {
      reason: 'own_request',
      message:
        act === 'approve'
          ? 'You cannot approve your own request: a second person must.'
          : 'You cannot deny your own request; cancel it instead.',
    };
  }
  const refusal = roleRefusal(who, approvingRoles(rule, request.waitedMs), act, request.operation);
  const { escalation } = rule;
  if (refusal?.reason === 'no_role' && escalation && holdsAny(who, escalation.to)) {
    const waited = request.waitedMs === undefined ? '' : `; this one has waited ${formatDuration(request.waitedMs)}`;
    return {
      reason: 'not_escalated_yet',
      message:
        `You may ${act} ${request.operation} requests only once one has waited ${formatDuration(escalation.afterMs)} ` +
        `(escalated to ${escalation.to.join(', ')})${waited}.`,
    };
  }
  return refusal;
}

/** An approver's second Approve: each approver counts once. */
export const alreadyApproved: Refusal<'already_approved'> = {
  reason: 'already_approved',
  message: 'You have already approved this request; another approver is needed.',
};

/** Whether an Approve click by `who` counts towards `request`. */
export function decideApproval(policy: Policy, who: ResolvedRoles, request: ApprovalRef): ApprovalDecision {
  const refusal = approverRefusal(policy, who, request, 'approve');
  if (refusal) return { counts: false, ...refusal };
  if (request.approverIds.includes(who.userId)) return { counts: false, ...alreadyApproved };
  return { counts: true };
}

/** Whether `who` may deny `request`: anyone who could approve it, the requester excepted. */
export function mayDeny(policy: Policy, who: ResolvedRoles, request: RequestRef): DenyDecision {
  const refusal = approverRefusal(policy, who, request, 'deny');
  return refusal ? { allowed: false, ...refusal } : { allowed: true };
}

/** What an account is checked for: every act that speaks for an approver. */
export type AccountAct = 'approve' | 'deny' | 'review';

const standingRefusals: Record<Exclude<AccountStanding, 'active'>, Refusal<AccountRefusalReason>> = {
  deactivated: {
    reason: 'account_deactivated',
    message: 'Your Slack account is deactivated: deactivated accounts cannot approve, deny or review twokey requests.',
  },
  bot: { reason: 'account_bot', message: 'Your Slack account is a bot: bots cannot approve, deny or review twokey requests.' },
  guest: {
    reason: 'account_guest',
    message: 'Your Slack account is a guest account: guests cannot approve, deny or review twokey requests.',
  },
};

/**
 * Why an account may not approve, deny or review, or nothing for an active full member. `standing` is
 * undefined when the chat could not say: that is a refusal too, never a grant.
 */
export function accountRefusal(standing: AccountStanding | undefined, act: AccountAct): Refusal<AccountRefusalReason> | undefined {
  if (standing === 'active') return undefined;
  if (standing) return standingRefusals[standing];
  const undone = { approve: 'your approval was not counted', deny: 'the request was not denied', review: 'your review was not recorded' }[act];
  return { reason: 'account_unverified', message: `twokey could not check your Slack account, so ${undone}; try again in a moment.` };
}

/**
 * Whether a button pressed in `clickChannelId` may act on a request made in another: only its
 * own card's buttons count. A click from no channel (a view of the request itself) counts.
 */
export function mayClickHere(request: { channelId: string }, clickChannelId: string | undefined): ClickDecision {
  if (clickChannelId === undefined || clickChannelId === request.channelId) return { allowed: true };
  return {
    allowed: false,
    reason: 'wrong_channel',
    message: `That button does not belong to this request's card, which is in another channel (${request.channelId}); nothing was counted.`,
  };
}

/**
 * Just before a request runs: whether its requester may still request it and each counted
 * approver may still approve it, under the policy and group membership in force now. An approver
 * from the escalation's roles counts once the request has escalated, as it had when they approved.
 */
export function decideExecution(
  policy: Policy,
  request: RequestRef,
  requester: ResolvedRoles,
  approvers: readonly ResolvedRoles[],
): ExecutionDecision {
  const rule = policy.actions[request.operation];
  if (!rule) return { allowed: false, ...notInPolicy(request.operation) };
  const lost = (who: ResolvedRoles, roles: readonly string[], act: 'request' | 'approve'): ExecutionDecision | undefined => {
    const refusal = roleRefusal(who, roles, act, request.operation);
    if (!refusal) return undefined;
    const what = act === 'request' ? request.operation : `${request.operation} requests`;
    if (refusal.reason === 'roles_unavailable') {
      return {
        allowed: false,
        reason: 'roles_unavailable',
        message: `twokey could not confirm that ${who.userId} still holds a role that may ${act} ${what}: a user-group lookup failed.`,
      };
    }
    return {
      allowed: false,
      reason: act === 'request' ? 'requester_lost_role' : 'approver_lost_role',
      message: `${who.userId} no longer holds a role that may ${act} ${what} (${roles.join(', ')}).`,
    };
  };
  const approving = approvingRoles(rule, request.waitedMs);
  const refusals = [lost(requester, rule.request, 'request'), ...approvers.map((who) => lost(who, approving, 'approve'))];
  return refusals.find((refusal) => refusal !== undefined) ?? { allowed: true };
}

/** Whether `who` may cancel `request`: its requester, or an admin. */
export function mayCancel(who: ResolvedRoles, request: Pick<RequestRef, 'requesterId'>): CancelDecision {
  if (who.userId === request.requesterId || who.roles.has(adminRole)) return { allowed: true };
  return { allowed: false, reason: 'not_requester', message: 'Only the requester or an admin may cancel a request.' };
}

/** Whether `who` may read the audit log, and how much of it. */
export function mayReadAudit(who: ResolvedRoles): AuditDecision {
  if (who.roles.size === 0) {
    return { allowed: false, reason: 'no_role', message: 'Only people who hold a twokey role may read the audit log.' };
  }
  return { allowed: true, scope: who.roles.has(adminRole) ? 'everywhere' : 'channel' };
}

export interface OperationAccess {
  operation: OperationName;
  /** The policy's rule (approvals, roles, expiry); absent when the operation is refused to everyone. */
  rule?: ActionRule;
  /** Whether the user may request it in this channel, and if not, why. */
  request: RequestDecision;
  /** Whether the user holds a role that may approve other people's requests for it. */
  mayApprove: boolean;
  /** Whether the user may approve them only once a request has escalated. */
  mayApproveEscalated: boolean;
  /** Whether the user holds one of the rule's `break_glass` roles: may run it at once with `--break-glass`. */
  mayBreakGlass: boolean;
}

export interface UserDescription {
  userId: string;
  /** Roles held, each with how it was granted: `'user'` or user-group IDs. */
  roles: { role: string; grantedBy: string[] }[];
  unresolved: UnresolvedUsergroup[];
  /** Whether requests may be made in this channel, and the policy's channel rules (absent: anywhere). */
  channel: { allowed: boolean; rules?: string[] };
  operations: OperationAccess[];
  /** The policy's audit channel, told to admins, who look after the policy. */
  auditChannel?: string;
}

/** What `/twokey whoami` shows: the user's roles and, per operation, what they may do here. */
export function describeUser(policy: Policy, who: ResolvedRoles, channel: ChannelRef): UserDescription {
  return {
    userId: who.userId,
    roles: [...who.roles].map(([role, grantedBy]) => ({ role, grantedBy })),
    unresolved: who.unresolved,
    channel: { allowed: channelAllowed(policy, channel), rules: policy.channels },
    operations: operationNames.map((operation) => {
      const rule = policy.actions[operation];
      const mayApprove = rule !== undefined && rule.approvals > 0 && holdsAny(who, rule.approve);
      return {
        operation,
        rule,
        request: decideRequest(policy, who, operation, channel),
        mayApprove,
        mayApproveEscalated: !mayApprove && rule?.escalation !== undefined && holdsAny(who, rule.escalation.to),
        mayBreakGlass: rule?.breakGlass !== undefined && holdsAny(who, rule.breakGlass),
      };
    }),
    ...(who.roles.has(adminRole) && policy.auditChannel ? { auditChannel: policy.auditChannel } : {}),
  };
}
