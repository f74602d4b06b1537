/**
 * PRODUCT.md §8, "Authority is checked when it matters": a click counts only from the card's own
 * channel, and just before a request runs its requester and every counted approver must still
 * hold their roles under the group membership in force then; otherwise twokey cancels it and says why.
 */
import { buttonsOf } from '../support/signing';
import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';

const approver2 = 'U0APPROVER2';

// Roles through user groups, so that membership can change while a request waits.
const groupPolicy = `
roles:
  oncall:
    usergroups: [S0ONCALL1]
  approver:
    usergroups: [S0APPROVERS]
  admin:
    users: [${users.admin}]
channels: [${incidentChannel.id}]
actions:
  revoke-grant: { request: [oncall, admin], approvals: 1, approve: [approver, admin] }
  delete-peer:  { request: [oncall, admin], approvals: 2, approve: [approver, admin] }
`;

const members = { S0ONCALL1: [users.oncall], S0APPROVERS: [users.approver, approver2] };
// Longer than the user-group cache (5 minutes by default), shorter than a request's life (15).
const pastTheGroupCache = 6 * 60_000;

describe('authority is checked when it matters', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: groupPolicy, slack: { usergroups: members } });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  async function request(command: string, text: string) {
    await harness.command(command, text);
    const card = await harness.slack.waitFor(
      () => harness.slack.messages(incidentChannel.id).find((m) => m.text?.startsWith('Approval needed')),
      { description: 'an approval card' },
    );
    return { card, requestId: /R-[A-Z0-9]{6}/.exec(messageText(card))![0] };
  }

  const cardNow = (card: { channel: string; ts: string }) => harness.slack.message(card.channel, card.ts)!;
  const privateAnswer = async (responseUrlId: string) => messageText((await harness.waitForResponses(responseUrlId))[0].body);
  const entriesOf = async (requestId: string) => (await harness.audit()).filter((entry) => entry.requestId === requestId);

  test('an Approve click carrying another channel does not count, and is audited as refused', async () => {
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
    const elsewhere = await harness.click({ ...card, channel: 'C0ELSEWHERE1' }, 'Approve', users.approver);
    expect(await privateAnswer(elsewhere.responseUrlId)).toContain("does not belong to this request's card");
    expect(messageText(cardNow(card))).toContain('0 of 1');
    expect(buttonsOf(cardNow(card).blocks)).toHaveLength(3);
    expect(harness.simulator.calls.count()).toBe(0);
    expect(await entriesOf(requestId)).toContainEqual(
      expect.objectContaining({ event: 'refused', actorId: users.approver, outcome: 'wrong_channel' }),
    );

    // The card's own button still works.
    await harness.click(card, 'Approve', users.approver);
    await harness.slack.waitFor(() => cardNow(card).text?.includes('done for 1 grant'), { description: 'the grant revoked' });
    await harness.slack.waitFor(
      () => harness.slack.messages(harness.slack.dmChannelFor(users.oncall)).some((m) => messageText(m).includes(requestId)),
      { description: 'the outcome told to the requester, before the next test' },
    );
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
  });

  test('an approver removed from the approvers before the last approval: cancelled, nothing runs, the card says why', async () => {
    const { card, requestId } = await request('/delete-peer', `${ids.instance} ${ids.peer(1)} lost laptop`);
    await harness.click(card, 'Approve', users.approver);
    await harness.slack.waitFor(() => messageText(cardNow(card)).includes('1 of 2'), { description: '1 of 2' });

    harness.slack.setUsergroup('S0APPROVERS', [approver2]);
    harness.clock.advance(pastTheGroupCache);
    const last = await harness.click(cardNow(card), 'Approve', approver2);

    expect(await privateAnswer(last.responseUrlId)).toContain('cancelled instead of run');
    await harness.slack.waitFor(() => cardNow(card).text?.startsWith('Cancelled by twokey'), { description: 'the cancelled card' });
    const text = messageText(cardNow(card));
    expect(text).toContain(`${users.approver} no longer holds a role that may approve delete-peer requests`);
    expect(buttonsOf(cardNow(card).blocks)).toHaveLength(0);
    expect(harness.simulator.calls.count()).toBe(0);
    const cancelled = (await entriesOf(requestId)).find((entry) => entry.event === 'cancelled');
    expect(cancelled).toMatchObject({ actorId: 'twokey', outcome: 'approver_lost_role' });
    expect((await entriesOf(requestId)).map((entry) => entry.event)).not.toContain('execution_started');
    const dm = await harness.slack.waitFor(
      () => harness.slack.messages(harness.slack.dmChannelFor(users.oncall)).find((m) => messageText(m).includes(requestId)),
      { description: 'word to the requester' },
    );
    expect(messageText(dm)).toContain('was cancelled by twokey');
  });

  test('a requester removed from on-call before the approval: cancelled, nothing runs', async () => {
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(2)} offboarding`);
    harness.slack.setUsergroup('S0ONCALL1', []);
    harness.clock.advance(pastTheGroupCache);
    await harness.click(card, 'Approve', users.approver);

    await harness.slack.waitFor(() => cardNow(card).text?.startsWith('Cancelled by twokey'), { description: 'the cancelled card' });
    expect(messageText(cardNow(card))).toContain(`${users.oncall} no longer holds a role that may request revoke-grant`);
    expect(harness.simulator.calls.count()).toBe(0);
    expect((await entriesOf(requestId)).find((entry) => entry.event === 'cancelled')).toMatchObject({ outcome: 'requester_lost_role' });
  });
});
