/** The fake's Socket Mode side, driven by the real @slack/socket-mode client Bolt uses. */
import { SocketModeClient } from '@slack/socket-mode';
import WebSocket from 'ws';
import { FakeSlack } from '../../support/fake-slack';
import { withDeadline } from '../../support/wait';
import { clientFor, quietLogger, slackError } from './quiet';

const fake = new FakeSlack();
const clients: SocketModeClient[] = [];

beforeAll(() => fake.start());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  await fake.waitFor(() => fake.openConnectionCount === 0, { description: 'every Socket Mode connection to close' });
  fake.reset();
});
afterAll(() => fake.stop());

function socketModeClient(): SocketModeClient {
  const client = new SocketModeClient({
    appToken: fake.appToken,
    logger: quietLogger(),
    // Reconnects wait clientPingTimeout × attempts; keep that short here.
    clientPingTimeout: 300,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  clients.push(client);
  return client;
}

test('apps.connections.open needs the app-level token and answers a ws:// URL of the fake', async () => {
  const opened = await clientFor(fake, fake.appToken).apps.connections.open();
  expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
  expect((await slackError(clientFor(fake, fake.botToken).apps.connections.open())).error).toBe('not_allowed_token_type');
});

test('a client connects, is greeted with hello, receives an envelope and acks it', async () => {
  const client = socketModeClient();
  client.on('slash_commands', async ({ ack, body }: { ack: (response?: object) => Promise<void>; body: { text: string } }) => {
    await ack({ text: `got ${body.text}` });
  });
  await client.start();
  await fake.waitForConnection({ timeoutMs: 2_000 });
  expect(fake.openConnectionCount).toBe(1);

  const ack = await fake.sendEnvelope('slash_commands', { command: '/twokey', text: 'help', user_id: 'U0ONCALL1' });
  expect(ack).toEqual({ envelope_id: expect.any(String), payload: { text: 'got help' } });
  expect(fake.acks()).toEqual([ack]);
});

test('interactive envelopes carry accepts_response_payload false for block_actions', async () => {
  const client = socketModeClient();
  let seen: boolean | undefined;
  client.on('interactive', async ({ ack, accepts_response_payload }: { ack: () => Promise<void>; accepts_response_payload: boolean }) => {
    seen = accepts_response_payload;
    await ack();
  });
  await client.start();
  await fake.sendEnvelope('interactive', { type: 'block_actions', actions: [] });
  expect(seen).toBe(false);
});

test('an envelope nobody acks fails at the deadline, and sending without a client fails at once', async () => {
  await expect(fake.sendEnvelope('slash_commands', { command: '/twokey' })).rejects.toThrow(/no Socket Mode client is connected/);
  const client = socketModeClient();
  await client.start();
  await expect(fake.sendEnvelope('events_api', { event: { type: 'app_mention' } }, { ackTimeoutMs: 100 })).rejects.toThrow(
    /Timed out after 100 ms waiting for the ack of events_api envelope/,
  );
});

test('disconnect() makes the client reconnect through apps.connections.open', async () => {
  const client = socketModeClient();
  await client.start();
  const before = fake.connectionCount;
  // The client's own "connected" (its hello arrived): disconnecting it mid-reconnect would leave
  // its reconnect promise rejected with nobody listening.
  const reconnected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  fake.disconnect();
  await withDeadline(reconnected, 5_000, 'the client to reconnect');
  expect(fake.connectionCount).toBe(before + 1);
  await fake.waitFor(() => fake.openConnectionCount === 1, { description: 'the old connection to close' });
  expect(fake.recordedCalls('apps.connections.open').length).toBeGreaterThanOrEqual(2);
});

test('a WebSocket without a fresh ticket from apps.connections.open is refused', async () => {
  const socket = new WebSocket(`${fake.baseUrl.replace('http', 'ws')}/link/?ticket=forged`);
  const outcome = await new Promise<string>((resolve) => {
    socket.on('open', () => resolve('open'));
    socket.on('error', (error) => resolve(error.message));
  });
  expect(outcome).toMatch(/401/);
});
