import { formatDuration } from '../lib/duration';
import type { Message } from '../model/message';
import { findOperation } from '../operations/catalog';
import { breakGlassFlag } from '../operations/grammar';
import { minBreakGlassReason, type RequestRefusalReason, type UserDescription } from '../policy/access';
import { code, escapeText, mention, plural } from './format';

/** `/twokey whoami`: your roles, how you got them, and what each operation asks of you here. */
export function whoamiMessage(description: UserDescription): Message {
  const roles = description.roles.length
    ? description.roles
        .map(({ role, grantedBy }) => `${code(role)} (${grantedBy.map((how) => (how === 'user' ? 'listed by ID' : `via user group ${code(how)}`)).join(', ')})`)
        .join(', ')
    : 'none — you may use `/twokey help` and `/twokey whoami` only';
  const channel = description.channel.rules
    ? `Requests are allowed in ${description.channel.rules.map(code).join(', ')}; this channel ${description.channel.allowed ? 'is' : 'is *not*'} one of them.`
    : 'Requests are allowed in any channel.';
  const lines = description.operations.map(({ operation, rule, request, mayApprove, mayApproveEscalated, mayBreakGlass }) => {
    const command = code(findOperation(operation)?.command ?? operation);
    if (!rule) return `• ${command}: not in the policy, refused to everyone`;
    const approvals =
      rule.approvals === 0
        ? 'runs at once'
        : `needs ${plural(rule.approvals, 'approval')} from ${rule.approve.map(code).join(' or ')}` +
          (rule.escalation
            ? `, after ${formatDuration(rule.escalation.afterMs)} also ${rule.escalation.to.map(code).join(' or ')}`
            : '') +
          (rule.remindMs ? `, a reminder every ${formatDuration(rule.remindMs)}` : '') +
          `, expires after ${formatDuration(rule.expiresMs)}`;
    const you = request.allowed ? 'you may request it here' : `you may not request it ${whyNot(request.reason, rule.request)}`;
    const approve = mayApprove
      ? '; you may approve it'
      : mayApproveEscalated
        ? `; you may approve it once a request has waited ${formatDuration(rule.escalation?.afterMs ?? 0)}`
        : '';
    // The channel rules bind breaking glass too: where requests may not be made, neither may it.
    const breakGlass =
      mayBreakGlass && description.channel.allowed
        ? `; with ${code(breakGlassFlag)} and a reason of at least ${minBreakGlassReason} characters you may run it at once, ` +
          'without approval: its approvers are told and review it'
        : '';
    const reason = rule.reasonRequired ? '; a reason is required' : '';
    return `• ${command} (${approvals}${reason}): ${you}${approve}${breakGlass}`;
  });
  const unresolved = description.unresolved.map((group) =>
    group.unknown
      ? `⚠️ User group ${code(group.usergroup)} is named in the policy but does not exist in Slack, so it grants nothing; ask an admin to fix the policy.`
      : `⚠️ Could not look up user group ${code(group.usergroup)} (${escapeText(group.error)}); it grants nothing until it can be checked.`,
  );
  return {
    summary: `You are ${description.userId}`,
    tone: 'info',
    title: 'Who you are to twokey',
    fields: [
      { label: 'You', value: mention(description.userId) },
      { label: 'Roles', value: roles },
    ],
    body: [
      channel,
      ...lines,
      ...unresolved,
      ...(description.auditChannel ? [`Every outcome, refusal and policy reload is posted in <#${description.auditChannel}>.`] : []),
    ],
  };
}

/**
 * Why the user may not request an operation, as the rest of a line that already said so: the
 * policy's refusal is a whole sentence ("You may not request …"), which here would say it twice.
 */
function whyNot(reason: RequestRefusalReason, requestingRoles: readonly string[]): string {
  switch (reason) {
    case 'channel_not_allowed':
      return 'in this channel';
    case 'no_role':
      return requestingRoles.length ? `here: that needs the role ${requestingRoles.map(code).join(' or ')}` : 'here: no role may';
    case 'roles_unavailable':
      return 'here until twokey can look up your user groups (see below)';
    case 'unknown_usergroup':
      return 'here: the user group the policy names for it does not exist in Slack (see below)';
    case 'action_not_in_policy':
      return 'here: it is not in the policy';
  }
}
