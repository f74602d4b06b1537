import { escalationDm, escalationNote, reminderDm, reminderNote } from '../../../src/messages/reminders';
import { whoamiMessage } from '../../../src/messages/whoami';
import type { Messenger } from '../../../src/model/ports';
import type { RequestRecord } from '../../../src/model/request';
import { describeUser } from '../../../src/policy';
import { examplePolicy, who } from '../policy/fixtures';

// How reminders and escalations read (PRODUCT.md §10), and how `/twokey whoami` shows the rule.

const waiting: RequestRecord = {
  id: 'R-TEST01',
  operation: 'delete-peer',
  requesterId: 'U0ONCALL1',
  channelId: 'C0INCIDENT1',
  parentId: 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d',
  targetIds: ['550e8400-e29b-41d4-a716-446655440000'],
  reason: 'lost laptop',
  approvalsRequired: 2,
  status: 'pending',
  createdAt: new Date(0),
  expiresAt: new Date(15 * 60_000),
  approvals: [{ userId: 'U0APPROVE1', at: new Date(60_000) }],
  card: { channelId: 'C0INCIDENT1', messageId: '1700000000.000100' },
};

const messenger = { permalink: () => 'https://example.slack.com/archives/C0INCIDENT1/p1700000000000100' } as unknown as Messenger;

describe('reminders and escalation notes', () => {
  test('a reminder in the thread names users and user groups, and how much is left', () => {
    const note = reminderNote(waiting, { userIds: ['U0APPROVE2'], usergroupIds: ['S0APPROVERS'] }, new Date(5 * 60_000));
    expect(note.body).toEqual([
      '🔔 `R-TEST01` is still waiting for 1 more approval (1 of 2); it expires in 10 minutes. <!subteam^S0APPROVERS>, <@U0APPROVE2>: you can approve or deny it on the card.',
    ]);
  });

  test('a reminder with nobody to name says so rather than naming nobody', () => {
    expect(reminderNote(waiting, { userIds: [], usergroupIds: [] }, new Date(5 * 60_000)).body?.[0]).toContain(
      'Nobody listed in the policy can approve it now.',
    );
  });

  test('an escalation says after how long, and who may now approve', () => {
    expect(escalationNote(waiting, { userIds: ['U0LEAD1'], usergroupIds: [] }, 10 * 60_000).body).toEqual([
      '⏫ Escalated: `R-TEST01` has waited 10 minutes, so <@U0LEAD1> may now approve or deny it too.',
    ]);
  });

  test('the direct messages link to the card and say what is asked', () => {
    expect(reminderDm(waiting, messenger).body?.[0]).toBe(
      '🔔 Reminder: request `R-TEST01` is waiting for your approval. <@U0ONCALL1> asks to run /delete-peer on 1 peer. See <https://example.slack.com/archives/C0INCIDENT1/p1700000000000100|the card>.',
    );
    expect(escalationDm(waiting, 10 * 60_000, messenger).summary).toBe('You may now approve R-TEST01 (escalated after 10 minutes)');
  });
});

describe('/twokey whoami shows reminders and escalation', () => {
  const policy = examplePolicy();
  const incident = { id: 'C0INCIDENT1', name: 'inc-test' };
  const line = (userId: string, roles: string[]) =>
    (whoamiMessage(describeUser(policy, who(userId, roles), incident)).body ?? []).find((text) => text.startsWith('• `/delete-peer`'));

  test('the rule says whom it escalates to, when, and how often it reminds', () => {
    expect(line('U0APPROVE1', ['approver'])).toBe(
      '• `/delete-peer` (needs 2 approvals from `approver` or `admin`, after 10 minutes also `oncall`, a reminder every 5 minutes, expires after 15 minutes): you may not request it here: that needs the role `oncall` or `admin`; you may approve it',
    );
  });

  test('someone in the escalated role reads when they may approve', () => {
    expect(line('U0ONCALL1', ['oncall'])).toMatch(/you may request it here; you may approve it once a request has waited 10 minutes$/);
  });
});
