/**
 * The fake Slack's modals: views.open takes only a trigger_id it issued, once and within 3
 * seconds, and only a view Slack would take; views.update and the answers to a submission change
 * the view as Slack would, and what Slack would refuse is refused. Driven by a real WebClient.
 */
import type { JsonObject } from '../../support/fake-slack';
import { slackError, startedFakeSlack } from './quiet';

const { fake, client } = startedFakeSlack();

const plain = (text: string) => ({ type: 'plain_text', text });
const textInput = (blockId: string): JsonObject => ({
  type: 'input',
  block_id: blockId,
  label: plain('Reason'),
  element: { type: 'plain_text_input', action_id: blockId },
});
const modal = (extra: JsonObject = {}): JsonObject => ({
  type: 'modal',
  title: plain('Revoke access'),
  submit: plain('Submit'),
  blocks: [textInput('reason')],
  ...extra,
});
const option = (value: string, text = value) => ({ value, text: plain(text) });

async function open(view: unknown, triggerId = fake.issueTriggerId('U0ONCALL1')): Promise<{ view: JsonObject }> {
  return (await client().apiCall('views.open', { trigger_id: triggerId, view })) as unknown as { view: JsonObject };
}

/** The messages an `invalid_arguments` answer carries. */
async function refusal(view: unknown): Promise<string[]> {
  const error = await slackError(open(view));
  expect(error.error).toBe('invalid_arguments');
  return error.messages;
}

describe('views.open', () => {
  test('opens a valid modal for the user of the trigger, and records it', async () => {
    const triggerId = fake.issueTriggerId('U0ONCALL1');
    const answer = await open(modal({ private_metadata: 'step-1' }), triggerId);
    const view = answer.view;
    expect(view).toMatchObject({ type: 'modal', private_metadata: 'step-1', id: expect.stringMatching(/^V/) });
    expect(fake.views()).toEqual([expect.objectContaining({ id: view.id, user: 'U0ONCALL1', triggerId, closed: false })]);
  });

  test('takes a trigger_id it issued, once, within 3 seconds', async () => {
    expect((await slackError(open(modal(), 'made.up.trigger'))).error).toBe('invalid_trigger_id');
    const triggerId = fake.issueTriggerId();
    await open(modal(), triggerId);
    expect((await slackError(open(modal(), triggerId))).error).toBe('exchanged_trigger_id');
    const stale = fake.issueTriggerId();
    fake.expireTriggerId(stale);
    expect((await slackError(open(modal(), stale))).error).toBe('expired_trigger_id');

    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask'] });
    try {
      const old = fake.issueTriggerId();
      jest.setSystemTime(Date.now() + 3_001);
      expect((await slackError(open(modal(), old))).error).toBe('expired_trigger_id');
    } finally {
      jest.useRealTimers();
    }
  });

  test('refuses what Slack refuses in a view', async () => {
    expect(await refusal(modal({ title: plain('A title of twenty-five ch') }))).toEqual([expect.stringContaining('/view/title/text')]);
    expect(await refusal(modal({ type: 'home' }))).toEqual([expect.stringContaining('must be modal')]);
    expect(await refusal(modal({ submit: undefined }))).toEqual([expect.stringContaining('submit')]);
    expect(await refusal(modal({ private_metadata: 'x'.repeat(3_001) }))).toEqual([expect.stringContaining('private_metadata')]);
    expect(await refusal(modal({ callback_id: 'x'.repeat(256) }))).toEqual([expect.stringContaining('callback_id')]);
    expect(await refusal(modal({ blocks: Array.from({ length: 101 }, (_, i) => textInput(`b${i}`)) }))).toEqual([
      expect.stringContaining('no more than 100 items'),
    ]);
    expect(await refusal(modal({ blocks: [{ type: 'input', element: { type: 'plain_text_input' } }] }))).toEqual([
      expect.stringContaining('missing required field: label'),
    ]);
    const select = (options: unknown[]) => ({ type: 'input', label: plain('Site'), element: { type: 'static_select', action_id: 's', options } });
    expect(await refusal(modal({ blocks: [select(Array.from({ length: 101 }, (_, i) => option(`o${i}`)))] }))).toEqual([
      expect.stringContaining('no more than 100 items'),
    ]);
    expect(await refusal(modal({ blocks: [select([option('a', 'x'.repeat(76))])] }))).toEqual([expect.stringContaining('/options/0/text/text')]);
    expect(await refusal(modal({ blocks: [select([option('v'.repeat(151), 'a')])] }))).toEqual([expect.stringContaining('/options/0/value')]);
    const external = { type: 'input', label: plain('Sessions'), element: { type: 'multi_external_select', action_id: 't', options: [option('a')] } };
    expect(await refusal(modal({ blocks: [external] }))).toEqual([expect.stringContaining('invalid additional property: options')]);
  });
});

