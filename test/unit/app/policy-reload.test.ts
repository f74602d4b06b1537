import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPolicyFile, policyChanges, type PolicyReload, watchPolicy } from '../../../src/app/policy-reload';
import { createLogger } from '../../../src/lib/logger';
import { parsePolicy } from '../../../src/policy/load';
import type { Policy } from '../../../src/policy/schema';

const base = `
roles:
  oncall: { users: [U0A, U0B], usergroups: [S0ONCALL1] }
  approver: { users: [U0C] }
channels: [C0INCIDENT1]
actions:
  revoke-access: { request: [oncall], approvals: 0 }
  revoke-grant: { request: [oncall], approvals: 1, approve: [approver] }
`;

const policy = (text: string): Policy => parsePolicy(text, 'policy.yml');

describe('policyChanges: what a reload changed, for the log', () => {
  it('says nothing changed for the same policy, members in another order included', () => {
    expect(policyChanges(policy(base), policy(base))).toEqual([]);
    expect(policyChanges(policy(base), policy(base.replace('[U0A, U0B]', '[U0B, U0A]')))).toEqual([]);
  });

  it('names the members each role gained and lost, with its counts now', () => {
    const after = policy(base.replace('users: [U0A, U0B], usergroups: [S0ONCALL1]', 'users: [U0A, U0D]'));
    expect(policyChanges(policy(base), after)).toEqual(['role oncall: added U0D; removed U0B, S0ONCALL1; now 2 users, 0 user groups']);
  });

  it('names roles added and removed', () => {
    const after = policy(
      base.replace('  approver: { users: [U0C] }', '  approvers: { users: [U0C, U0E] }').replace('approve: [approver]', 'approve: [approvers]'),
    );
    expect(policyChanges(policy(base), after)).toEqual([
      'role approvers added: 2 users, 0 user groups',
      'role approver removed',
      'action revoke-grant changed',
    ]);
  });

  it('names who may break glass, before and after, apart from any other change of the action', () => {
    const grant = '  revoke-grant: { request: [oncall], approvals: 1, approve: [approver] }';
    const breaking = policy(base.replace(grant, '  revoke-grant: { request: [oncall], approvals: 1, approve: [approver], break_glass: [oncall] }'));
    expect(policyChanges(policy(base), breaking)).toEqual(['action revoke-grant: break_glass nobody → oncall']);
    const alsoExpiring = policy(base.replace(grant, '  revoke-grant: { request: [oncall], approvals: 1, approve: [approver], expires: 5m, break_glass: [oncall] }'));
    expect(policyChanges(breaking, policy(base))).toEqual(['action revoke-grant: break_glass oncall → nobody']);
    expect(policyChanges(policy(base), alsoExpiring)).toEqual(['action revoke-grant: break_glass nobody → oncall', 'action revoke-grant changed']);
  });

  it('names actions enabled, removed and changed, channels and reveal_password', () => {
    const after = policy(`
roles:
  oncall: { users: [U0A, U0B], usergroups: [S0ONCALL1] }
  approver: { users: [U0C] }
actions:
  revoke-access: { request: [oncall], approvals: 0, reason: required }
  delete-peer: { request: [oncall], approvals: 0 }
reveal_password: requester
`);
    expect(policyChanges(policy(base), after)).toEqual([
      'action revoke-access changed',
      'action delete-peer enabled',
      'action revoke-grant removed: refused to everyone',
      'channels changed',
      'reveal_password: never → requester',
    ]);
  });

  it('names the audit channel set, moved and removed, and aliases changed', () => {
    const audited = policy(`${base}audit_channel: C0AUDIT01\n`);
    expect(policyChanges(policy(base), audited)).toEqual(['audit_channel: none → C0AUDIT01']);
    expect(policyChanges(audited, policy(`${base}audit_channel: C0AUDIT02\n`))).toEqual(['audit_channel: C0AUDIT01 → C0AUDIT02']);
    expect(policyChanges(audited, policy(base))).toEqual(['audit_channel: C0AUDIT01 → none']);
    expect(policyChanges(policy(base), policy(`${base}aliases: { sites: { cpt-edge: d290f1ee-6c54-4b01-90e6-d701748f0851 } }\n`))).toEqual([
      'aliases changed',
    ]);
  });
});

describe('watchPolicy', () => {
  // These tests reload by hand: the watch would read each change only after they are done.
  const watchedTooLate = 60_000;
  let dir: string;
  let file: string;
  let lines: Record<string, unknown>[];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-reload-'));
    file = path.join(dir, 'policy.yml');
    fs.writeFileSync(file, base);
    lines = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies a valid file and counts it; leaves a bad one unapplied and counts that; logs warnings as at start', async () => {
    const applied: Policy[] = [];
    const results: PolicyReload['result'][] = [];
    const reloader = watchPolicy(loadPolicyFile(file, logger), {
      logger,
      apply: (next) => applied.push(next),
      onReload: (reload) => results.push(reload.result),
      debounceMs: watchedTooLate,
    });
    try {
      // Only user groups could give revoke-grant a second approver: valid, with a warning.
      fs.writeFileSync(file, base.replace('approvals: 1', 'approvals: 2').replace('users: [U0C]', 'users: [U0C], usergroups: [S0APPROVERS]'));
      expect(await reloader.reload()).toEqual({
        result: 'applied',
        changes: ['role approver: added S0APPROVERS; now 1 user, 1 user group', 'action revoke-grant changed'],
      });
      expect(applied.map((next) => next.actions['revoke-grant']?.approvals)).toEqual([2]);
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'policy warning', warning: expect.stringContaining('(line 8)') }));

      fs.writeFileSync(file, 'roles: {}\nactions: {}\nextra: 1\n');
      expect(await reloader.reload()).toEqual({
        result: 'rejected',
        problems: ['extra: unknown key; allowed here: roles, channels, actions, reveal_password, aliases, audit_channel (line 3)'],
      });
      expect(applied).toHaveLength(1);
      expect(results).toEqual(['applied', 'rejected']);
    } finally {
      reloader.close();
    }
  });

  it('reports changes against the policy in force, not against a rejected file', async () => {
    const reloader = watchPolicy(loadPolicyFile(file, logger), { logger, apply: () => undefined, debounceMs: watchedTooLate });
    try {
      fs.writeFileSync(file, 'not: [valid');
      expect(await reloader.reload()).toMatchObject({ result: 'rejected' });
      fs.writeFileSync(file, base.replace('[U0A, U0B]', '[U0A]'));
      expect(await reloader.reload()).toEqual({ result: 'applied', changes: ['role oncall: removed U0B; now 1 user, 1 user group'] });
    } finally {
      reloader.close();
    }
  });
});
