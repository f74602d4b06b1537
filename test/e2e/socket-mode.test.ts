/**
 * The same product over Socket Mode: the real bot connects to the fake Slack's WebSocket
 * (after `apps.connections.open` with the app-level token) and receives slash commands as
 * envelopes shaped like Slack's, acking each one.
 */
import type { EnvelopeAck } from '../support/fake-slack';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { slashCommandBody } from '../support/signing';

let harness: Harness;
let counter = 0;

beforeAll(async () => {
  // A vendor call may be held 4 s below; the attempt budget must outlast it so the hold is all we see.
  harness = await Harness.start({ socketMode: true, env: { VENDOR_TIMEOUT_MS: '10000' } });
  await harness.slack.waitForConnection();
});

afterAll(async () => {
  await harness?.stop();
  // The bot's stop waits for the WebSocket close handshake, so nothing is left open.
  expect(harness.slack.openConnectionCount).toBe(0);
});

beforeEach(() => {
  harness.slack.reset();
  harness.simulator.reset();
});

/**
 * Sends a slash command as Slack does over Socket Mode: the payload holds the same fields as
 * the HTTP form body, as strings. Resolves with the ack, which must come within Slack's 3 s
 * (sendEnvelope's default deadline), and when the fake received it.
 */
async function command(name: string, text: string, userId: string = users.oncall) {
  counter += 1;
  const responseUrlId = `socket-${counter}`;
  const body = slashCommandBody({
    command: name,
    text,
    user_id: userId,
    channel_id: incidentChannel.id,
    channel_name: incidentChannel.name,
    team_id: harness.slack.teamId,
    response_url: harness.slack.responseUrl(responseUrlId, { channel: incidentChannel.id, user: userId }),
  });
  const ack = await harness.slack.sendEnvelope('slash_commands', Object.fromEntries(new URLSearchParams(body)));
  return { ack, ackedAt: ackTime(ack), responseUrlId };
}

/** When the fake received the ack of an envelope (its own record of Socket Mode traffic). */
function ackTime(ack: EnvelopeAck): number {
  const entry = harness.slack.trafficLog().find((t) => t.route === 'WS /link/' && t.raw.includes(ack.envelope_id));
  if (!entry) throw new Error(`no ack of ${ack.envelope_id} in the fake's traffic log`);
  return entry.at;
}

function resultIn(targetId: string, timeoutMs = 8_000) {
  return harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(targetId), timeoutMs);
}

test('the bot is connected over Socket Mode with the app-level token', () => {
  expect(harness.bot.port).toBeUndefined();
  expect(harness.slack.openConnectionCount).toBe(1);
  expect(harness.logs.map((line) => JSON.parse(line) as { msg: string; mode?: string })).toContainEqual(
    expect.objectContaining({ msg: 'twokey is serving Slack', mode: 'socket' }),
  );
});

test('/revoke-access is acked, revokes the session, and the result lands in the channel', async () => {
  const { ack, responseUrlId } = await command('/revoke-access', `${ids.site} ${ids.session(1)} contractor left`);
  // An empty ack: nothing is shown in Slack for it, the result comes as a message.
  expect(ack.envelope_id).toEqual(expect.any(String));
  expect(ack.payload ?? {}).toEqual({});

  const message = await resultIn(ids.session(1));
  expect(messageText(message)).toContain('done for 1 session');
  expect(harness.simulator.state.hasSession(ids.site, ids.session(1))).toBe(false);
  expect(harness.simulator.calls.list().map((c) => [c.method, c.path, c.authorization])).toEqual([
    ['DELETE', `/control-plane/${ids.site}/transient-accesses/${ids.session(1)}`, 'valid'],
  ]);
  // Posted with chat.postMessage as the bot, not through the response_url.
  expect(harness.slack.recordedCalls('chat.postMessage')).toHaveLength(1);
  expect(harness.slack.responses(responseUrlId)).toEqual([]);
});

