/**
 * PRODUCT.md §8, "One typed command runs at most once": the same signed delivery arriving again
 * (a replay within the signing window, a retry with X-Slack-Retry-Num, a Socket Mode envelope sent
 * again) creates one request; a timestamp signed for more than 5 minutes ahead is refused.
 */
import { approvalPolicy, Harness, ids, incidentChannel, messageText, signingSecret, users } from '../support/harness';
import { blockActionsBody, blockActionsPayload, postToSlackEndpoint, slashCommandBody } from '../support/signing';

let deliveries = 0;

/** One typed /rotate-credentials as Slack delivers it: the same body (and trigger_id) however often it is sent. */
function rotateDelivery(harness: Harness) {
  deliveries += 1;
  const responseUrlId = `replay-${deliveries}`;
  const body = slashCommandBody({
    command: '/rotate-credentials',
    text: `${ids.site} leaked in CI logs`,
    user_id: users.oncall,
    channel_id: incidentChannel.id,
    channel_name: incidentChannel.name,
    team_id: harness.slack.teamId,
    trigger_id: `1111.2222.replay${deliveries}`,
    response_url: harness.slack.responseUrl(responseUrlId, { channel: incidentChannel.id, user: users.oncall }),
  });
  return { body, responseUrlId };
}

/** Resolves once the bot has logged that it ignored `count` repeated deliveries in all. */
function ignoredDeliveries(harness: Harness, count: number) {
  return harness.slack.waitFor(
    () => harness.logs.filter((line) => line.includes('ignored a delivery handled before')).length >= count || undefined,
    { description: `${count} ignored deliveries in the log` },
  );
}

const rotations = (harness: Harness) => harness.simulator.calls.count({ method: 'POST' });
const requested = async (harness: Harness) => (await harness.audit()).filter((entry) => entry.event === 'requested').length;

describe('over HTTP', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  test('the same signed command sent three times (a replay, then a retry) rotates once', async () => {
    const before = await requested(harness);
    const { body } = rotateDelivery(harness);
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await postToSlackEndpoint(harness.eventsUrl, body, signingSecret, { timestamp });
    const replay = await postToSlackEndpoint(harness.eventsUrl, body, signingSecret, { timestamp });
    const retry = await postToSlackEndpoint(harness.eventsUrl, body, signingSecret, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect([first.status, replay.status, retry.status]).toEqual([200, 200, 200]);

    await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('Rotate API credentials'));
    await ignoredDeliveries(harness, 2);
    expect(rotations(harness)).toBe(1);
    expect(await requested(harness)).toBe(before + 1);
    expect(harness.slack.messages(incidentChannel.id)).toHaveLength(1);
  });

  test('a timestamp signed for more than 5 minutes ahead is refused and runs nothing; a little ahead is accepted', async () => {
    const ahead = await postToSlackEndpoint(harness.eventsUrl, rotateDelivery(harness).body, signingSecret, {
      timestamp: Math.floor(Date.now() / 1000) + 6 * 60,
    });
    expect(ahead.status).toBe(401);
    expect(harness.logs.join('\n')).toContain('refused a Slack request signed for the future');

    // Clocks drift: a request signed two minutes ahead is still Slack's.
    const skewed = await postToSlackEndpoint(harness.eventsUrl, rotateDelivery(harness).body, signingSecret, {
      timestamp: Math.floor(Date.now() / 1000) + 2 * 60,
    });
    expect(skewed.status).toBe(200);
    await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('Rotate API credentials'));
    expect(rotations(harness)).toBe(1);
  });
});

describe('clicks', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy });
  });
  afterAll(() => harness.stop());

  test('an Approve click delivered twice counts once and tells the approver nothing twice', async () => {
    await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)} lost laptop`);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true);
    const responseUrl = harness.slack.responseUrl('click-replayed', { channel: card.channel, user: users.approver, messageTs: card.ts });
    const payload = blockActionsPayload(card, 'Approve', { user: { id: users.approver }, responseUrl, triggerId: '3333.4444.click' });
    await postToSlackEndpoint(harness.eventsUrl, blockActionsBody(payload), signingSecret);
    await postToSlackEndpoint(harness.eventsUrl, blockActionsBody(payload), signingSecret, { headers: { 'x-slack-retry-num': '1' } });

    await ignoredDeliveries(harness, 1);
    await harness.slack.waitFor(() => messageText(harness.slack.message(card.channel, card.ts)!).includes('1 of 2'), {
      description: 'one approval counted',
    });
    // The repeat was neither counted nor answered with "already approved".
    expect(harness.slack.responses('click-replayed')).toHaveLength(0);
    const approvals = (await harness.audit()).filter((entry) => entry.event === 'approved' || entry.event === 'refused');
    expect(approvals.map((entry) => entry.event)).toEqual(['approved']);
  });
});

describe('over Socket Mode', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ socketMode: true });
    await harness.slack.waitForConnection();
  });
  afterAll(() => harness.stop());

  test('an envelope sent again after a reconnect rotates once', async () => {
    const payload = Object.fromEntries(new URLSearchParams(rotateDelivery(harness).body));
    await harness.slack.sendEnvelope('slash_commands', payload);
    harness.slack.disconnect();
    await harness.slack.waitForConnection({ count: 2 });
    await harness.slack.sendEnvelope('slash_commands', payload);

    await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('Rotate API credentials'));
    await ignoredDeliveries(harness, 1);
    expect(rotations(harness)).toBe(1);
  });
});
