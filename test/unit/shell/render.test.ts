import { cardMessage } from '../../../src/messages/card';
import type { Message } from '../../../src/model/message';
import { plainText, renderMessage } from '../../../src/shell/render';
import type { RequestRecord } from '../../../src/model/request';

describe('plainText: mrkdwn as a terminal shows it', () => {
  test.each([
    ['a user mention', 'asked by <@U0123ABCD>', 'asked by @U0123ABCD'],
    ['a labelled link', 'see <https://docs.example.com/e|the docs>', 'see the docs (https://docs.example.com/e)'],
    ['a bare link', 'at <https://example.com>', 'at https://example.com'],
    ['a date token', 'Expires (<!date^1700000000^{date_short_pretty} {time}|2023-11-14T22:13:20.000Z>)', 'Expires (2023-11-14T22:13:20.000Z)'],
    ['a channel the shell does not know', 'in <#C0OTHER1>', 'in #C0OTHER1'],
    ['a labelled channel', 'in <#C0OTHER1|ops>', 'in #ops'],
    ['a user-group mention', 'ping <!subteam^S0ONCALL1>', 'ping @S0ONCALL1'],
    ['a special mention', '<!here> look', '@here look'],
    ['escaped entities, once', 'a &lt;b&gt; &amp;lt; c', 'a <b> &lt; c'],
    ['bold', '*404* `not_found`: *not* here', '404 `not_found`: not here'],
    ['italic', 'Reason: _none given_', 'Reason: none given'],
    ['underscores inside IDs', '`org_xyz789` `agrant_abc123` outcome_unknown', '`org_xyz789` `agrant_abc123` outcome_unknown'],
    ['the emoji twokey uses', ':no_entry: no, :x: failed', '⛔ no, ❌ failed'],
    ['colons that are not emoji', 'at 10:30:00 :unknown_thing:', 'at 10:30:00 :unknown_thing:'],
  ])('%s', (_what, mrkdwn, text) => {
    expect(plainText(mrkdwn)).toBe(text);
  });

  test('names channels it knows', () => {
    expect(plainText('See <#C0INCIDENT1>.', { channelNames: { C0INCIDENT1: 'inc-shell' } })).toBe('See #inc-shell.');
  });
});

describe('renderMessage', () => {
  const message: Message = {
    summary: 'Revoke transient access: 1 of 2 sessions done',
    tone: 'partial',
    title: 'Revoke transient access: 1 of 2 sessions done',
    body: ['First paragraph,\nsecond line.'],
    fields: [
      { label: 'Requested by', value: '<@U0123ABCD>' },
      { label: 'Reason', value: 'a &amp; b' },
    ],
    targets: [
      { ids: ['a'], status: 'succeeded', text: '`a` revoked' },
      { ids: ['b'], status: 'failed', text: '`b` failed — *404*: gone\n      → It may already be gone.' },
      { ids: ['c'], status: 'unknown', text: '`c` outcome unknown' },
      { ids: ['d'], status: 'planned', text: '`d`' },
    ],
    notes: ['Finished in 1 second.'],
    buttons: [
      { actionId: 'twokey_approve', text: 'Approve', value: 'R-7K3QXM', style: 'primary' },
      { actionId: 'twokey_deny', text: 'Deny', value: 'R-7K3QXM', style: 'danger' },
      { actionId: 'twokey_cancel', text: 'Cancel', value: 'R-7K3QXM' },
    ],
  };

  test('title with its tone, body, fields, targets with marks, notes, and buttons as what to type', () => {
    expect(renderMessage(message)).toEqual([
      '⚠️ Revoke transient access: 1 of 2 sessions done',
      'First paragraph,',
      'second line.',
      'Requested by: @U0123ABCD',
      'Reason: a & b',
      '✅ `a` revoked',
      '❌ `b` failed — 404: gone',
      '   → It may already be gone.',
      '⚠️ `c` outcome unknown',
      '• `d`',
      'Finished in 1 second.',
      '[approve R-7K3QXM] [deny R-7K3QXM] [cancel R-7K3QXM]',
    ]);
  });

  test('no escape codes unless asked for colour; then a bold heading and dim notes', () => {
    expect(renderMessage(message).join('\n')).not.toMatch(/\u001b/);
    const coloured = renderMessage(message, { colour: true });
    expect(coloured[0]).toBe('\u001b[1m⚠️ Revoke transient access: 1 of 2 sessions done\u001b[0m');
    expect(coloured).toContain('\u001b[2mFinished in 1 second.\u001b[0m');
  });

  test('without a title, the body leads; with neither, the summary does', () => {
    expect(renderMessage({ summary: 'no', tone: 'failure', body: [':no_entry: No.'] })).toEqual(['⛔ No.']);
    expect(renderMessage({ summary: 'Just <@U1>', tone: 'info' })).toEqual(['Just @U1']);
  });

  const grantRequest = (now: Date, fields: Partial<RequestRecord> = {}): RequestRecord => ({
    id: 'R-7K3QXM',
    operation: 'revoke-grant',
    requesterId: 'U0123ABCD',
    channelId: 'C0INCIDENT1',
    parentId: 'org_xyz789',
    targetIds: ['agrant_abc123def456'],
    reason: 'offboarding <contractor>',
    approvalsRequired: 1,
    status: 'pending',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 15 * 60_000),
    approvals: [],
    ...fields,
  });

  test('a finished card groups targets that ended alike, already gone with its own mark, vendor text as text', () => {
    const gone = (id: string) => ({
      targetId: id,
      status: 'already_gone' as const,
      error: { vendor: 'aitronos' as const, kind: 'http' as const, status: 404, message: 'Access grant not found', retryable: false, outcome: 'failed' as const },
      idempotent: true,
    });
    const request = grantRequest(new Date(0), {
      targetIds: ['agrant_a', 'agrant_b', 'agrant_c'],
      status: 'succeeded',
      approvals: [{ userId: 'U0456EFGH', at: new Date(0) }],
      results: [
        { targetId: 'agrant_a', status: 'succeeded', summary: 'revoked', idempotent: true },
        gone('agrant_b'),
        { ...gone('agrant_c'), error: { ...gone('agrant_c').error, docUrl: 'https://docs.example/x|click <here>' } },
      ],
    });
    const lines = renderMessage(cardMessage(request, new Date(0)));
    expect(lines[0]).toBe('✅ Revoke access grants: done for 1 grant, 2 already gone');
    expect(lines).toContain('✅ `agrant_a` revoked');
    expect(lines).toContain('☑️ `agrant_b` already gone — 404: Access grant not found');
    expect(lines).toContain('☑️ `agrant_c` already gone — 404: Access grant not found (docs `https://docs.example/x|click <here>`)');
  });

  test('an approval card reads as plain text, with its buttons', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const request = grantRequest(now);
    const text = renderMessage(cardMessage(request, now)).join('\n');
    expect(text).toContain('⚠️ Approval needed: Revoke access grants');
    expect(text).toContain('Requested by: @U0123ABCD');
    expect(text).toContain('Reason: offboarding <contractor>');
    expect(text).toContain('• `agrant_abc123def456`');
    expect(text).toContain('Expires in 15 minutes (2030-01-01T00:15:00.000Z) · request `R-7K3QXM`');
    expect(text.split('\n').at(-1)).toBe('[approve R-7K3QXM] [deny R-7K3QXM] [cancel R-7K3QXM]');
    expect(text).not.toMatch(/[<>]@|&(lt|gt|amp);|<!date/);
  });
});
