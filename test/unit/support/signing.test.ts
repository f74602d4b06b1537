/**
 * Signed requests built by test/support/signing.ts, checked against Bolt itself: a real Bolt
 * app in HTTP mode, its Web API pointed at the fake Slack, accepts them as it accepts Slack's.
 */
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'node:querystring';
import { App, verifySlackRequest } from '@slack/bolt';
import { FakeSlack } from '../../support/fake-slack';
import {
  blockActionsBody,
  blockActionsPayload,
  postToSlackEndpoint,
  signSlackRequest,
  slashCommandBody,
} from '../../support/signing';
import { clientFor, quietLogger } from './quiet';

const signingSecret = 'test-signing-secret';
const incident = 'C0INCIDENT1';

describe('signSlackRequest', () => {
  test("reproduces the example in Slack's request-signing documentation", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
      '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
      '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest(body, '8f742231b10e8888abcd99yyyzzz85a5', 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  test("passes Bolt's own verification", () => {
    const body = slashCommandBody({ command: '/twokey', text: 'whoami', user_id: 'U1', channel_id: incident, response_url: 'http://x/' });
    const headers = signSlackRequest(body, signingSecret);
    expect(() =>
      verifySlackRequest({
        signingSecret,
        body,
        headers: {
          'x-slack-signature': headers['x-slack-signature']!,
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
      }),
    ).not.toThrow();
  });
});

describe('request bodies', () => {
  test('slashCommandBody is the form Slack posts, spaces as +', () => {
    const body = slashCommandBody({
      command: '/revoke-access',
      text: 'd290f1ee-6c54-4b01-90e6-d701748f0851 lost laptop & more',
      user_id: 'U0ONCALL1',
      channel_id: incident,
      channel_name: 'inc-db',
      response_url: 'http://127.0.0.1:1/response/c1',
    });
    expect(body).toContain('command=%2Frevoke-access');
    expect(body).toContain('+lost+laptop+%26+more');
    expect(parseForm(body)).toMatchObject({
      command: '/revoke-access',
      text: 'd290f1ee-6c54-4b01-90e6-d701748f0851 lost laptop & more',
      user_id: 'U0ONCALL1',
      channel_id: incident,
      channel_name: 'inc-db',
      team_id: expect.any(String),
      trigger_id: expect.any(String),
    });
  });

  test('blockActionsBody is payload=<urlencoded JSON>', () => {
    const body = blockActionsBody({ type: 'block_actions', note: 'a&b=c' });
    expect(body.startsWith('payload=')).toBe(true);
    expect(JSON.parse(String(parseForm(body).payload))).toEqual({ type: 'block_actions', note: 'a&b=c' });
  });
});

describe('blockActionsPayload', () => {
  const message = {
    channel: incident,
    ts: '1700000000.000100',
    text: 'Approval needed',
    blocks: [
      { type: 'section', block_id: 'summary', text: { type: 'mrkdwn', text: 'card' } },
      {
        type: 'actions',
        block_id: 'decision',
        elements: [
          { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'req-1', style: 'primary' },
          { type: 'button', action_id: 'deny', text: { type: 'plain_text', text: 'Deny' }, value: 'req-1', style: 'danger' },
        ],
      },
    ],
  };
  const options = { user: { id: 'U0APPROVER', username: 'ana' }, responseUrl: 'http://127.0.0.1:1/response/click', channelName: 'inc-db' };

  test('is the payload Slack sends for a click, found by action_id or by button text', () => {
    const payload = blockActionsPayload(message, 'approve', options);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0APPROVER', username: 'ana', name: 'ana', team_id: 'T0TWOKEY1' },
      api_app_id: 'A0TWOKEY1',
      container: { type: 'message', message_ts: message.ts, channel_id: incident, is_ephemeral: false },
      trigger_id: expect.any(String),
      team: { id: 'T0TWOKEY1' },
      channel: { id: incident, name: 'inc-db' },
      message: { type: 'message', ts: message.ts, text: 'Approval needed', blocks: message.blocks },
      response_url: options.responseUrl,
      actions: [
        {
          action_id: 'approve',
          block_id: 'decision',
          text: { type: 'plain_text', text: 'Approve' },
          value: 'req-1',
          style: 'primary',
          type: 'button',
          action_ts: expect.stringMatching(/^\d+\.\d{6}$/),
        },
      ],
    });
    expect(blockActionsPayload(message, 'Deny', options).actions).toMatchObject([{ action_id: 'deny' }]);
  });

  test('names the buttons there are when the one asked for is missing', () => {
    expect(() => blockActionsPayload(message, 'cancel', options)).toThrow(/no button "cancel".*approve \("Approve"\), deny \("Deny"\)/);
  });

  test('leaves the message out for an ephemeral one, as Slack does', () => {
    const payload = blockActionsPayload({ ...message, ephemeral: true }, 'approve', options);
    expect(payload.message).toBeUndefined();
    expect(payload.container).toMatchObject({ is_ephemeral: true });
  });
});

