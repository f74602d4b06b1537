/**
 * PRODUCT.md §8, "Nothing owed is lost": when Slack refuses or fails the post of a result, the
 * requester still reads the outcome (through the command's response_url, or a DM), and never
 * "internal error" for an operation that ran.
 */
import type { MethodFailure } from '../support/fake-slack';
import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';

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
