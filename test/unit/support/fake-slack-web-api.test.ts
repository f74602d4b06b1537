/**
 * The fake Slack Web API, driven by a real @slack/web-api WebClient so that the wire format
 * (form bodies with JSON-encoded blocks, the token in the Authorization header) is real.
 */
import type { SectionBlock } from '@slack/web-api';
import type { JsonObject } from '../../support/fake-slack';
import { clientFor, slackError, startedFakeSlack } from './quiet';

const incident = 'C0INCIDENT1';
const notJoinedPublic = 'C0NOTJOINED';
const notJoinedPrivate = 'G0PRIVATE1';

const { fake, client } = startedFakeSlack({
  channels: [
    { id: incident, name: 'inc-2024-db', members: ['U0ONCALL1', 'U0APPROVER'] },
    { id: notJoinedPublic, name: 'inc-elsewhere', botIsMember: false },
    { id: notJoinedPrivate, name: 'secret', isPrivate: true, botIsMember: false },
  ],
  usergroups: { S0ONCALL1: ['U0ONCALL1', 'U0ONCALL2'] },
});

const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (actionId: string, text = 'Approve', extra: JsonObject = {}): JsonObject => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text },
  ...extra,
});
const actions = (...elements: JsonObject[]): JsonObject => ({ type: 'actions', elements });

/** Posts arbitrary blocks (the SDK's types would refuse the broken ones at compile time). */
function post(blocks: unknown, extra: JsonObject = {}) {
  return client().apiCall('chat.postMessage', { channel: incident, text: 'fallback', blocks, ...extra });
}