describe('postToSlackEndpoint against a real Bolt app', () => {
  const fake = new FakeSlack();
  let app: App;
  let endpoint: string;
  const commands: Array<{ text: string; user: string }> = [];
  const clicks: Array<{ actionId: string; value?: string; user: string }> = [];

  beforeAll(async () => {
    await fake.start();
    app = new App({
      token: fake.botToken,
      signingSecret,
      logger: quietLogger(),
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/twokey', async ({ ack, command, respond }) => {
      await ack();
      commands.push({ text: command.text, user: command.user_id });
      await respond({ text: `you said ${command.text}` });
    });
    app.action('approve', async ({ ack, body, action }) => {
      await ack();
      clicks.push({ actionId: 'approve', value: 'value' in action ? action.value : undefined, user: body.user.id });
    });
    const server = await app.start(0);
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await app.stop();
    await fake.stop();
  });

  test('a signed slash command reaches the handler, and respond() reaches the fake response_url', async () => {
    const responseUrl = fake.responseUrl('cmd-1', { channel: incident, user: 'U0ONCALL1' });
    const body = slashCommandBody({ command: '/twokey', text: 'whoami', user_id: 'U0ONCALL1', channel_id: incident, response_url: responseUrl });
    const result = await postToSlackEndpoint(endpoint, body, signingSecret);

    expect(result.status).toBe(200);
    expect(result.elapsedMs).toBeLessThan(3_000);
    expect(commands).toContainEqual({ text: 'whoami', user: 'U0ONCALL1' });
    await fake.waitForResponse('cmd-1');
    expect(fake.ephemerals('U0ONCALL1')).toMatchObject([{ text: 'you said whoami' }]);
    // Bolt asked the fake who it is at start.
    expect(fake.recordedCalls('auth.test').length).toBeGreaterThanOrEqual(1);
  });

  test('a bad signature and a timestamp older than five minutes are refused with 401', async () => {
    const body = slashCommandBody({ command: '/twokey', text: 'help', user_id: 'U0ONCALL1', channel_id: incident, response_url: 'http://x/' });
    expect((await postToSlackEndpoint(endpoint, body, signingSecret, { badSignature: true })).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postToSlackEndpoint(endpoint, body, signingSecret, { timestamp: sixMinutesAgo })).status).toBe(401);
    expect(commands.filter((c) => c.text === 'help')).toEqual([]);
  });

  test('a click built from a message the fake recorded reaches the action handler', async () => {
    await clientFor(fake).chat.postMessage({
      channel: incident,
      text: 'Approval needed',
      blocks: [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'req-9' }],
        },
      ],
    });
    const [card] = fake.messages(incident);
    const payload = blockActionsPayload(card!, 'Approve', {
      user: { id: 'U0APPROVER' },
      responseUrl: fake.responseUrl('click-1', { channel: incident, user: 'U0APPROVER', messageTs: card!.ts }),
    });
    const result = await postToSlackEndpoint(endpoint, blockActionsBody(payload), signingSecret);
    expect(result.status).toBe(200);
    expect(clicks).toContainEqual({ actionId: 'approve', value: 'req-9', user: 'U0APPROVER' });
  });
});