describe('views.update and answers to a submission', () => {
  test('views.update replaces the view; a stale hash is hash_conflict, an unknown view not_found', async () => {
    const opened = (await open(modal())).view as { id: string; hash: string };
    await client().apiCall('views.update', { view_id: opened.id, hash: opened.hash, view: modal({ title: plain('Step two') }) });
    expect(fake.views()[0]!.view.title).toEqual(plain('Step two'));
    expect((await slackError(client().apiCall('views.update', { view_id: opened.id, hash: opened.hash, view: modal() }))).error).toBe('hash_conflict');
    expect((await slackError(client().apiCall('views.update', { view_id: 'VNOPE', view: modal() }))).error).toBe('not_found');
  });

  test('update, errors and an empty ack act on the view; what Slack would refuse throws', async () => {
    const { id } = (await open(modal())).view as { id: string };
    expect(() => fake.answerViewSubmission(id, { response_action: 'update', view: modal({ title: plain('x'.repeat(25)) }) })).toThrow('/view/title');
    expect(fake.answerViewSubmission(id, { response_action: 'update', view: modal({ callback_id: 'two' }) }).view.callback_id).toBe('two');
    expect(() => fake.answerViewSubmission(id, { response_action: 'errors', errors: { nowhere: 'no such block' } })).toThrow('nowhere');
    expect(fake.answerViewSubmission(id, { response_action: 'errors', errors: { reason: 'Required.' } }).errors).toEqual({ reason: 'Required.' });
    expect(fake.answerViewSubmission(id, undefined).closed).toBe(true);
  });

  test('an options answer holds at most 100 options of at most 75 characters', () => {
    expect(() => fake.checkOptionsAnswer({ options: [option('a')] })).not.toThrow();
    expect(() => fake.checkOptionsAnswer({ options: Array.from({ length: 101 }, (_, i) => option(`o${i}`)) })).toThrow('100');
    expect(() => fake.checkOptionsAnswer({ options: [option('a', 'x'.repeat(76))] })).toThrow('text');
    expect(() => fake.checkOptionsAnswer({})).toThrow('options');
  });
});

describe('views.publish', () => {
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const home = (blocks: unknown[] = [section('hello')]) => ({ type: 'home', blocks });

  test("sets a user's Home tab, keeping every version published, per user", async () => {
    await client().apiCall('views.publish', { user_id: 'U0ONCALL1', view: home([section('one')]) });
    const answer = (await client().apiCall('views.publish', { user_id: 'U0ONCALL1', view: home([section('two')]) })) as unknown as { view: JsonObject };
    await client().apiCall('views.publish', { user_id: 'U0ADMIN1', view: home() });
    expect(answer.view).toMatchObject({ type: 'home', id: expect.stringMatching(/^V/) });
    const [oncall, admin] = fake.homes();
    expect(oncall).toMatchObject({ id: answer.view.id, user: 'U0ONCALL1' });
    expect(oncall?.history.map((version) => JSON.stringify(version.view))).toEqual([
      expect.stringContaining('one'),
      expect.stringContaining('two'),
    ]);
    expect(JSON.stringify(oncall?.view)).toContain('two');
    expect(admin?.user).toBe('U0ADMIN1');
  });

  test('refuses what Slack refuses: a modal, over 100 blocks, a repeated action_id, no such user', async () => {
    const publish = (user: string, view: unknown) => slackError(client().apiCall('views.publish', { user_id: user, view }));
    expect((await publish('U0ONCALL1', modal())).messages.join()).toContain('must be home');
    expect((await publish('U0ONCALL1', home(Array.from({ length: 101 }, () => section('x'))))).messages.join()).toContain('no more than 100');
    const button = { type: 'button', action_id: 'same', text: plain('Go') };
    const repeated = home([{ type: 'actions', elements: [button] }, { type: 'actions', elements: [button] }]);
    expect((await publish('U0ONCALL1', repeated)).messages.join()).toContain('duplicate action_id');
    expect((await publish('not-a-user', home())).error).toBe('user_not_found');
    expect(fake.homes()).toEqual([]);
  });
});
