/**
 * PRODUCT.md §10: `remind` and `escalate` per action — how the policy reads them, and how an
 * escalation widens who may approve and deny a request that has waited long enough.
 */
import { decideApproval, decideExecution, mayDeny, parsePolicy, type RequestRef } from '../../../src/policy';
import { actionProblems, ruleTestRoles, who } from './fixtures';



describe('parsePolicy: remind and escalate', () => {
  it('reads both as durations, with the roles escalated to', () => {
    const policy = parsePolicy(
      `${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver], remind: 5m, escalate: { after: 10m, to: [lead] } }\n`,
      'p',
    );
    expect(policy.actions['delete-peer']).toMatchObject({ remindMs: 5 * 60_000, escalation: { afterMs: 10 * 60_000, to: ['lead'] } });
  });

  it('leaves both out when not given', () => {
    const rule = parsePolicy(`${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver] }\n`, 'p').actions['delete-peer'];
    expect(rule).not.toHaveProperty('remindMs');
    expect(rule).not.toHaveProperty('escalation');
  });

  it.each<[string, string, string]>([
    ['a reminder more often than once a minute', 'remind: 30s', 'actions.delete-peer.remind: expected at least 1m, got 30 seconds (line 6)'],
    [
      'a reminder no sooner than the expiry',
      'remind: 15m',
      'actions.delete-peer.remind: must be shorter than expires (15 minutes): a request has expired by then (line 6)',
    ],
    ['a reminder that is not a duration', 'remind: often', 'actions.delete-peer.remind: expected a duration such as 30s, 15m, 2h or 1d, got "often" (line 6)'],
    [
      'an escalation no sooner than the expiry',
      'expires: 10m, escalate: { after: 10m, to: [lead] }',
      'actions.delete-peer.escalate.after: must be shorter than expires (10 minutes): a request has expired by then (line 6)',
    ],
    ['an escalation to a role not defined', 'escalate: { after: 5m, to: [leads] }', 'actions.delete-peer.escalate.to.0: unknown role "leads"; defined roles: oncall, approver, lead (line 6)'],
    ['an escalation to nobody', 'escalate: { after: 5m, to: [] }', 'actions.delete-peer.escalate.to: expected at least one role to escalate to (line 6)'],
    ['an escalation without after', 'escalate: { to: [lead] }', 'actions.delete-peer.escalate.after: expected a duration such as 30s, 15m, 2h or 1d (line 6)'],
    ['a misspelt key in escalate', 'escalate: { after: 5m, to: [lead], too: [oncall] }', 'actions.delete-peer.escalate.too: unknown key; allowed here: after, to (line 6)'],
  ])('refuses %s, at its path', (_name, extra, problem) => {
    expect(actionProblems(`  delete-peer: { request: [oncall], approvals: 1, approve: [approver], ${extra} }\n`)).toEqual([problem]);
  });

  it('refuses both on an action that runs at once: nothing would ever wait', () => {
    expect(actionProblems(`  revoke-access: { request: [oncall], approvals: 0, remind: 5m, escalate: { after: 5m, to: [lead] } }\n`)).toEqual([
      'actions.revoke-access.remind: reminders concern only a request waiting for approvals, and this action runs at once (approvals: 0) (line 6)',
      'actions.revoke-access.escalate.after: escalation concerns only a request waiting for approvals, and this action runs at once (approvals: 0) (line 6)',
    ]);
  });
});

describe('escalation in the access decisions', () => {
  const policy = parsePolicy(
    `${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver], escalate: { after: 10m, to: [lead] } }\n`,
    'p',
  );
  const lead = who('U0LEAD1', ['lead']);
  const at = (minutes: number): RequestRef => ({ operation: 'delete-peer', requesterId: 'U0ONCALL1', waitedMs: minutes * 60_000 });

  it('refuses an escalated-to role before the request has waited long enough, saying when it may', () => {
    const refusal = {
      counts: false,
      reason: 'not_escalated_yet',
      message: 'You may approve delete-peer requests only once one has waited 10 minutes (escalated to lead); this one has waited 4 minutes.',
    };
    expect(decideApproval(policy, lead, { ...at(4), approverIds: [] })).toEqual(refusal);
    expect(mayDeny(policy, lead, at(4))).toMatchObject({ allowed: false, reason: 'not_escalated_yet' });
  });

  it('lets the escalated-to role approve and deny from `after` on', () => {
    expect(decideApproval(policy, lead, { ...at(10), approverIds: [] })).toEqual({ counts: true });
    expect(mayDeny(policy, lead, at(12))).toEqual({ allowed: true });
  });

  it('never escalates a request whose age is not known', () => {
    const ageless: RequestRef = { operation: 'delete-peer', requesterId: 'U0ONCALL1' };
    expect(decideApproval(policy, lead, { ...ageless, approverIds: [] })).toMatchObject({ counts: false, reason: 'not_escalated_yet' });
  });

  it('still refuses the requester and those in no role involved', () => {
    expect(decideApproval(policy, who('U0ONCALL1', ['oncall', 'lead']), { ...at(20), approverIds: [] })).toMatchObject({ reason: 'own_request' });
    expect(decideApproval(policy, who('U0ONCALL2', ['oncall']), { ...at(20), approverIds: [] })).toMatchObject({
      reason: 'no_role',
      message: 'You may not approve delete-peer requests: that needs one of the roles approver, lead, and you hold none of them.',
    });
  });

  it('accepts at execution an approver who approved under the escalation, and refuses one who lost the role', () => {
    const requester = who('U0ONCALL1', ['oncall']);
    expect(decideExecution(policy, at(11), requester, [lead])).toEqual({ allowed: true });
    expect(decideExecution(policy, at(11), requester, [who('U0LEAD1')])).toEqual({
      allowed: false,
      reason: 'approver_lost_role',
      message: 'U0LEAD1 no longer holds a role that may approve delete-peer requests (approver, lead).',
    });
  });
});
