/**
 * PRODUCT.md §10: `break_glass` per action — how the policy reads it, and who `/twokey whoami` is
 * told may break glass.
 */
import { describeUser, parsePolicy } from '../../../src/policy';
import { decideBreakGlass, mayReview, minBreakGlassReason } from '../../../src/policy/access';
import { actionProblems, ruleTestRoles, who } from './fixtures';


describe('parsePolicy: break_glass', () => {
  it('reads the roles that may break glass', () => {
    const policy = parsePolicy(`${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver], break_glass: [lead, oncall] }\n`, 'p');
    expect(policy.actions['delete-peer']?.breakGlass).toEqual(['lead', 'oncall']);
  });

  it('leaves it out when not given: nobody may break glass', () => {
    const rule = parsePolicy(`${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver] }\n`, 'p').actions['delete-peer'];
    expect(rule).not.toHaveProperty('breakGlass');
  });

  it.each<[string, string, string]>([
    ['a role not defined', 'break_glass: [leads]', 'actions.delete-peer.break_glass.0: unknown role "leads"; defined roles: oncall, approver, lead (line 6)'],
    ['an empty list', 'break_glass: []', 'actions.delete-peer.break_glass: expected at least one role; remove break_glass to let nobody break glass (line 6)'],
    ['a role not in a list', 'break_glass: lead', 'actions.delete-peer.break_glass: expected a list, got "lead" (line 6)'],
  ])('refuses %s, at its path', (_name, extra, problem) => {
    expect(actionProblems(`  delete-peer: { request: [oncall], approvals: 1, approve: [approver], ${extra} }\n`)).toEqual([problem]);
  });

  it('refuses it on an action that runs at once: there is no approval to skip', () => {
    expect(actionProblems(`  revoke-access: { request: [oncall], approvals: 0, break_glass: [lead] }\n`)).toEqual([
      'actions.revoke-access.break_glass: break-glass concerns only a request waiting for approvals, and this action runs at once (approvals: 0) (line 6)',
    ]);
  });
});

describe('describeUser: who may break glass', () => {
  const policy = parsePolicy(
    `${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver], break_glass: [lead] }
  revoke-grant: { request: [oncall, lead], approvals: 1, approve: [approver] }
`,
    'p',
  );
  const incident = { id: 'C0INCIDENT1', name: 'inc-test' };
  const breakGlass = (userId: string, held: string[]) =>
    Object.fromEntries(describeUser(policy, who(userId, held), incident).operations.map(({ operation, mayBreakGlass }) => [operation, mayBreakGlass]));

  it('says so for a holder of a break_glass role, on the actions that name it only', () => {
    expect(breakGlass('U0LEAD1', ['lead'])).toEqual({
      'revoke-access': false,
      'rotate-credentials': false,
      'delete-peer': true,
      'revoke-grant': false,
    });
  });

  it('says no to those who may request or approve but hold no break_glass role', () => {
    expect(breakGlass('U0ONCALL1', ['oncall'])['delete-peer']).toBe(false);
    expect(breakGlass('U0APPROVE1', ['approver'])['delete-peer']).toBe(false);
  });
});

describe('decideBreakGlass: who may skip the approvals, and with what reason', () => {
  const policy = parsePolicy(
    `${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver], break_glass: [lead] }
  revoke-grant: { request: [oncall, lead], approvals: 1, approve: [approver] }
channels: [C0INCIDENT1]
`,
    'p',
  );
  const incident = { id: 'C0INCIDENT1' };
  const longEnough = 'x'.repeat(minBreakGlassReason);

  it('allows a holder of a break_glass role with a long enough reason, though they may not request it', () => {
    expect(decideBreakGlass(policy, who('U0LEAD1', ['lead']), 'delete-peer', incident, longEnough)).toEqual({
      allowed: true,
      rule: policy.actions['delete-peer'],
    });
  });

  it.each<[string, Parameters<typeof decideBreakGlass>, string]>([
    ['an action without break_glass', [policy, who('U0LEAD1', ['lead']), 'revoke-grant', incident, longEnough], 'break_glass_not_enabled'],
    ['an action not in the policy', [policy, who('U0LEAD1', ['lead']), 'revoke-access', incident, longEnough], 'action_not_in_policy'],
    ['no break_glass role, even one who may request', [policy, who('U0ONCALL1', ['oncall']), 'delete-peer', incident, longEnough], 'no_role'],
    ['a reason one character short', [policy, who('U0LEAD1', ['lead']), 'delete-peer', incident, longEnough.slice(1)], 'reason_too_short'],
    ['a channel where requests may not be made', [policy, who('U0LEAD1', ['lead']), 'delete-peer', { id: 'C0ELSEWHERE' }, longEnough], 'channel_not_allowed'],
  ])('refuses %s', (_name, args, reason) => {
    expect(decideBreakGlass(...args)).toMatchObject({ allowed: false, reason });
  });

  it('a failed lookup of a group that might grant break_glass refuses as roles_unavailable, never a grant', () => {
    const lookupFailed = who('U0LEAD2', [], [{ usergroup: 'S0LEADS', roles: ['lead'], error: 'ratelimited' }]);
    expect(decideBreakGlass(policy, lookupFailed, 'delete-peer', incident, longEnough)).toMatchObject({ allowed: false, reason: 'roles_unavailable' });
  });
});

describe('mayReview: who reviews a break-glass use', () => {
  const policy = parsePolicy(
    `${ruleTestRoles}  delete-peer: { request: [oncall], approvals: 1, approve: [approver], break_glass: [lead], escalate: { after: 1m, to: [oncall] } }\n`,
    'p',
  );
  const use = { operation: 'delete-peer' as const, requesterId: 'U0LEAD1', breakGlass: true, waitedMs: 3_600_000 };

  it('an approver of the action may', () => {
    expect(mayReview(policy, who('U0APPROVE1', ['approver']), use)).toEqual({ allowed: true });
  });

  it('an admin may, even once the policy no longer has the action: no use is left that nobody could review', () => {
    const withoutIt = parsePolicy(`${ruleTestRoles}  revoke-grant: { request: [oncall], approvals: 1, approve: [approver] }\n`, 'p');
    expect(mayReview(withoutIt, who('U0ADMIN1', ['admin']), use)).toEqual({ allowed: true });
    expect(mayReview(withoutIt, who('U0APPROVE1', ['approver']), use)).toMatchObject({ allowed: false, reason: 'action_not_in_policy' });
    expect(mayReview(withoutIt, who('U0LEAD1', ['admin']), use)).toMatchObject({ allowed: false, reason: 'own_break_glass' });
  });

  it.each<[string, Parameters<typeof mayReview>, string]>([
    ['the one who broke glass, whatever roles they hold', [policy, who('U0LEAD1', ['lead', 'approver']), use], 'own_break_glass'],
    ['a holder of an escalation role only: nothing waited', [policy, who('U0ONCALL1', ['oncall']), use], 'no_role'],
    ['anyone, on a request that was no break-glass use', [policy, who('U0APPROVE1', ['approver']), { ...use, breakGlass: false }], 'not_break_glass'],
  ])('refuses %s', (_name, args, reason) => {
    expect(mayReview(...args)).toMatchObject({ allowed: false, reason });
  });
});