describe('authentication', () => {
  test('auth.test tells the bot who it is', async () => {
    const answer = await client().auth.test();
    expect(answer).toMatchObject({
      ok: true,
      team_id: fake.teamId,
      user_id: fake.botUserId,
      bot_id: fake.botId,
      url: expect.stringMatching(/^https:\/\//),
    });
  });

  test('a wrong token is invalid_auth, none is not_authed, an app token is the wrong type', async () => {
    expect((await slackError(clientFor(fake, 'xoxb-wrong').auth.test())).error).toBe('invalid_auth');
    expect((await slackError(clientFor(fake, null).auth.test())).error).toBe('not_authed');
    expect((await slackError(clientFor(fake, fake.appToken).chat.postMessage({ channel: incident, text: 'hi' }))).error).toBe(
      'not_allowed_token_type',
    );
    expect(fake.messages()).toHaveLength(0);
  });

  test('an unknown method is unknown_method', async () => {
    expect((await slackError(client().apiCall('chat.teleport', {}))).error).toBe('unknown_method');
    expect((await slackError(client().apiCall('constructor', {}))).error).toBe('unknown_method');
  });
});

describe('chat.postMessage', () => {
  test('accepts a valid message, records it with Slack-assigned ids, and answers with a unique ts', async () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Delete VPN peers' } },
      section('*Requested by* <@U0ONCALL1>'),
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Approvals*\n0 of 2' }] },
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'expires in 15 minutes' }] },
      actions(
        button('approve', 'Approve', { style: 'primary', value: 'req-1' }),
        button('deny', 'Deny', {
          style: 'danger',
          value: 'req-1',
          confirm: {
            title: { type: 'plain_text', text: 'Deny?' },
            text: { type: 'mrkdwn', text: 'Nothing will run.' },
            confirm: { type: 'plain_text', text: 'Deny' },
            deny: { type: 'plain_text', text: 'Back' },
          },
        }),
        { type: 'button', text: { type: 'plain_text', text: 'Cancel' }, value: 'req-1' },
      ),
    ];
    const first = (await client().apiCall('chat.postMessage', { channel: incident, text: 'Approval needed', blocks })) as {
      ts?: string;
    };
    const second = await client().chat.postMessage({ channel: incident, text: 'second' });

    expect(first).toMatchObject({ ok: true, channel: incident, ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    const [card] = fake.messages(incident);
    expect(card).toMatchObject({ channel: incident, ts: first.ts, text: 'Approval needed', user: fake.botUserId });
    expect(card?.blocks).toHaveLength(blocks.length);
    // Slack gives every block a block_id and every button an action_id.
    expect(card?.blocks?.every((b) => typeof b.block_id === 'string')).toBe(true);
    const elements = card?.blocks?.[5]?.elements as JsonObject[];
    expect(elements.map((e) => typeof e.action_id)).toEqual(['string', 'string', 'string']);
    // The recorded params are decoded: blocks arrive as the array the bot built.
    expect(fake.recordedCalls('chat.postMessage')[0]?.params.blocks).toEqual(blocks);
  });

  test('accepts every Block Kit limit exactly at its maximum', async () => {
    const fullCard = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
      section('s'.repeat(3_000)),
      {
        type: 'section',
        fields: Array.from({ length: 10 }, (_, i) => ({ type: 'mrkdwn', text: `${i}`.repeat(2_000) })),
      },
      actions(
        ...Array.from({ length: 25 }, (_, i) =>
          button(`${i}`.padEnd(255, 'a'), 'b'.repeat(75), { value: 'v'.repeat(2_000) }),
        ),
      ),
      { type: 'context', elements: Array.from({ length: 10 }, () => ({ type: 'plain_text', text: 'c' })) },
      ...Array.from({ length: 45 }, () => ({ type: 'divider' })),
    ];
    expect(fullCard).toHaveLength(50);
    await expect(post(fullCard)).resolves.toMatchObject({ ok: true });
  });

  const refusals: Array<[string, unknown, RegExp]> = [
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), /no more than 50 items.*\/blocks\]/],
    ['a 3,001-character section', [section('x'.repeat(3_001))], /less than 3001 characters.*\/blocks\/0\/text\/text/],
    ['an empty section text', [section('')], /more than 0 characters/],
    [
      '11 section fields',
      [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      /no more than 10 items.*\/blocks\/0\/fields/,
    ],
    [
      'a 2,001-character field',
      [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2_001) }] }],
      /less than 2001 characters.*\/fields\/0\/text/,
    ],
    ['a 151-character header', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], /less than 151/],
    ['a mrkdwn header', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], /must be plain_text/],
    ['a 76-character button text', [actions(button('approve', 'x'.repeat(76)))], /less than 76 characters.*elements\/0\/text\/text/],
    ['a duplicate action_id', [actions(button('approve'), button('approve', 'Again'))], /duplicate action_id: approve/],
    [
      'a duplicate action_id across blocks',
      [actions(button('approve')), { ...section('s'), accessory: button('approve') }],
      /duplicate action_id/,
    ],
    ['a 256-character action_id', [actions(button('a'.repeat(256)))], /less than 256 characters.*action_id/],
    ['a 2,001-character button value', [actions(button('approve', 'Approve', { value: 'v'.repeat(2_001) }))], /less than 2001/],
    ['a bad button style', [actions(button('approve', 'Approve', { style: 'warning' }))], /must be one of: primary, danger/],
    [
      'a confirm dialog with a 101-character title',
      [
        actions(
          button('deny', 'Deny', {
            confirm: {
              title: { type: 'plain_text', text: 't'.repeat(101) },
              text: { type: 'plain_text', text: 'sure?' },
              confirm: { type: 'plain_text', text: 'Yes' },
              deny: { type: 'plain_text', text: 'No' },
            },
          }),
        ),
      ],
      /less than 101.*confirm\/title/,
    ],
    [
      'a confirm dialog without deny',
      [
        actions(
          button('deny', 'Deny', {
            confirm: {
              title: { type: 'plain_text', text: 'Deny?' },
              text: { type: 'plain_text', text: 'sure?' },
              confirm: { type: 'plain_text', text: 'Yes' },
            },
          }),
        ),
      ],
      /missing required field: deny/,
    ],
    ['26 action elements', [actions(...Array.from({ length: 26 }, (_, i) => button(`b${i}`)))], /no more than 25 items/],
    [
      '11 context elements',
      [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }],
      /no more than 10 items/,
    ],
    ['a duplicate block_id', [{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }], /duplicate block_id: x/],
    ['a 256-character block_id', [{ type: 'divider', block_id: 'b'.repeat(256) }], /less than 256.*block_id/],
    ['a text object of an unknown type', [{ type: 'section', text: { type: 'markdown', text: 'x' } }], /plain_text or mrkdwn/],
    ['an unknown block type', [{ type: 'carousel' }], /unsupported type: carousel/],
    ['an unknown block property', [{ ...section('s'), color: 'red' }], /invalid additional property: color/],
  ];

  test.each(refusals)('refuses %s with invalid_blocks and a pointer to the problem', async (_name, blocks, message) => {
    const refused = await slackError(post(blocks));
    expect(refused.error).toBe('invalid_blocks');
    expect(refused.messages.join('\n')).toMatch(message);
    expect(fake.messages(incident)).toHaveLength(0);
  });

  test('refuses blocks that are not an array, a message with nothing to show, and text over 40,000 characters', async () => {
    expect((await slackError(post({ type: 'divider' }))).error).toBe('invalid_blocks_format');
    expect((await slackError(client().apiCall('chat.postMessage', { channel: incident }))).error).toBe('no_text');
    expect((await slackError(client().chat.postMessage({ channel: incident, text: 'x'.repeat(40_001) }))).error).toBe(
      'msg_too_long',
    );
  });

  test('refuses channels the bot has not joined: not_in_channel when public, channel_not_found when private', async () => {
    expect((await slackError(client().chat.postMessage({ channel: notJoinedPublic, text: 'hi' }))).error).toBe('not_in_channel');
    expect((await slackError(client().chat.postMessage({ channel: notJoinedPrivate, text: 'hi' }))).error).toBe(
      'channel_not_found',
    );
    fake.setChannel({ id: notJoinedPublic, name: 'inc-elsewhere' }); // the bot was invited
    await expect(client().chat.postMessage({ channel: notJoinedPublic, text: 'hi' })).resolves.toMatchObject({ ok: true });
  });

  test('records thread replies apart from top-level messages', async () => {
    const card = await client().chat.postMessage({ channel: incident, text: 'card' });
    await client().chat.postMessage({ channel: incident, thread_ts: card.ts!, text: '<@U0APPROVER> approved' });
    expect(fake.messages(incident).map((m) => m.text)).toEqual(['card']);
    expect(fake.threadReplies(incident, card.ts!)).toMatchObject([{ text: '<@U0APPROVER> approved', threadTs: card.ts }]);
  });

  test('posting to a user ID lands in the DM with that user', async () => {
    const answer = await client().chat.postMessage({ channel: 'U0ONCALL1', text: 'your request ran' });
    expect(answer.channel).toBe(fake.dmChannelFor('U0ONCALL1'));
    expect(fake.messages(fake.dmChannelFor('U0ONCALL1'))).toHaveLength(1);
    const opened = await client().conversations.open({ users: 'U0ONCALL1' });
    expect(opened.channel?.id).toBe(fake.dmChannelFor('U0ONCALL1'));
  });
});

