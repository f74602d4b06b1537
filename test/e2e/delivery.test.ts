/**
 * PRODUCT.md §8, "Nothing owed is lost": when Slack refuses or fails the post of a result, the
 * requester still reads the outcome (through the command's response_url, or a DM), and never
 * "internal error" for an operation that ran.
 */
import type { MethodFailure } from '../support/fake-slack';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { failInsertsInto } from '../support/sqlite-faults';

describe('a result Slack will not post in the channel still reaches the requester', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  test.each<[string, MethodFailure]>([
    ['answers 500 to every try', { httpStatus: 500 }],
    ['answers 429 to every try', { httpStatus: 429, retryAfterSeconds: 1 }],
    ['answers ok:false ratelimited', { error: 'ratelimited' }],
  ])('chat.postMessage %s: the outcome arrives through the response_url, in the channel', async (_name, failure) => {
    harness.slack.failMethod('chat.postMessage', failure);
    const { responseUrlId } = await harness.command('/rotate-credentials', `${ids.site} leaked in CI logs`);

    const [answer] = await harness.waitForResponses(responseUrlId, 1, 15_000);
    expect(answer.body.response_type).toBe('in_channel');
    expect(messageText(answer.body)).toContain('Rotate API credentials: done for 1 site');
    expect(messageText(answer.body)).not.toContain('invite');
    expect(harness.slack.responses(responseUrlId).map((response) => messageText(response.body)).join('\n')).not.toContain(
      'internal error',
    );
    expect(harness.simulator.calls.count({ method: 'POST' })).toBe(1);
    // The channel saw the result once, and only through the response_url.
    expect(harness.slack.messages(incidentChannel.id).map((m) => m.history[0].via)).toEqual(['response_url']);
  });

  test('with the channel and the response_url both failing, the requester is told in a DM', async () => {
    // Posts to the channel fail (the bot is not in it) and the response_url has expired; a DM still goes through.
    harness.slack.setChannel({ id: incidentChannel.id, name: incidentChannel.name, botIsMember: false });
    harness.simulator.faults.add({ method: 'DELETE', times: 1, action: { type: 'delay', ms: 500 } });
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(1)} cut off`);
    harness.slack.expireResponseUrl(responseUrlId);

    const dm = await harness.slack.waitFor(
      () => harness.slack.messages(harness.slack.dmChannelFor(users.oncall)).find((m) => messageText(m).includes('done for 1 session')),
      { description: 'the result in a DM' },
    );
    expect(messageText(dm)).toContain('could not post this result in the channel');
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
  });
});

describe('what Slack will not take is kept and delivered later, across a restart', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy });
  });
  afterAll(() => harness.stop());

  test('the card update, the thread note and the DM of an outcome arrive once Slack answers again', async () => {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(4)} offboarding`);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true);
    const requestId = /R-[A-Z0-9]{6}/.exec(messageText(card))![0];

    // Slack fails every update and post from here on: the outcome can reach nobody for now.
    harness.slack.failMethod('chat.update', { httpStatus: 500 });
    harness.slack.failMethod('chat.postMessage', { error: 'ratelimited' });
    // The click's response_url has expired too (it lasts 30 minutes), so nothing can carry the outcome now.
    await harness.click(card, 'Approve', users.approver, { responseUrlExpired: true });
    await harness.slack.waitFor(() => harness.owedCount() >= 3, { timeoutMs: 15_000, description: 'card, thread note and DM kept' });
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);

    // A deploy meanwhile: what is owed is in the database, not in the process.
    await harness.restart();
    harness.slack.clearFailures();
    harness.clock.advance(31_000);

    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 grant'), {
      description: 'the card updated by the new process',
    });
    await harness.slack.waitFor(
      () => harness.slack.threadReplies(card.channel, card.ts).some((m) => messageText(m).includes('done for 1 grant')),
      { description: 'the outcome in the thread' },
    );
    await harness.slack.waitFor(
      () => harness.slack.messages(harness.slack.dmChannelFor(users.oncall)).some((m) => messageText(m).includes(requestId)),
      { description: 'the requester told' },
    );
    await harness.slack.waitFor(() => harness.owedCount() === 0, { description: 'nothing owed any more' });
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
  });

  test('an outcome that could be neither posted nor kept is announced by a later sweep, once the grace has passed', async () => {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(6)} offboarding`);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.grant(6)));
    const requestId = /R-[A-Z0-9]{6}/.exec(messageText(card))![0];

    // Slack fails every update and post, and the database refuses to keep what it owes (a full disk).
    harness.slack.failMethod('chat.update', { httpStatus: 500 });
    harness.slack.failMethod('chat.postMessage', { error: 'ratelimited' });
    const cure = failInsertsInto(harness.databaseFile, 'owed_messages');
    const logsBefore = harness.logs.length;
    try {
      await harness.click(card, 'Approve', users.approver, { responseUrlExpired: true });
      const grant6Done = async () =>
        (await harness.requests({ statuses: ['succeeded'] })).some((request) => request.targetIds.includes(ids.grant(6)));
      await harness.slack.waitFor(grant6Done, { timeoutMs: 15_000, description: 'the revocation recorded' });
      await harness.slack.waitFor(() => harness.logs.slice(logsBefore).filter((line) => line.includes('nor keep it to try again')).length >= 4, {
        timeoutMs: 15_000,
        description: 'the card, the thread note and the DM of the outcome neither delivered nor kept',
      });
    } finally {
      cure();
    }
    harness.slack.clearFailures();
    expect(harness.owedCount()).toBe(0);

    // Within the grace the finishing process may still be announcing it; after it, a sweep does.
    harness.clock.advance(30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(harness.slack.message(card.channel, card.ts)?.text).not.toContain('done for 1 grant');
    harness.clock.advance(31_000);
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 grant'), {
      description: 'the card updated by a later sweep',
    });
    await harness.slack.waitFor(
      () => harness.slack.messages(harness.slack.dmChannelFor(users.oncall)).some((m) => messageText(m).includes(requestId)),
      { description: 'the requester told' },
    );
    // Announced once: once all of it is out, later sweeps leave it be.
    await harness.slack.waitFor(() => harness.unannouncedCount() === 0, { description: 'nothing left to announce' });
    harness.clock.advance(5 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const outcomeNotes = harness.slack.threadReplies(card.channel, card.ts).filter((m) => messageText(m).includes('done for 1 grant'));
    expect(outcomeNotes).toHaveLength(1);
    expect(harness.simulator.calls.list({ method: 'DELETE' }).filter((call) => call.path.endsWith(ids.grant(6)))).toHaveLength(1);
  });

  test('an outcome Slack will not post in the card thread reaches the channel through the approving click', async () => {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(7)} offboarding`);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.grant(7)));
    harness.slack.failMethod('chat.postMessage', { error: 'ratelimited' });
    const { responseUrlId } = await harness.click(card, 'Approve', users.approver);

    const answer = await harness.slack.waitFor(
      () => harness.slack.responses(responseUrlId).find((response) => messageText(response.body).includes('done for 1 grant')),
      { timeoutMs: 15_000, description: 'the outcome through the click' },
    );
    expect(answer.body.response_type).toBe('in_channel');
    harness.slack.clearFailures();
    expect(harness.simulator.calls.list({ method: 'DELETE' }).filter((call) => call.path.endsWith(ids.grant(7)))).toHaveLength(1);
  });
});
