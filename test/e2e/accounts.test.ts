/**
 * PRODUCT.md §10: an approver's Slack account is checked at the click (`users.info`). A
 * deactivated account, a bot or a guest cannot approve or deny, and is told why privately; a
 * lookup that fails refuses too, and is never remembered as a pass.
 */
import type { FakeUser } from '../support/fake-slack';
import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { buttonsOf } from '../support/signing';

const accounts = {
  deactivated: { id: 'U0GONE1', flags: { deleted: true }, reason: 'account_deactivated', says: 'Your Slack account is deactivated' },
  bot: { id: 'U0ROBOT1', flags: { is_bot: true }, reason: 'account_bot', says: 'Your Slack account is a bot' },
  guest: { id: 'U0GUEST1', flags: { is_restricted: true }, reason: 'account_guest', says: 'Your Slack account is a guest account' },
  'single-channel guest': {
    id: 'U0GUEST2',
    flags: { is_restricted: true, is_ultra_restricted: true },
    reason: 'account_guest',
    says: 'Your Slack account is a guest account: guests cannot approve, deny or review twokey requests.',
  },
} satisfies Record<string, { id: string; flags: FakeUser; reason: string; says: string }>;

const buttons = ['Approve', 'Deny'] as const;
// One clicker per account and button, so that no click meets an answer a click before it left in the cache.
const clicker = (account: { id: string }, button: string) => `${account.id}${button[0]}`;
// Each holds the approver role, so that only the account check stands in their way.
const clickers = Object.values(accounts).flatMap((account) => buttons.map((button) => clicker(account, button)));
// A guest whose Deny comes with a trigger_id Slack issued, as a real click's does.
const modalGuest = 'U0GUEST3';
const approverIds = [users.approver, 'U0APPROVER2', 'U0APPROVER3', modalGuest, ...clickers];
const policy = `
roles:
  oncall:   { users: [${users.oncall}] }
  approver: { users: [${approverIds.join(', ')}] }
channels: [${incidentChannel.id}]
actions:
  revoke-grant: { request: [oncall], approvals: 1, approve: [approver] }
`;