describe('chat.update', () => {
  test('updates a message in place and keeps its history', async () => {
    const card = await client().chat.postMessage({ channel: incident, text: 'pending', blocks: [section('0 of 1')] });
    await client().chat.update({ channel: incident, ts: card.ts!, text: 'approved', blocks: [section('1 of 1')] });
    await client().chat.update({ channel: incident, ts: card.ts!, text: 'done' }); // blocks kept when absent

    const [message] = fake.messages(incident);
    expect(fake.messages(incident)).toHaveLength(1);
    expect(message).toMatchObject({ ts: card.ts, text: 'done' });
    expect(message?.blocks?.[0]).toMatchObject(section('1 of 1'));
    expect(message?.history.map((h) => [h.via, h.text])).toEqual([
      ['chat.postMessage', 'pending'],
      ['chat.update', 'approved'],
      ['chat.update', 'done'],
    ]);
  });

  test('refuses an unknown ts with message_not_found and text over 4,000 characters with msg_too_long', async () => {
    expect((await slackError(client().chat.update({ channel: incident, ts: '1.000001', text: 'x' }))).error).toBe(
      'message_not_found',
    );
    const card = await client().chat.postMessage({ channel: incident, text: 'card' });
    expect((await slackError(client().chat.update({ channel: incident, ts: card.ts!, text: 'x'.repeat(4_001) }))).error).toBe(
      'msg_too_long',
    );
    await expect(client().chat.update({ channel: incident, ts: card.ts!, text: 'x'.repeat(4_000) })).resolves.toMatchObject({
      ok: true,
    });
  });

  test('chat.delete removes a message from the channel view but keeps its record', async () => {
    const card = await client().chat.postMessage({ channel: incident, text: 'card' });
    await client().chat.delete({ channel: incident, ts: card.ts! });
    expect(fake.messages(incident)).toEqual([]);
    expect(fake.message(incident, card.ts!)).toMatchObject({ deleted: true });
    expect((await slackError(client().chat.update({ channel: incident, ts: card.ts!, text: 'x' }))).error).toBe('message_not_found');
  });

  test('validates the blocks of an update too', async () => {
    const card = await client().chat.postMessage({ channel: incident, text: 'card' });
    const refused = await slackError(
      client().apiCall('chat.update', { channel: incident, ts: card.ts, text: 'x', blocks: [section('x'.repeat(3_001))] }),
    );
    expect(refused.error).toBe('invalid_blocks');
    expect(fake.messages(incident)[0]?.history).toHaveLength(1);
  });
});

