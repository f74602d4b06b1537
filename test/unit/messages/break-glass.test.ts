/**
 * What a break-glass use says (PRODUCT.md §10): its notice, the approvers' DMs and notes, the
 * audit channel's lines and `/twokey audit`'s first lines. Its reason is a person's text: it is
 * shown, always escaped, so it can neither mention the channel nor pass for a link.
 */
import { auditLine } from '../../../src/messages/audit-line';
import { breakGlassDm, breakGlassNote, unreviewedLines } from '../../../src/messages/break-glass';
import { cardMessage } from '../../../src/messages/card';
import { auditMessage } from '../../../src/messages/umbrella';
import type { Messenger } from '../../../src/model/ports';
import type { RequestRecord } from '../../../src/model/request';
import { finished, revoked, session } from './fixtures';

const hostile = 'laptop of <!channel> stolen, see <https://evil.test|the ticket>';
const use: RequestRecord = { ...finished('succeeded', [revoked(session(1))]), breakGlass: true, approvalsRequired: 2, reason: hostile };
const messenger = { permalink: () => undefined } as unknown as Messenger;
const everything = (message: { summary: string; title?: string; body?: string[]; fields?: { value: string }[]; notes?: string[] }) =>
  [message.summary, message.title, ...(message.body ?? []), ...(message.fields ?? []).map((field) => field.value), ...(message.notes ?? [])].join('\n');

describe('a break-glass use', () => {
  test('every message shows its reason escaped, never as markup', () => {
    const said = [
      everything(cardMessage(use, new Date(0))),
      everything(breakGlassDm(use, messenger)),
      auditLine({ kind: 'break_glass', request: use }).summary,
      unreviewedLines([use]).join('\n'),
    ];
    for (const text of said) {
      expect(text).toContain('laptop of &lt;!channel&gt; stolen, see &lt;https://evil.test|the ticket&gt;');
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<https://evil.test');
    }
  });

  test('its notice: what ran without approval, how it ended, and the Review button until someone reviews it', () => {
    const notice = cardMessage(use, new Date(0));
    expect(notice.title).toBe('🚨 Break-glass — Revoke transient access: done for 1 session');
    expect(notice.fields).toEqual(expect.arrayContaining([{ label: 'Approvals', value: 'none: break-glass (the policy asks for 2)' }]));
    expect(notice.buttons?.map((button) => [button.actionId, button.value])).toEqual([['twokey_review', 'R-TEST01']]);
    expect(notice.tone).toBe('warning');

    const reviewed = cardMessage({ ...use, review: { userId: 'U0APPROVER1', at: new Date(0) } }, new Date(0));
    expect(reviewed.buttons).toBeUndefined();
    expect(reviewed.fields).toEqual(expect.arrayContaining([{ label: 'Review', value: expect.stringMatching(/^reviewed by <@U0APPROVER1> <!date\^0\^/) }]));
    expect(reviewed.tone).toBe('success');

    const running = cardMessage({ ...use, status: 'executing', results: undefined }, new Date(0));
    expect(running.title).toBe('🚨 Break-glass — running: Revoke transient access');
  });

  test('the note in its thread names the approvers, or says nobody could review it', () => {
    expect(breakGlassNote(use, { userIds: ['U0APPROVER1'], usergroupIds: ['S0LEADS'] }).summary).toContain('<!subteam^S0LEADS>, <@U0APPROVER1>: review it');
    expect(breakGlassNote(use, { userIds: [], usergroupIds: [] }).summary).toContain('The policy names nobody who could review it.');
  });

  test('the audit channel: the use, then its outcome, then its review', () => {
    expect(auditLine({ kind: 'finished', request: use, status: 'succeeded' }).summary).toMatch(/, break-glass, without approval$/);
    expect(auditLine({ kind: 'reviewed', request: { ...use, review: { userId: 'U0APPROVER1', at: new Date(0) } } }).summary).toBe(
      '👀 `R-TEST01` break-glass use by <@U0ONCALL1> reviewed by <@U0APPROVER1>',
    );
  });

  test('/twokey audit puts unreviewed uses before the entries, and says nothing of them when there are none', () => {
    const entry = { id: 1, at: new Date(0), event: 'executed' as const, actorId: 'U0ONCALL1', targets: [] };
    const withUses = auditMessage([entry], 'in this channel', [use]);
    expect(withUses.tone).toBe('warning');
    expect(withUses.summary).toBe('1 unreviewed break-glass use; Last 1 audit entry in this channel');
    expect(withUses.body?.[0]).toContain('1 break-glass use not reviewed yet');
    expect(withUses.body?.indexOf('*Latest entries*')).toBe(2);

    const without = auditMessage([entry, { ...entry, id: 2 }], 'in this channel');
    expect(without).toMatchObject({ tone: 'info', summary: 'Last 2 audit entries in this channel' });
    expect(without.body).toHaveLength(2);
  });
});
