import {
  channelAllowed,
  decideApproval,
  decideExecution,
  decideRequest,
  describeUser,
  mayCancel,
  mayClickHere,
  mayDeny,
  mayReadAudit,
  parsePolicy,
  type ApprovalDecision,
  type ApprovalRef,
  type ChannelRef,
  type DenyDecision,
  type ExecutionDecision,
  type RequestDecision,
  type RequestRef,
  type Policy,
  type ResolvedRoles,
} from '../../../src/policy';
import type { OperationName } from '../../../src/operations/catalog';
import { examplePolicy, who } from './fixtures';

const policy = examplePolicy();
// The same roles, with revoke-grant left out and requests allowed anywhere.
const partialPolicy = parsePolicy(
  `roles:
  oncall: { users: [U0ONCALL1] }
  approver: { users: [U0APPROVE1] }
actions:
  delete-peer: { request: [oncall], approvals: 1, approve: [approver] }
`,
  'partial policy',
);

const incident: ChannelRef = { id: 'C0INCIDENT1', name: 'incident' };
const random: ChannelRef = { id: 'C0RANDOM1', name: 'random' };
const oncallGroupDown = { usergroup: 'S0ONCALL1', roles: ['oncall'], error: 'missing_scope' };
const approverGroupDown = { usergroup: 'S0APPROVERS', roles: ['approver'], error: 'fatal_error' };

describe('channelAllowed', () => {
  const withChannels = (channels: string) => parsePolicy(`roles: {}\nchannels: ${channels}\nactions: {}\n`, 'p');

  it.each<[string, string, ChannelRef, boolean]>([
    ['an ID matches exactly', '[C0INCIDENT1]', { id: 'C0INCIDENT1' }, true],
    ['a private channel ID matches exactly', '[G0PRIVATE1]', { id: 'G0PRIVATE1', name: 'secret' }, true],
    ['an ID does not match another channel', '[C0INCIDENT1]', { id: 'C0INCIDENT2', name: 'incident' }, false],
    ['an ID is not compared with names', '[C0INCIDENT1]', { id: 'C0OTHER1', name: 'C0INCIDENT1' }, false],
    ['* matches any run of characters', '["inc-*"]', { id: 'C1', name: 'inc-2024-db-outage' }, true],
    ['* matches nothing too', '["inc-*"]', { id: 'C1', name: 'inc-' }, true],
    ['a glob matches the whole name', '["inc-*"]', { id: 'C1', name: 'my-inc-1' }, false],
    ['a glob is not a prefix match', '["inc"]', { id: 'C1', name: 'incident' }, false],
    ['? matches one character', '["ops-?"]', { id: 'C1', name: 'ops-1' }, true],
    ['? matches exactly one character', '["ops-?"]', { id: 'C1', name: 'ops-12' }, false],
    ['a glob needs the name', '["inc-*"]', { id: 'C1' }, false],
    ['any rule may match', '[C0INCIDENT1, "inc-*", "war-room"]', { id: 'C9', name: 'war-room' }, true],
  ])('%s', (_name, channels, channel, allowed) => {
    expect(channelAllowed(withChannels(channels), channel)).toBe(allowed);
  });

  it('allows any channel when the policy has no channels key', () => {
    expect(channelAllowed(partialPolicy, { id: 'D0DIRECT1' })).toBe(true);
  });
});