test('the ack does not wait for the vendor: it arrives while a held vendor call is still in flight', async () => {
  harness.simulator.faults.add({ method: 'DELETE', path: ids.session(2), times: 1, action: { type: 'delay', ms: 4000 } });
  // sendEnvelope rejects if the ack takes longer than Slack's 3 s.
  const { ackedAt } = await command('/revoke-access', `${ids.site} ${ids.session(2)} held call`);
  // When the ack is in, the vendor has answered nothing.
  expect(harness.simulator.calls.list().filter((c) => c.answeredAt !== undefined)).toEqual([]);

  // The vendor call starts after the ack and is held.
  const held = await harness.simulator.calls.waitFor((c) => c.path.includes(ids.session(2)), 3_000);
  expect(held.answeredAt).toBeUndefined();
  expect(harness.simulator.calls.inFlight).toBe(1);
  expect(harness.simulator.state.hasSession(ids.site, ids.session(2))).toBe(true);

  // Once the hold ends, the result still arrives, and the ack came before the vendor's answer.
  const message = await resultIn(ids.session(2), 10_000);
  expect(messageText(message)).toContain('done for 1 session');
  const [call] = harness.simulator.calls.list({ path: ids.session(2) });
  expect(call).toMatchObject({ fault: 'delay', status: 204, end: 'answered' });
  expect(ackedAt).toBeLessThan(call!.answeredAt!);
});

test('a bad ID gets an ephemeral usage error through the response_url and calls nothing', async () => {
  const typo = '00000000-0000-4000-8000-0000000000'; // a session ID two digits short
  const { responseUrlId } = await command('/revoke-access', `${ids.site} ${typo} reason`);
  const [response] = await harness.waitForResponses(responseUrlId);
  expect(response).toMatchObject({ status: 200, body: { response_type: 'ephemeral' } });
  const text = messageText(response!);
  expect(text).toContain(typo);
  // The usage line, escaped as Slack's mrkdwn requires (`<` as `&lt;`).
  expect(text).toContain('Usage: `/revoke-access &lt;siteId&gt; &lt;accessId&gt;…');
  expect(harness.slack.ephemerals(users.oncall)).toEqual([expect.objectContaining({ via: 'response_url' })]);

  // A good command afterwards is served, so "no call" was not merely "not yet".
  await command('/revoke-access', `${ids.site} ${ids.session(3)}`);
  await resultIn(ids.session(3));
  expect(harness.simulator.calls.list().map((c) => c.path)).toEqual([
    `/control-plane/${ids.site}/transient-accesses/${ids.session(3)}`,
  ]);
  expect(harness.slack.messages(incidentChannel.id)).toHaveLength(1);
});

test('/twokey help answers only the person who asked', async () => {
  const { responseUrlId } = await command('/twokey', 'help', users.stranger);
  const [response] = await harness.waitForResponses(responseUrlId);
  expect(response).toMatchObject({ status: 200, body: { response_type: 'ephemeral' } });
  const text = messageText(response!);
  expect(text).toContain('twokey commands');
  for (const slash of ['/revoke-access', '/rotate-credentials', '/delete-peer', '/revoke-grant', '/twokey whoami']) {
    expect(text).toContain(slash);
  }
  expect(harness.slack.ephemerals(users.stranger)).toHaveLength(1);
  expect(harness.slack.messages()).toEqual([]);
  expect(harness.simulator.calls.count()).toBe(0);
});

// Last: it replaces the connection the other tests use.
test('after Slack sends "disconnect" the bot reconnects and still serves commands', async () => {
  const before = harness.slack.connectionCount;
  harness.slack.disconnect();
  // @slack/socket-mode closes the old socket, then opens a new one after its reconnect delay.
  await harness.slack.waitForConnection({ count: before + 1, timeoutMs: 12_000 });
  await harness.slack.waitFor(() => harness.slack.openConnectionCount === 1, {
    description: 'exactly one open connection',
  });
  expect(harness.slack.recordedCalls('apps.connections.open')).toHaveLength(1);

  const { ack } = await command('/revoke-access', `${ids.site} ${ids.session(4)} after reconnect`);
  expect(ack.envelope_id).toEqual(expect.any(String));
  await resultIn(ids.session(4));
  expect(harness.simulator.state.hasSession(ids.site, ids.session(4))).toBe(false);
}, 20_000);

describe('approval cards over Socket Mode', () => {
  test('a click arrives as an interactive envelope, is acked, and runs the approved operation', async () => {
    const socket = await Harness.start({ socketMode: true, policy: approvalPolicy });
    try {
      await socket.slack.waitForConnection();
      await socket.command('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
      const card = await socket.slack.waitFor(() => socket.slack.messages(incidentChannel.id)[0], { description: 'the card' });
      const { ack } = await socket.click(card, 'Approve', users.approver);
      expect(ack?.envelope_id).toBeDefined();
      await socket.slack.waitFor(() => socket.slack.message(card.channel, card.ts)?.text?.includes('done for 1 grant'), {
        description: 'the final card',
      });
      expect(socket.simulator.state.hasGrant(ids.organization, ids.grant(1))).toBe(false);
      expect(socket.simulator.calls.count()).toBe(1);
    } finally {
      await socket.stop();
    }
  });
});
