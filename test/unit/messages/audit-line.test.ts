import { auditLine } from '../../../src/messages/audit-line';
import type { RequestRecord, RequestStatus } from '../../../src/model/request';
import { finished, revoked, session, site } from './fixtures';

// The audit channel's lines (PRODUCT.md §10): one short line per event, nothing secret, nothing unescaped.

const approvedBy = (request: RequestRecord, ...userIds: string[]): RequestRecord => ({
  ...request,
  approvalsRequired: userIds.length,
  approvals: userIds.map((userId) => ({ userId, at: new Date(0) })),
});

describe('a finished request', () => {
  const request = approvedBy(finished('succeeded', [revoked(session(1)), revoked(session(2))]), 'U0APPROVER1', 'U0APPROVER2');
  const line = (status: RequestStatus, record: RequestRecord = { ...request, status }) => auditLine({ kind: 'finished', request: record, status }).summary;

  test.each([
    ['succeeded', '✅', 'succeeded'],
    ['failed', '❌', 'failed'],
    ['partially_failed', '⚠️', 'partially failed'],
    ['outcome_unknown', '⚠️', 'outcome unknown'],
  ] as const)('%s: the outcome, the targets, who asked and who approved', (status, icon, words) => {
    expect(line(status)).toBe(
      `${icon} \`R-TEST01\` revoke-access ${words}: 2 sessions on site \`${site}\`, requested by <@U0ONCALL1>, approved by <@U0APPROVER1>, <@U0APPROVER2>`,
    );
  });

  test('denied, cancelled (by twokey too) and expired say who ended it, or how far it got', () => {
    expect(line('denied', { ...request, status: 'denied', closedBy: 'U0APPROVER1' })).toMatch(/^⛔ .* denied: .*, denied by <@U0APPROVER1>$/);
    expect(line('cancelled', { ...request, status: 'cancelled', closedBy: 'twokey' })).toMatch(/^🚫 .* cancelled: .*, cancelled by twokey$/);
    expect(line('expired', { ...request, status: 'expired', approvals: request.approvals.slice(1) })).toMatch(/^⌛ .* expired: .*, 1 of 2 approvals$/);
  });

  test('never the reason, nor what the vendor answered', () => {
    const told = line('failed', {
      ...request,
      reason: 'laptop of <!channel> stolen',
      results: [{ targetId: session(1), status: 'failed', idempotent: true, error: { vendor: 'altostrat', kind: 'http', status: 403, message: 'secret-ish vendor text', retryable: false, outcome: 'failed' } }],
    });
    expect(told).not.toContain('laptop');
    expect(told).not.toContain('vendor text');
  });

  test('the line is the whole message', () => {
    const message = auditLine({ kind: 'finished', request, status: 'succeeded' });
    expect(message).toEqual({ summary: message.summary, tone: 'success', body: [message.summary] });
  });
});

test('a refusal: who, what and the named reason; a command refused before it had an operation, without one', () => {
  expect(auditLine({ kind: 'refused', attempt: { actorId: 'U0X', operation: 'delete-peer', requestId: 'R-ABCDEF', reason: 'no_role' } }).summary).toBe(
    '⛔ Refused <@U0X> delete-peer `R-ABCDEF`: `no_role`',
  );
  expect(auditLine({ kind: 'refused', attempt: { actorId: 'U0X', reason: 'wrong_channel' } }).summary).toBe('⛔ Refused <@U0X>: `wrong_channel`');
});

describe('a policy reload', () => {
  test('applied: its changes, the first three and how many more', () => {
    const changes = ['role oncall: added U0A; now 2 users, 0 user groups', 'role <b> added: 1 user', 'channels changed', 'aliases changed', 'action delete-peer changed'];
    expect(auditLine({ kind: 'reloaded', reload: { result: 'applied', changes } }).summary).toBe(
      '🔄 Policy reloaded: role oncall: added U0A; now 2 users, 0 user groups; role &lt;b&gt; added: 1 user; channels changed; and 2 more',
    );
    expect(auditLine({ kind: 'reloaded', reload: { result: 'applied', changes: [] } }).summary).toBe('🔄 Policy reloaded: no changes');
  });

  test('rejected: how many problems and the first, escaped and cut short', () => {
    const problems = [`audit_channel: expected a channel ID, got "<#C0A>" ${'x'.repeat(400)}`, 'second'];
    const line = auditLine({ kind: 'reloaded', reload: { result: 'rejected', problems } }).summary;
    expect(line.startsWith('⚠️ Policy not reloaded (2 problems); the policy in force stays. First: audit_channel: expected a channel ID, got "&lt;#C0A&gt;" x')).toBe(true);
    expect(line.endsWith('x…')).toBe(true);
    expect(line.length).toBeLessThan(400);
  });
});