describe('decideRequest', () => {
  const cases: [string, Policy, ResolvedRoles, OperationName, ChannelRef, RequestDecision][] = [
    [
      'a role in request, in an allowed channel',
      policy,
      who('U0ONCALL1', ['oncall']),
      'delete-peer',
      incident,
      { allowed: true, rule: policy.actions['delete-peer']! },
    ],
    [
      'a channel that matches a name glob',
      policy,
      who('U0ADMIN1', ['admin']),
      'revoke-access',
      { id: 'C0NEW1', name: 'inc-db' },
      { allowed: true, rule: policy.actions['revoke-access']! },
    ],
    [
      'a direct role despite a failed group lookup',
      policy,
      who('U0ADMIN1', ['admin'], [oncallGroupDown]),
      'revoke-grant',
      incident,
      { allowed: true, rule: policy.actions['revoke-grant']! },
    ],
    [
      'any channel when the policy names none',
      partialPolicy,
      who('U0ONCALL1', ['oncall']),
      'delete-peer',
      random,
      { allowed: true, rule: partialPolicy.actions['delete-peer']! },
    ],
    [
      'an operation the policy leaves out',
      partialPolicy,
      who('U0ONCALL1', ['oncall']),
      'revoke-grant',
      incident,
      {
        allowed: false,
        reason: 'action_not_in_policy',
        message: 'revoke-grant is not enabled in the twokey policy, so nobody may use it.',
      },
    ],
    [
      'a channel the policy does not allow',
      policy,
      who('U0ONCALL1', ['oncall']),
      'delete-peer',
      random,
      {
        allowed: false,
        reason: 'channel_not_allowed',
        message:
          'delete-peer may not be requested in this channel; the policy allows requests only in channel C0INCIDENT1 or channels named inc-*.',
      },
    ],
    [
      'a user without a requesting role',
      policy,
      who('U0APPROVE1', ['approver']),
      'delete-peer',
      incident,
      {
        allowed: false,
        reason: 'no_role',
        message: 'You may not request delete-peer: that needs one of the roles oncall, admin, and you hold none of them.',
      },
    ],
    [
      'an unknown user',
      policy,
      who('U0STRANGER'),
      'revoke-access',
      incident,
      {
        allowed: false,
        reason: 'no_role',
        message: 'You may not request revoke-access: that needs one of the roles oncall, admin, and you hold none of them.',
      },
    ],
    [
      'no role, and the group that could grant one could not be looked up',
      policy,
      who('U0ONCALL2', [], [oncallGroupDown]),
      'delete-peer',
      incident,
      {
        allowed: false,
        reason: 'roles_unavailable',
        message:
          'twokey could not look up user group S0ONCALL1 (Slack said: missing_scope), so it cannot confirm your roles to request delete-peer; try again in a moment, or ask an admin if it keeps failing.',
      },
    ],
    [
      'no role, and several groups that could grant one could not be looked up',
      policy,
      who('U0ONCALL2', [], [oncallGroupDown, { ...oncallGroupDown, usergroup: 'S0ADMINS', roles: ['admin'] }]),
      'revoke-grant',
      incident,
      {
        allowed: false,
        reason: 'roles_unavailable',
        message:
          'twokey could not look up user groups S0ONCALL1 (Slack said: missing_scope), S0ADMINS (Slack said: missing_scope), so it cannot confirm your roles to request revoke-grant; try again in a moment, or ask an admin if it keeps failing.',
      },
    ],
    [
      'no role, and only a group granting an unrelated role failed',
      policy,
      who('U0ONCALL2', [], [approverGroupDown]),
      'delete-peer',
      incident,
      {
        allowed: false,
        reason: 'no_role',
        message: 'You may not request delete-peer: that needs one of the roles oncall, admin, and you hold none of them.',
      },
    ],
  ];

  it.each(cases)('%s', (_name, rules, user, operation, channel, decision) => {
    expect(decideRequest(rules, user, operation, channel)).toEqual(decision);
  });
});

