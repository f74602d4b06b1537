import type { AuditEntry } from '../../../src/model/audit';
import type { RequestRecord } from '../../../src/model/request';
import type { Home } from '../../../src/requests/home';
import { cardActionPattern, homeView } from '../../../src/slack/home';
import { homeViewProblems } from '../../support/fake-slack';
import { buttonsOf } from '../../support/signing';

const now = new Date('2026-12-01T10:00:00Z');

function request(n: number, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: `R-${String(n).padStart(6, '0')}`,
    operation: 'revoke-grant',
    requesterId: 'U0ONCALL1',
    channelId: 'C0INCIDENT1',
    parentId: 'org_xyz789',
    targetIds: Array.from({ length: 50 }, (_, i) => `agrant_${i}`),
    reason: 'r'.repeat(500),
    approvalsRequired: 2,
    status: 'pending',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 15 * 60_000),
    approvals: [],
    ...overrides,
  };
}

function entry(n: number): AuditEntry {
  return { id: n, at: now, event: 'refused', actorId: 'U0STRANGER1', targets: [], outcome: 'no_role', detail: 'd'.repeat(2000) };
}

const empty: Home = { userId: 'U0STRANGER1', at: now, waiting: [], toReview: [], own: [], audit: { scope: 'own', entries: [] } };

describe('the App Home view', () => {
  test('a full home stays within Slack limits, says how many it leaves out, and its buttons are valid', () => {
    const home: Home = {
      userId: 'U0ADMIN1',
      at: now,
      waiting: Array.from({ length: 30 }, (_, i) => request(i)),
      toReview: Array.from({ length: 8 }, (_, i) => request(200 + i, { breakGlass: true, status: 'succeeded' })),
      own: Array.from({ length: 25 }, (_, i) => request(100 + i, { requesterId: 'U0ADMIN1' })),
      audit: { scope: 'everywhere', entries: Array.from({ length: 10 }, (_, i) => entry(i)) },
    };
    const view = homeView(home);
    expect(homeViewProblems(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('10 more not shown');
    expect(text).toContain('5 more not shown');
    expect(text).toContain('3 more not shown: `/twokey audit` lists them all.');
    expect(text).toContain('you are an admin');
  });

  test('an empty home says so in each section', () => {
    const text = JSON.stringify(homeView(empty).blocks);
    expect(text).toContain('Nothing waits for your approval.');
    expect(text).toContain('You have no open requests.');
    expect(text).toContain('No audit entries yet.');
    expect(text).toContain('only admins see everyone');
    expect(text).not.toContain('Break-glass');
  });

  test('break-glass uses to review come first, each with its Review button', () => {
    const view = homeView({ ...empty, toReview: [request(7, { breakGlass: true, status: 'succeeded' })], waiting: [request(3)] });
    expect(homeViewProblems(view)).toEqual([]);
    expect(JSON.stringify(view.blocks[0])).toContain('Break-glass uses to review (1)');
    const ids = buttonsOf(view.blocks as unknown as Record<string, unknown>[]).map(({ button }) => String(button.action_id));
    expect(ids).toEqual(['twokey_review.R-000007', 'twokey_approve.R-000003', 'twokey_deny.R-000003']);
  });

  test("only a pending own request offers Cancel, and every button's action_id is the card's, for the same listener", () => {
    const view = homeView({ ...empty, own: [request(1), request(2, { status: 'approved' })], waiting: [request(3)] });
    const ids = buttonsOf(view.blocks as unknown as Record<string, unknown>[]).map(({ button }) => `${String(button.action_id)}=${String(button.value)}`);
    expect(ids).toEqual([
      'twokey_approve.R-000003=R-000003',
      'twokey_deny.R-000003=R-000003',
      'twokey_cancel.R-000001=R-000001',
    ]);
    expect(cardActionPattern('twokey_approve').test('twokey_approve')).toBe(true);
    expect(cardActionPattern('twokey_approve').test('twokey_approve.R-000003')).toBe(true);
    expect(cardActionPattern('twokey_approve').test('twokey_approved')).toBe(false);
  });
});
