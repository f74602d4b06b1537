import { explainFailure, outcomeHeadline, quoteVendor, resultMessage, secretMessage, targetLines } from '../../../src/messages/results';
import type { VendorFailure } from '../../../src/model/failure';
import type { RequestStatus, StoredFailure, StoredTargetResult, TargetResultStatus } from '../../../src/model/request';
import { blockKitLimits, renderBlocks } from '../../../src/slack/blocks';
import { VendorError } from '../../../src/vendors/errors';
import { finished, op, revoked, session, site } from './fixtures';

function vendorError(fields: Partial<VendorFailure>): VendorError {
  return new VendorError({ vendor: 'altostrat', kind: 'http', message: 'x', retryable: false, outcome: 'failed', ...fields });
}

function failure(fields: Partial<StoredFailure>): StoredFailure {
  return { vendor: 'altostrat', kind: 'http', message: 'x', retryable: false, outcome: 'failed', ...fields };
}

const notFound = (id: string, traceId?: string): StoredTargetResult => ({
  targetId: id,
  status: 'already_gone',
  error: failure({ status: 404, code: 'resource_not_found', message: `The transient access session ${id} does not exist on site ${site}.`, traceId }),
  idempotent: true,
});
const timedOut = (id: string): StoredTargetResult => ({
  targetId: id,
  status: 'unknown',
  error: failure({ kind: 'timeout', message: 'no answer within 15000 ms', retryable: true, outcome: 'unknown', attempts: 4 }),
  idempotent: true,
});
const refused = (id: string, status: number, message: string): StoredTargetResult => ({
  targetId: id,
  status: 'failed',
  error: failure({ status, message }),
  idempotent: true,
});


describe('what a vendor failure means for on-call', () => {
  test.each([
    [{ status: 401 }, 'revoke-access', 'rejected twokey\'s API token: an admin must renew ALTOSTRAT_API_TOKEN. Nothing was changed.'],
    [{ status: 401, vendor: 'aitronos' as const }, 'revoke-grant', 'renew AITRONOS_API_TOKEN'],
    [{ status: 403 }, 'delete-peer', 'lacks a permission (this call needs `vpn:delete`)'],
    [{ status: 404 }, 'rotate-credentials', 'The site does not exist'],
    [{ status: 429, attempts: 4 }, 'revoke-access', 'rate-limiting twokey after 4 attempts; nothing was changed'],
    [{ status: 502, outcome: 'unknown' as const, attempts: 4 }, 'revoke-access', 'Altostrat failed after 4 attempts. The outcome is unknown; running the command again is safe.'],
    [{ status: 500, outcome: 'unknown' as const }, 'rotate-credentials', 'the site may have been changed. Check it before trying again.'],
    [{ kind: 'timeout' as const, outcome: 'unknown' as const }, 'rotate-credentials', 'did not answer in time. The outcome is unknown: the site may have been changed'],
    [{ kind: 'connection' as const, outcome: 'failed' as const }, 'revoke-access', 'could not reach Altostrat; nothing was changed'],
    [{ kind: 'connection' as const, outcome: 'unknown' as const }, 'revoke-access', 'broke after the call was sent'],
    [{ kind: 'invalid_response' as const, status: 200, outcome: 'unknown' as const }, 'rotate-credentials', 'answered 200 with a body twokey could not read'],
  ])('%j on %s', (fields, name, expected) => {
    const operation = op(name);
    const idempotent = operation.call('p', 't').idempotent;
    expect(explainFailure(vendorError(fields), operation, idempotent)).toContain(expected);
  });

  test('quotes the vendor: status, code, message, trace id and doc link, escaped', () => {
    const text = quoteVendor(
      vendorError({ status: 404, code: 'resource_not_found', message: 'Site <b> & co', docUrl: 'https://docs.altostrat.io/errors/x' }),
      ['abc-123'],
    );
    expect(text).toBe('*404* `resource_not_found`: Site &lt;b&gt; &amp; co (trace `abc-123`, <https://docs.altostrat.io/errors/x|docs>)');
  });
});