describe('decideApproval', () => {
  const request: ApprovalRef = { operation: 'rotate-credentials', requesterId: 'U0ONCALL1', approverIds: [] };

  const cases: [string, Policy, ResolvedRoles, ApprovalRef, ApprovalDecision][] = [
    ['a role in approve, first approval', policy, who('U0APPROVE1', ['approver']), request, { counts: true }],
    [
      'a second approver after a first',
      policy,
      who('U0APPROVE2', ['approver']),
      { ...request, operation: 'delete-peer', approverIds: ['U0APPROVE1'] },
      { counts: true },
    ],
    [
      'the requester, even holding an approve role',
      policy,
      who('U0ADMIN1', ['admin', 'oncall']),
      { ...request, requesterId: 'U0ADMIN1' },
      { counts: false, reason: 'own_request', message: 'You cannot approve your own request: a second person must.' },
    ],
    [
      'the requester without an approve role',
      policy,
      who('U0ONCALL1', ['oncall']),
      request,
      { counts: false, reason: 'own_request', message: 'You cannot approve your own request: a second person must.' },
    ],
    [
      'an approver clicking twice',
      policy,
      who('U0APPROVE1', ['approver']),
      { ...request, approverIds: ['U0APPROVE1'] },
      {
        counts: false,
        reason: 'already_approved',
        message: 'You have already approved this request; another approver is needed.',
      },
    ],
    [
      'a user without an approve role',
      policy,
      who('U0ONCALL2', ['oncall']),
      request,
      {
        counts: false,
        reason: 'no_role',
        message:
          'You may not approve rotate-credentials requests: that needs one of the roles approver, admin, and you hold none of them.',
      },
    ],
    [
      'no approve role, and the group that could grant one could not be looked up',
      policy,
      who('U0APPROVE3', [], [approverGroupDown]),
      request,
      {
        counts: false,
        reason: 'roles_unavailable',
        message:
          'twokey could not look up user group S0APPROVERS (Slack said: fatal_error), so it cannot confirm your roles to approve rotate-credentials requests; try again in a moment, or ask an admin if it keeps failing.',
      },
    ],
    [
      'an operation the policy leaves out',
      partialPolicy,
      who('U0APPROVE1', ['approver']),
      request,
      {
        counts: false,
        reason: 'action_not_in_policy',
        message: 'rotate-credentials is not enabled in the twokey policy, so nobody may use it.',
      },
    ],
  ];

  it.each(cases)('%s', (_name, rules, user, approval, decision) => {
    expect(decideApproval(rules, user, approval)).toEqual(decision);
  });
});

describe('mayDeny', () => {
  const request: RequestRef = { operation: 'delete-peer', requesterId: 'U0ONCALL1' };

  const cases: [string, Policy, ResolvedRoles, DenyDecision][] = [
    ['anyone who could approve', policy, who('U0APPROVE1', ['approver']), { allowed: true }],
    [
      'the requester',
      policy,
      who('U0ONCALL1', ['oncall', 'admin']),
      { allowed: false, reason: 'own_request', message: 'You cannot deny your own request; cancel it instead.' },
    ],
    [
      // Not oncall: the example escalates delete-peer to oncall, whom the escalation tests cover.
      'a user without an approve role',
      policy,
      who('U0STRANGER1'),
      {
        allowed: false,
        reason: 'no_role',
        message: 'You may not deny delete-peer requests: that needs one of the roles approver, admin, and you hold none of them.',
      },
    ],
    [
      'no approve role, and a group lookup failed',
      policy,
      who('U0APPROVE3', [], [approverGroupDown]),
      {
        allowed: false,
        reason: 'roles_unavailable',
        message:
          'twokey could not look up user group S0APPROVERS (Slack said: fatal_error), so it cannot confirm your roles to deny delete-peer requests; try again in a moment, or ask an admin if it keeps failing.',
      },
    ],
    [
      'an operation the policy leaves out',
      parsePolicy('roles: {}\nactions: {}\n', 'p'),
      who('U0APPROVE1', ['approver']),
      {
        allowed: false,
        reason: 'action_not_in_policy',
        message: 'delete-peer is not enabled in the twokey policy, so nobody may use it.',
      },
    ],
  ];

  it.each(cases)('%s', (_name, rules, user, decision) => {
    expect(mayDeny(rules, user, request)).toEqual(decision);
  });

  it('says that a rule without approve roles lets nobody approve or deny', () => {
    const noApproval = parsePolicy(
      'roles:\n  oncall: { users: [U0ONCALL1] }\nactions:\n  revoke-access: { request: [oncall], approvals: 0 }\n',
      'p',
    );
    const requester = { operation: 'revoke-access' as const, requesterId: 'U0ONCALL1' };
    expect(mayDeny(noApproval, who('U0ONCALL2', ['oncall']), requester)).toEqual({
      allowed: false,
      reason: 'no_role',
      message: 'You may not deny revoke-access requests: the policy names no role that may.',
    });
  });
});