describe('chat.postEphemeral', () => {
  test('records an ephemeral for that user alone', async () => {
    const answer = await client().chat.postEphemeral({ channel: incident, user: 'U0APPROVER', text: 'You cannot approve your own request' });
    expect(answer.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals('U0APPROVER')).toMatchObject([
      { channel: incident, user: 'U0APPROVER', ts: answer.message_ts, via: 'chat.postEphemeral' },
    ]);
    expect(fake.ephemerals('U0ONCALL1')).toHaveLength(0);
    expect(fake.messages(incident)).toHaveLength(0);
  });

  test('refuses channels the bot has not joined, and users not in the channel', async () => {
    expect((await slackError(client().chat.postEphemeral({ channel: notJoinedPublic, user: 'U0ONCALL1', text: 'x' }))).error).toBe(
      'not_in_channel',
    );
    expect((await slackError(client().chat.postEphemeral({ channel: incident, user: 'U0STRANGER', text: 'x' }))).error).toBe(
      'user_not_in_channel',
    );
  });
});

describe('usergroups.users.list', () => {
  test('lists a configured group and refuses an unknown one', async () => {
    await expect(client().usergroups.users.list({ usergroup: 'S0ONCALL1' })).resolves.toMatchObject({
      ok: true,
      users: ['U0ONCALL1', 'U0ONCALL2'],
    });
    expect((await slackError(client().usergroups.users.list({ usergroup: 'S0NOPE' }))).error).toBe('no_such_subteam');
  });

  test('can be made to fail with a Slack error or an HTTP status', async () => {
    fake.failMethod('usergroups.users.list', { error: 'missing_scope', extra: { needed: 'usergroups:read' } }, { times: 1 });
    expect((await slackError(client().usergroups.users.list({ usergroup: 'S0ONCALL1' }))).error).toBe('missing_scope');
    await expect(client().usergroups.users.list({ usergroup: 'S0ONCALL1' })).resolves.toMatchObject({ ok: true });

    fake.failMethod('usergroups.users.list', { httpStatus: 500 });
    await expect(client().usergroups.users.list({ usergroup: 'S0ONCALL1' })).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
    fake.clearFailures();
    fake.setUsergroup('S0ONCALL1', ['U0NEW']);
    await expect(client().usergroups.users.list({ usergroup: 'S0ONCALL1' })).resolves.toMatchObject({ users: ['U0NEW'] });
  });
});

describe('recording', () => {
  test('records every call in order, refused ones included, and reset forgets them', async () => {
    await client().chat.postMessage({ channel: incident, text: 'one' });
    await slackError(client().chat.postMessage({ channel: notJoinedPublic, text: 'two' }));
    expect(fake.recordedCalls().map((c) => [c.method, c.result.ok, c.result.error])).toEqual([
      ['chat.postMessage', true, undefined],
      ['chat.postMessage', false, 'not_in_channel'],
    ]);
    fake.reset();
    expect(fake.recordedCalls()).toEqual([]);
    expect(fake.messages()).toEqual([]);
  });

  test('allTraffic shows secrets however the wire encoded them', async () => {
    const password = 'p@ss/w0rd+"quoted"';
    await client().chat.postMessage({ channel: incident, text: 'rotated', blocks: [section(`password: ${password}`)] });
    const raw = fake.trafficLog().map((t) => t.raw).join('\n');
    expect(raw).not.toContain(password); // percent- and JSON-encoded on the wire…
    expect(fake.allTraffic()).toContain(password); // …but a scan of allTraffic finds it
  });

  test('accepts JSON bodies as Slack does', async () => {
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${fake.botToken}` },
      body: JSON.stringify({ channel: incident, text: 'json', blocks: [section('json body')] }),
    });
    expect(await response.json()).toMatchObject({ ok: true });
    expect(fake.messages(incident)[0]?.blocks?.[0]).toMatchObject(section('json body'));
  });

  test('waitForMessage waits for a message that arrives later, and times out with a clear message', async () => {
    const waiting = fake.waitForMessage(incident, (m) => m.text === 'later', { timeoutMs: 2_000 });
    setTimeout(() => void client().chat.postMessage({ channel: incident, text: 'later' }), 20);
    await expect(waiting).resolves.toMatchObject({ text: 'later' });
    await expect(fake.waitForMessage('C0QUIET', undefined, { timeoutMs: 30 })).rejects.toThrow(
      /waiting for a message in C0QUIET/,
    );
  });
});
