/**
 * PRODUCT.md §8, "No request is ever stuck": the sweep announces each request on its own, and
 * every Slack call has a deadline, so one hung call never delays another request's notice.
 */
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { failWritesInto } from '../support/sqlite-faults';

describe('the sweep', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy });
  });
  afterAll(() => harness.stop());

  async function cardFor(grant: string) {
    await harness.command('/revoke-grant', `${ids.organization} ${grant} offboarding`);
    return harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true && messageText(m).includes(grant));
  }

  test('one hung card update does not hold back another request’s expiry notice', async () => {
    const first = await cardFor(ids.grant(1));
    const second = await cardFor(ids.grant(2));
    // Both cards are kept with their requests before time moves on.
    await harness.slack.waitFor(async () => {
      const pending = await harness.requests({ statuses: ['pending'] });
      return pending.length === 2 && pending.every((request) => request.card);
    }, { description: 'both cards stored' });
    harness.slack.holdMethod('chat.update', 30_000, { times: 1 });
    harness.clock.advance(16 * 60_000);

    const expired = (card: { channel: string; ts: string }) => harness.slack.message(card.channel, card.ts)?.text?.startsWith('Expired');
    const toldRequester = (card: { channel: string; ts: string }) =>
      harness.slack.threadReplies(card.channel, card.ts).some((m) => messageText(m).includes('expired')) &&
      harness.slack
        .messages(harness.slack.dmChannelFor(users.oncall))
        .some((m) => messageText(m).includes('expired') && messageText(m).includes(card.ts.replace('.', '')));
    // Whichever card's update hangs, the other is announced in full at once.
    const prompt = await harness.slack.waitFor(() => [first, second].find((card) => expired(card) && toldRequester(card)), {
      timeoutMs: 3_000,
      description: 'one expiry announced in full while the other card update hangs',
    });
    const held = prompt === first ? second : first;
    expect(expired(held)).toBeFalsy();

    // The hung call is given up at its deadline instead of holding its request's announcement for good.
    await harness.slack.waitFor(() => harness.logs.some((line) => line.includes('could not update an approval card')), {
      timeoutMs: 15_000,
      description: 'the hung card update given up',
    });
  });

  test('an approved request whose start could not be written is started by a later sweep, once', async () => {
    const card = await cardFor(ids.grant(3));
    const requestId = /R-[A-Z0-9]{6}/.exec(messageText(card))![0];
    const cure = failWritesInto(harness.databaseFile, 'executing');
    try {
      const click = await harness.click(card, 'Approve', users.approver);
      // The approval is kept; the write that starts the execution fails, so nothing runs yet.
      await harness.waitForResponses(click.responseUrlId);
      expect((await harness.requests()).find((request) => request.id === requestId)).toMatchObject({ status: 'approved' });
      expect(harness.simulator.calls.count()).toBe(0);
    } finally {
      cure();
    }

    harness.clock.advance(31_000);
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 grant'), {
      description: 'the request run by the sweep, its card updated',
    });
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
    const events = (await harness.audit()).filter((entry) => entry.requestId === requestId).map((entry) => entry.event);
    expect(events).toEqual(['requested', 'approved', 'execution_started', 'executed']);
  });

  test('an outcome the store cannot record is still reported, and recorded once the store answers', async () => {
    const cure = failWritesInto(harness.databaseFile, 'succeeded');
    let requestId: string;
    try {
      await harness.command('/revoke-access', `${ids.site} ${ids.session(7)} cut off`);
      const result = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(7)));
      expect(messageText(result)).toContain('done for 1 session');
      requestId = /R-[A-Z0-9]{6}/.exec(messageText(result))![0];
      expect((await harness.requests()).find((request) => request.id === requestId)).toMatchObject({ status: 'executing' });
    } finally {
      cure();
    }
    await harness.slack.waitFor(
      async () => (await harness.requests()).find((request) => request.id === requestId && request.status === 'succeeded'),
      { description: 'the outcome recorded once the store answers' },
    );
    const executed = (await harness.audit()).filter((entry) => entry.requestId === requestId && entry.event === 'executed');
    expect(executed).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
  });

  test('a request that expires while its card is being posted gets a card that says so', async () => {
    // The card's post is held: the request expires before twokey knows where its card is.
    harness.slack.holdMethod('chat.postMessage', 500, { times: 1 });
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(5)} offboarding`);
    harness.clock.advance(16 * 60_000);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.grant(5)));
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.startsWith('Expired'), {
      description: 'the late card updated to expired',
    });
  });
});