describe('mayCancel', () => {
  const request = { requesterId: 'U0ONCALL1' };

  it.each<[string, ResolvedRoles, boolean]>([
    ['the requester, whatever their roles', who('U0ONCALL1'), true],
    ['an admin', who('U0ADMIN1', ['admin']), true],
    ['an approver who is not the requester', who('U0APPROVE1', ['approver']), false],
    ['someone with no role', who('U0STRANGER1'), false],
  ])('%s', (_name, user, allowed) => {
    const decision = mayCancel(user, request);
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) {
      expect(decision).toEqual({ allowed: false, reason: 'not_requester', message: 'Only the requester or an admin may cancel a request.' });
    }
  });
});

describe('mayReadAudit', () => {
  it('lets an admin read every channel, anyone else with a role this channel, and nobody else anything', () => {
    expect(mayReadAudit(who('U0ADMIN1', ['admin', 'oncall']))).toEqual({ allowed: true, scope: 'everywhere' });
    expect(mayReadAudit(who('U0ONCALL1', ['oncall']))).toEqual({ allowed: true, scope: 'channel' });
    expect(mayReadAudit(who('U0STRANGER1'))).toEqual({
      allowed: false,
      reason: 'no_role',
      message: 'Only people who hold a twokey role may read the audit log.',
    });
  });
});

describe('mayClickHere', () => {
  const request = { channelId: 'C0INCIDENT1' };

  it('counts a click from the card’s own channel, or from no channel at all', () => {
    expect(mayClickHere(request, 'C0INCIDENT1')).toEqual({ allowed: true });
    expect(mayClickHere(request, undefined)).toEqual({ allowed: true });
  });

  it('refuses a click that carries another channel, naming the card’s', () => {
    const decision = mayClickHere(request, 'C0ELSEWHERE1');
    expect(decision).toMatchObject({ allowed: false, reason: 'wrong_channel' });
    expect(!decision.allowed && decision.message).toContain('C0INCIDENT1');
  });
});

describe('decideExecution', () => {
  const request: RequestRef = { operation: 'delete-peer', requesterId: 'U0ONCALL1' };
  const requester = who('U0ONCALL1', ['oncall']);
  const approvers = [who('U0APPROVE1', ['approver']), who('U0ADMIN1', ['admin'])];

  it('allows a request whose requester and approvers all still hold their roles', () => {
    expect(decideExecution(policy, request, requester, approvers)).toEqual({ allowed: true });
  });

  it.each<[string, ResolvedRoles, ResolvedRoles[], ExecutionDecision]>([
    [
      'a requester who lost the requesting role',
      who('U0ONCALL1'),
      approvers,
      {
        allowed: false,
        reason: 'requester_lost_role',
        message: 'U0ONCALL1 no longer holds a role that may request delete-peer (oncall, admin).',
      },
    ],
    [
      'an approver who lost the approving role',
      requester,
      [approvers[0], who('U0APPROVE2', ['oncall'])],
      {
        allowed: false,
        reason: 'approver_lost_role',
        message: 'U0APPROVE2 no longer holds a role that may approve delete-peer requests (approver, admin).',
      },
    ],
    [
      'an approver whose group could not be looked up',
      requester,
      [who('U0APPROVE3', [], [approverGroupDown])],
      {
        allowed: false,
        reason: 'roles_unavailable',
        message: 'twokey could not confirm that U0APPROVE3 still holds a role that may approve delete-peer requests: a user-group lookup failed.',
      },
    ],
  ])('refuses %s', (_name, requesterNow, approversNow, decision) => {
    expect(decideExecution(policy, request, requesterNow, approversNow)).toEqual(decision);
  });

  it('refuses an operation the policy no longer has', () => {
    const decision = decideExecution(parsePolicy('roles: {}\nactions: {}\n', 'p'), request, requester, approvers);
    expect(decision).toMatchObject({ allowed: false, reason: 'action_not_in_policy' });
  });
});

