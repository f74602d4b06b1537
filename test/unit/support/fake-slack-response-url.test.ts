/** The fake's response_url endpoints, posted to as Bolt's respond() posts: JSON, one POST per use. */
import { FakeSlack, responseUrlMaxUses, type JsonObject } from '../../support/fake-slack';
import { clientFor } from './quiet';

const incident = 'C0INCIDENT1';
const fake = new FakeSlack({ channels: [{ id: incident, name: 'inc-db', botIsMember: false }] });

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

async function respond(url: string, body: JsonObject): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

test('records each post and answers 200 ok, up to Slack’s 5 uses; the 6th is used_url', async () => {
  const url = fake.responseUrl('cmd-1', { channel: incident, user: 'U0ONCALL1' });
  for (let use = 1; use <= responseUrlMaxUses; use++) {
    await expect(respond(url, { text: `update ${use}` })).resolves.toEqual({ status: 200, text: 'ok' });
  }
  const sixth = await respond(url, { text: 'one too many' });
  expect(sixth.status).toBe(404);
  expect(JSON.parse(sixth.text)).toEqual({ ok: false, error: 'used_url' });
  expect(fake.responses('cmd-1').map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404]);
});

test('an expired response_url answers 404 expired_url', async () => {
  const url = fake.responseUrl('old');
  fake.expireResponseUrl('old');
  const answer = await respond(url, { text: 'late' });
  expect(answer.status).toBe(404);
  expect(JSON.parse(answer.text)).toMatchObject({ error: 'expired_url' });
});

test('refuses broken blocks and empty messages with 400 and a body that says why', async () => {
  const url = fake.responseUrl('cmd-2', { channel: incident, user: 'U0ONCALL1' });
  const tooLong = await respond(url, { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3_001) } }] });
  expect(tooLong.status).toBe(400);
  expect(JSON.parse(tooLong.text)).toMatchObject({
    ok: false,
    error: 'invalid_blocks',
    response_metadata: { messages: [expect.stringContaining('/blocks/0/text/text')] },
  });
  const empty = await respond(url, { response_type: 'ephemeral' });
  expect(empty.status).toBe(400);
  expect(JSON.parse(empty.text)).toMatchObject({ error: 'no_text' });
  // Refused posts do not use up the URL.
  await expect(respond(url, { text: 'fine' })).resolves.toMatchObject({ status: 200 });
});

test('lands where Slack puts it: ephemeral by default, in the channel when asked, even where the bot is not a member', async () => {
  const url = fake.responseUrl('cmd-3', { channel: incident, user: 'U0ONCALL1' });
  await respond(url, { text: 'only you can see this' });
  await respond(url, { text: 'everyone sees this', response_type: 'in_channel' });
  expect(fake.ephemerals('U0ONCALL1')).toMatchObject([{ channel: incident, text: 'only you can see this', via: 'response_url' }]);
  expect(fake.messages(incident)).toMatchObject([{ text: 'everyone sees this', history: [{ via: 'response_url' }] }]);
});

test('replace_original and delete_original act on the message clicked', async () => {
  const channel = 'C0JOINED';
  const card = await clientFor(fake).chat.postMessage({ channel, text: 'pending' });
  const url = fake.responseUrl('click-1', { channel, user: 'U0APPROVER', messageTs: card.ts! });

  await respond(url, { replace_original: true, text: 'approved' });
  expect(fake.messages(channel)).toMatchObject([{ ts: card.ts, text: 'approved' }]);
  expect(fake.messages(channel)[0]?.history.map((h) => h.via)).toEqual(['chat.postMessage', 'response_url']);

  await respond(url, { delete_original: true });
  expect(fake.messages(channel)).toEqual([]);
  expect(fake.message(channel, card.ts!)?.deleted).toBe(true);
});