describe('vendor text is data, never markup', () => {
  test.each([
    ['a pipe that would relabel the link', 'https://evil.example/x|Reset your password'],
    ['a broadcast inside the URL', 'https://evil.example/<!channel>'],
    ['a space', 'https://docs.altostrat.io/errors/x y'],
    ['plain http', 'http://docs.altostrat.io/errors/x'],
    ['another scheme', 'javascript:alert(1)'],
    ['credentials', 'https://user:secret@docs.altostrat.io/errors/x'],
    ['no URL at all', 'see our docs'],
  ])('a doc URL with %s is shown as text, never linked', (_what, docUrl) => {
    const text = quoteVendor(vendorError({ status: 404, docUrl }));
    expect(text).not.toMatch(/<[a-z]+:/);
    expect(text).not.toContain('<!');
    expect(text).toMatch(/docs `[^`]+`/);
  });

  test('a well-formed https doc URL is a link, its & escaped as Slack wants', () => {
    expect(quoteVendor(vendorError({ docUrl: 'https://docs.altostrat.io/errors?code=a&lang=en' }))).toContain(
      '<https://docs.altostrat.io/errors?code=a&amp;lang=en|docs>',
    );
  });

  test('a message, code and trace ID that try to mention or link are escaped', () => {
    const text = quoteVendor(
      vendorError({ status: 500, code: '<!channel>', message: 'Click <https://evil.example|here> <!here>' }),
      ['`<!everyone>'],
    );
    expect(text).not.toMatch(/<[!@#a-z]/);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('Click &lt;https://evil.example|here&gt; &lt;!here&gt;');
  });

  test('the label of a revealed secret is escaped in the notification text too', () => {
    const message = secretMessage(op('rotate-credentials'), site, 'password for <!channel>', 'pw');
    expect(JSON.stringify([message.summary, message.body])).not.toContain('<!channel>');
  });
});

describe('headlines: a request with any unknown target is never simply failed', () => {
  const resultOf: Record<TargetResultStatus, (id: string) => StoredTargetResult> = {
    succeeded: revoked,
    already_gone: notFound,
    unknown: timedOut,
    failed: (id) => refused(id, 409, 'locked'),
  };
  /** Results for sessions 1, 2, …: so many of each status, in order. */
  const mix = (...parts: Array<[TargetResultStatus, number]>) => {
    let n = 0;
    return parts.flatMap(([status, count]) => Array.from({ length: count }, () => resultOf[status](session((n += 1)))));
  };

  test.each([
    ['Revoke transient access: done for 3 sessions', 'succeeded', mix(['succeeded', 3]), 'success'],
    ['Revoke transient access: done for 1 session, 49 already gone', 'succeeded', mix(['succeeded', 1], ['already_gone', 49]), 'success'],
    ['Revoke transient access: the session was already gone', 'succeeded', mix(['already_gone', 1]), 'success'],
    ['Revoke transient access: all 2 sessions were already gone', 'succeeded', mix(['already_gone', 2]), 'success'],
    ['Revoke transient access: failed for all 2 sessions', 'failed', mix(['failed', 2]), 'failure'],
    ['Revoke transient access: outcome unknown for the session', 'outcome_unknown', mix(['unknown', 1]), 'unknown'],
    ['Revoke transient access: outcome unknown for 2 sessions, 1 failed', 'outcome_unknown', mix(['unknown', 2], ['failed', 1]), 'unknown'],
    [
      'Revoke transient access: 2 of 5 sessions done, 1 outcome unknown, 2 failed',
      'partially_failed',
      mix(['succeeded', 2], ['unknown', 1], ['failed', 2]),
      'unknown',
    ],
    [
      'Revoke transient access: 2 of 3 sessions done (1 already gone), 1 failed',
      'partially_failed',
      mix(['succeeded', 1], ['already_gone', 1], ['failed', 1]),
      'partial',
    ],
  ] as Array<[string, RequestStatus, StoredTargetResult[], string]>)('%s', (text, status, results, tone) => {
    expect(outcomeHeadline(finished(status, results))).toEqual({ text, tone });
  });

  test('a request twokey stopped while it ran: outcome unknown for every target', () => {
    const lost = finished('outcome_unknown', undefined, 'revoke-access', [session(1), session(2)]);
    expect(outcomeHeadline(lost)).toEqual({ text: 'Revoke transient access: outcome unknown for all 2 sessions', tone: 'unknown' });
    expect(targetLines(lost)).toEqual([
      expect.objectContaining({
        ids: [session(1), session(2)],
        status: 'unknown',
        text: expect.stringContaining('twokey stopped while the calls were under way'),
      }),
    ]);
  });
});

describe('target lines: grouped by outcome, unknown and failed first', () => {
  test('49 sessions already gone are one line naming all 49, not a failure', () => {
    const gone = Array.from({ length: 49 }, (_, i) => notFound(session(i + 2)));
    const lines = targetLines(finished('succeeded', [revoked(session(1)), ...gone]));
    expect(lines.map((line) => [line.status, line.ids.length])).toEqual([
      ['succeeded', 1],
      ['already_gone', 49],
    ]);
    const [, goneLine] = lines;
    for (const result of gone) expect(goneLine.text).toContain(`\`${result.targetId}\``);
    expect(goneLine.text).toContain('already gone — *404* `resource_not_found`: The transient access session … does not exist on site');
    expect(goneLine.text).toContain('The site or the session does not exist: already gone, or an ID is wrong. Nothing was left to do.');
    expect(goneLine.text).not.toContain('failed');
  });

  test('one target already gone keeps the vendor message whole', () => {
    const [line] = targetLines(finished('succeeded', [notFound(session(7))]));
    expect(line.text).toContain(`The transient access session ${session(7)} does not exist`);
  });

  test('distinct failures stay distinct; the same failure with different trace IDs shares a line that quotes a few', () => {
    const grantGone = (n: number): StoredTargetResult => ({
      targetId: `agrant_g${n}`,
      status: 'already_gone',
      error: failure({ vendor: 'aitronos', status: 404, code: 'RESOURCE_NOT_FOUND', message: 'Access grant not found', traceId: `trace-${n}` }),
      idempotent: true,
    });
    const lines = targetLines(
      finished(
        'partially_failed',
        [
          refused('agrant_a', 409, 'locked'),
          timedOut('agrant_b'),
          refused('agrant_c', 409, 'busy'),
          refused('agrant_d', 409, 'locked'),
          ...[1, 2, 3, 4, 5].map(grantGone),
        ],
        'revoke-grant',
      ),
    );
    expect(lines.map((line) => [line.status, line.ids])).toEqual([
      ['unknown', ['agrant_b']],
      ['failed', ['agrant_a', 'agrant_d']],
      ['failed', ['agrant_c']],
      ['already_gone', ['agrant_g1', 'agrant_g2', 'agrant_g3', 'agrant_g4', 'agrant_g5']],
    ]);
    expect(lines[3].text).toContain('traces `trace-1`, `trace-2`, `trace-3` and 2 more in the audit log');
  });

  test('an unknown outcome reads as unknown, never as failed', () => {
    const [line] = targetLines(finished('outcome_unknown', [timedOut(session(1))]));
    expect(line.text).toMatch(/^`[^`]+` outcome unknown — no answer within 15000 ms\n/);
    expect(line.text).toContain('Altostrat did not answer in time after 4 attempts. The outcome is unknown; running the command again is safe.');
  });

  test('a removal a retry found gone is done, and says why', () => {
    const result: StoredTargetResult = {
      ...revoked(session(1)),
      earlierFailure: failure({ status: 503, message: 'Service Unavailable', retryable: true, outcome: 'unknown', attempts: 2 }),
    };
    const [line] = targetLines(finished('succeeded', [result]));
    expect(line).toEqual({
      ids: [session(1)],
      status: 'succeeded',
      text: `\`${session(1)}\` revoked — Altostrat answered *503*, then a retry found it gone: the earlier attempt had done it.`,
    });
  });

  test('a 50-target result fits Block Kit, whatever the grouping, and names every target', () => {
    const noisy = (n: number) => refused(session(n), 400 + n, `${'<&>'.repeat(100)} ${n}`);
    const layouts = [
      Array.from({ length: 50 }, (_, i) => notFound(session(i + 1))),
      Array.from({ length: 50 }, (_, i) => noisy(i + 1)),
      Array.from({ length: 50 }, (_, i) => (i % 2 ? noisy(i + 1) : notFound(session(i + 1)))),
    ];
    for (const results of layouts) {
      const { blocks } = renderBlocks(resultMessage(finished('partially_failed', results)));
      expect(blocks.length).toBeLessThanOrEqual(blockKitLimits.blocks);
      for (const block of blocks) {
        if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(blockKitLimits.sectionText);
      }
      const shown = JSON.stringify(blocks);
      for (const result of results) expect(shown).toContain(`\`${result.targetId}\``);
    }
  });
});