describe('describeUser', () => {
  const user = who('U0BOTH1', { oncall: ['S0ONCALL1'], approver: ['user', 'S0SRE1'] }, [approverGroupDown]);

  it('lists roles with how they were granted, and the unresolved groups', () => {
    const description = describeUser(policy, user, incident);
    expect(description.userId).toBe('U0BOTH1');
    expect(description.roles).toEqual([
      { role: 'oncall', grantedBy: ['S0ONCALL1'] },
      { role: 'approver', grantedBy: ['user', 'S0SRE1'] },
    ]);
    expect(description.unresolved).toEqual([approverGroupDown]);
  });

  it('tells per operation, in catalog order, what the user may request and approve here', () => {
    const description = describeUser(policy, user, incident);
    expect(description.channel).toEqual({ allowed: true, rules: ['C0INCIDENT1', 'inc-*'] });
    expect(
      description.operations.map(({ operation, rule, request, mayApprove }) => [
        operation,
        rule?.approvals,
        rule?.approve,
        request.allowed,
        mayApprove,
      ]),
    ).toEqual([
      ['revoke-access', 0, [], true, false],
      ['rotate-credentials', 1, ['approver', 'admin'], true, true],
      ['delete-peer', 2, ['approver', 'admin'], true, true],
      ['revoke-grant', 1, ['approver', 'admin'], true, true],
    ]);
  });

  it('explains refusals in a channel the policy does not allow, and for operations it leaves out', () => {
    const elsewhere = describeUser(policy, user, random);
    expect(elsewhere.channel).toEqual({ allowed: false, rules: ['C0INCIDENT1', 'inc-*'] });
    expect(elsewhere.operations.map(({ request }) => (request.allowed ? 'allowed' : request.reason))).toEqual(
      Array(4).fill('channel_not_allowed'),
    );

    const partial = describeUser(partialPolicy, who('U0APPROVE1', ['approver']), random);
    expect(partial.channel).toEqual({ allowed: true, rules: undefined });
    const summary = partial.operations.map(({ operation, rule, request, mayApprove }) => [
      operation,
      rule === undefined,
      request.allowed ? 'allowed' : request.reason,
      mayApprove,
    ]);
    expect(summary).toEqual([
      ['revoke-access', true, 'action_not_in_policy', false],
      ['rotate-credentials', true, 'action_not_in_policy', false],
      ['delete-peer', false, 'no_role', true],
      ['revoke-grant', true, 'action_not_in_policy', false],
    ]);
  });
});

describe('user groups Slack does not know', () => {
  const oncallGroupUnknown = { usergroup: 'S0ONCALL1', roles: ['oncall'], error: 'no such group', unknown: true as const };

  it('refuse as a mistake in the policy to fix, not a lookup to try again', () => {
    expect(decideRequest(policy, who('U0ONCALL2', [], [oncallGroupUnknown]), 'delete-peer', incident)).toEqual({
      allowed: false,
      reason: 'unknown_usergroup',
      message:
        'The user group S0ONCALL1 named in the policy does not exist in Slack, so no one is given a role through it to request delete-peer; ask an admin to fix the policy.',
    });
    const twoUnknown = [oncallGroupUnknown, { ...oncallGroupUnknown, usergroup: 'S0ADMINS', roles: ['admin'] }];
    const refusal = decideRequest(policy, who('U0ONCALL2', [], twoUnknown), 'delete-peer', incident);
    expect(refusal).toMatchObject({ reason: 'unknown_usergroup' });
    expect(!refusal.allowed && refusal.message).toMatch(
      /^The user groups S0ONCALL1, S0ADMINS named in the policy do not exist in Slack, so no one is given a role through them/,
    );
  });

  it('leave "try again" to a group whose lookup failed meanwhile, which might still grant the role', () => {
    const both = [oncallGroupUnknown, { ...oncallGroupDown, usergroup: 'S0ADMINS', roles: ['admin'] }];
    expect(decideRequest(policy, who('U0ONCALL2', [], both), 'delete-peer', incident)).toMatchObject({ reason: 'roles_unavailable' });
  });

  it('refuse approvers too, and no one who holds the role some other way', () => {
    expect(decideRequest(policy, who('U0ONCALL1', ['oncall'], [oncallGroupUnknown]), 'delete-peer', incident)).toMatchObject({ allowed: true });
    const approver = who('U0APPROVE3', [], [{ ...oncallGroupUnknown, usergroup: 'S0APPROVERS', roles: ['approver'] }]);
    const approval = decideApproval(policy, approver, { operation: 'delete-peer', requesterId: 'U0ONCALL1', approverIds: [] });
    expect(approval).toMatchObject({ counts: false, reason: 'unknown_usergroup' });
  });
});
