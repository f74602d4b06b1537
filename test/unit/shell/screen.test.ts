import type { Message } from '../../../src/model/message';
import { shellMessenger, shellReplies } from '../../../src/shell/messenger';
import { Screen } from '../../../src/shell/screen';

const twoLines: Message = { summary: 's', tone: 'info', title: 'Title', body: ['<@U0456EFGH> said so'] };
const card: Message = {
  summary: 'Approval needed',
  tone: 'warning',
  title: 'Approval needed: Revoke access grants',
  buttons: [{ actionId: 'twokey_approve', text: 'Approve', value: 'R-7K3QXM' }],
};

function screen(viewer = 'U0123ABCD') {
  let text = '';
  const shown = new Screen({ write: (chunk) => (text += chunk), channelNames: { C0INCIDENT1: 'inc-shell' } }, viewer);
  return { screen: shown, text: () => text };
}

describe('where a message appears, marked on its first line', () => {
  test('channel messages are plain, their further lines indented', () => {
    const { screen: shown, text } = screen();
    shown.show(twoLines, { in: 'channel' });
    expect(text()).toBe('ℹ️ Title\n  @U0456EFGH said so\n');
  });

  test('ephemeral messages say whom they are for', () => {
    const { screen: shown, text } = screen();
    shown.show(twoLines, { in: 'ephemeral', userId: 'U0123ABCD' });
    shown.show(twoLines, { in: 'ephemeral', userId: 'U0456EFGH' });
    expect(text()).toBe('(only you) ℹ️ Title\n  @U0456EFGH said so\n(only @U0456EFGH) ℹ️ Title\n  @U0456EFGH said so\n');
  });

  test('thread replies, card updates and direct messages', () => {
    const { screen: shown, text } = screen();
    shown.show(twoLines, { in: 'thread' });
    shown.show(twoLines, { in: 'card-update', requestId: 'R-7K3QXM' });
    shown.show(twoLines, { in: 'dm', userId: 'U0123ABCD' });
    expect(text().split('\n')).toEqual([
      '  ↳ ℹ️ Title',
      '    @U0456EFGH said so',
      'card R-7K3QXM updated: ℹ️ Title',
      '  @U0456EFGH said so',
      '(DM to @U0123ABCD) ℹ️ Title',
      '  @U0456EFGH said so',
      '',
    ]);
  });
});

describe('the shell messenger and replies', () => {
  test("a card's updates name its request; its thread replies are indented", async () => {
    const { screen: shown, text } = screen();
    const messenger = shellMessenger(shown);
    const ref = await messenger.post('C0INCIDENT1', card);
    await messenger.post('C0INCIDENT1', { summary: 'ok', tone: 'info', body: ['approved'] }, { threadOf: ref });
    await messenger.update(ref, { ...card, buttons: undefined, title: 'Denied' });
    expect(text().split('\n')).toEqual([
      '⚠️ Approval needed: Revoke access grants',
      '  [approve R-7K3QXM]',
      '  ↳ approved',
      'card R-7K3QXM updated: ⚠️ Denied',
      '',
    ]);
    expect(messenger.permalink(ref)).toBeUndefined();
  });

  test('whispers follow whoever sits at the keyboard', async () => {
    const { screen: shown, text } = screen();
    const messenger = shellMessenger(shown);
    await messenger.whisper('C0INCIDENT1', 'U0456EFGH', { summary: 'psst', tone: 'info' });
    shown.viewer = 'U0456EFGH';
    await messenger.whisper('C0INCIDENT1', 'U0456EFGH', { summary: 'psst', tone: 'info' });
    expect(text()).toBe('(only @U0456EFGH) psst\n(only you) psst\n');
  });

  test('replies to a command go to the channel or to the one who typed it', async () => {
    const { screen: shown, text } = screen();
    const replies = shellReplies(shown, 'U0123ABCD');
    await replies.toChannel({ summary: 'for all', tone: 'success' });
    await replies.toUser({ summary: 'for you', tone: 'info' });
    expect(text()).toBe('for all\n(only you) for you\n');
  });
});