describe("an approver's Slack account is checked at the click", () => {
  let harness: Harness;
  beforeAll(async () => {
    const slackUsers = Object.fromEntries([
      ...Object.values(accounts).flatMap((account) => buttons.map((button) => [clicker(account, button), account.flags])),
      [modalGuest, { is_restricted: true }],
    ]);
    harness = await Harness.start({ policy, slack: { users: slackUsers } });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  // The simulator is reset before each test, so every request may revoke the same grant.
  async function request() {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
    const card = await harness.slack.waitFor(
      () => harness.slack.messages(incidentChannel.id).find((m) => m.text?.startsWith('Approval needed')),
      { description: 'an approval card' },
    );
    return { card, requestId: /R-[A-Z0-9]{6}/.exec(messageText(card))![0] };
  }

  async function privateAnswer(responseUrlId: string) {
    const [response] = await harness.waitForResponses(responseUrlId);
    expect(response.body.response_type).toBe('ephemeral');
    return messageText(response.body);
  }

  async function refusals(reason: string): Promise<number> {
    const body = await (await fetch(`http://127.0.0.1:${harness.bot.port}/metrics`)).text();
    const line = body.split('\n').find((l) => l.startsWith(`twokey_refusals_total{operation="revoke-grant",reason="${reason}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  /** The click changed nothing: the card still waits with its buttons, nothing counted, nothing ran. */
  async function expectUntouched(card: { channel: string; ts: string }, requestId: string) {
    const now = harness.slack.message(card.channel, card.ts)!;
    expect(now.text).toMatch(/^Approval needed/);
    expect(messageText(now)).toContain('0 of 1');
    expect(buttonsOf(now.blocks)).toHaveLength(3);
    const [stored] = (await harness.requests()).filter((r) => r.id === requestId);
    expect(stored).toMatchObject({ status: 'pending', approvals: [] });
    expect(harness.simulator.calls.count()).toBe(0);
  }

  const entriesOf = async (requestId: string) => (await harness.audit()).filter((entry) => entry.requestId === requestId);

  // harness.click's trigger_id was never issued by Slack, so a Deny opens no reason modal and denies at once.
  describe.each(Object.entries(accounts))('a %s account', (_kind, account) => {
    test.each(buttons)('%s is refused privately with why, audited, counted as a refusal; nothing changes', async (button) => {
      const { card, requestId } = await request();
      const before = await refusals(account.reason);
      const userId = clicker(account, button);

      const click = await harness.click(card, button, userId);

      expect(await privateAnswer(click.responseUrlId)).toContain(account.says);
      expect(harness.slack.recordedCalls('users.info').map((call) => call.params.user)).toEqual([userId]);
      const refused = (await entriesOf(requestId)).filter((entry) => entry.event === 'refused');
      expect(refused).toEqual([expect.objectContaining({ actorId: userId, outcome: account.reason, detail: expect.stringContaining(account.says) })]);
      expect(await refusals(account.reason)).toBe(before + 1);
      await expectUntouched(card, requestId);
    });
  });

  test("a guest's Deny asks for no reason: it is refused at the click, privately, and nothing changes", async () => {
    const { card, requestId } = await request();
    // A trigger_id Slack issued, so the bot could open the reason modal if it wanted to.
    const click = await harness.click(card, 'Deny', modalGuest, { triggerId: harness.slack.issueTriggerId(modalGuest) });

    expect(await privateAnswer(click.responseUrlId)).toContain(accounts.guest.says);
    expect(harness.slack.views()).toEqual([]);
    const refused = (await entriesOf(requestId)).filter((entry) => entry.event === 'refused');
    expect(refused).toEqual([expect.objectContaining({ actorId: modalGuest, outcome: 'account_guest' })]);
    // The answer to the first lookup served the click as well.
    expect(harness.slack.recordedCalls('users.info').map((call) => call.params.user)).toEqual([modalGuest]);
    await expectUntouched(card, requestId);
  });

  test('someone the policy refuses anyway costs no lookup', async () => {
    const { card } = await request();
    const click = await harness.click(card, 'Approve', users.stranger);
    expect(await privateAnswer(click.responseUrlId)).toMatch(/may not approve/);
    expect(harness.slack.recordedCalls('users.info')).toHaveLength(0);
  });

  test.each([
    ['answers 500', 'U0APPROVER2', { httpStatus: 500 }],
    ['answers ok: false', 'U0APPROVER3', { error: 'user_not_visible' }],
  ] as const)('a users.info that %s refuses, is logged, and is not remembered', async (_how, approverId, failure) => {
    const { card, requestId } = await request();
    harness.slack.failMethod('users.info', failure);

    for (const button of buttons) {
      const click = await harness.click(card, button, approverId);
      expect(await privateAnswer(click.responseUrlId)).toContain('twokey could not check your Slack account');
    }
    const refused = (await entriesOf(requestId)).filter((entry) => entry.event === 'refused');
    expect(refused.map((entry) => [entry.actorId, entry.outcome])).toEqual([
      [approverId, 'account_unverified'],
      [approverId, 'account_unverified'],
    ]);
    expect(harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'could not look up a Slack account', userId: approverId }),
    );
    await expectUntouched(card, requestId);

    // Once Slack answers, the same approver's click counts: the failure was not kept.
    harness.slack.clearFailures();
    await harness.click(card, 'Approve', approverId);
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 grant'), {
      description: 'the grant revoked',
    });
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
  });

  test('an active full member approves, and is asked about once while the answer is fresh', async () => {
    const first = await request();
    await harness.click(first.card, 'Approve', users.approver);
    await harness.slack.waitFor(() => harness.slack.message(first.card.channel, first.card.ts)?.text?.includes('done for 1 grant'), {
      description: 'the first grant revoked',
    });
    expect(harness.slack.recordedCalls('users.info').map((call) => call.params.user)).toEqual([users.approver]);
    harness.slack.reset();
    const second = await request();
    await harness.click(second.card, 'Deny', users.approver);
    await harness.slack.waitFor(() => harness.slack.message(second.card.channel, second.card.ts)?.text?.startsWith('Denied by'), {
      description: 'the denied card',
    });
    expect(harness.slack.recordedCalls('users.info')).toHaveLength(0);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
  });
});
