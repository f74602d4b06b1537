import { findOperation, type Operation } from '../../../src/operations/catalog';
import { parseCommand } from '../../../src/operations/grammar';
import { executeTargets, mapWithConcurrency, outcomeDetail, overallOutcome, storedResults } from '../../../src/requests/execute';
import type { VendorFailure } from '../../../src/model/failure';
import type { TargetResultStatus } from '../../../src/model/request';
import { VendorError } from '../../../src/vendors/errors';
import type { VendorCall, VendorClient, VendorClients } from '../../../src/vendors/types';

const site = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const target = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function command(name: string, text: string) {
  const parsed = parseCommand(findOperation(name) as Operation, text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.command;
}

function clients(send: (call: VendorCall) => Promise<{ status: number; body: unknown }>): VendorClients {
  const client = (vendor: 'altostrat' | 'aitronos'): VendorClient => ({ vendor, baseUrl: 'http://vendor', send, close: async () => undefined });
  return { altostrat: client('altostrat'), aitronos: client('aitronos') };
}

describe('running targets', () => {
  test('mapWithConcurrency keeps order and never exceeds the limit', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6, 7], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60, 70]);
    expect(peak).toBe(3);
  });

  test('every target ends with an outcome, whatever each call does', async () => {
    const cmd = command('revoke-access', `${site} ${target(1)} ${target(2)} ${target(3)} ${target(4)} ${target(5)}`);
    const outcomes = await executeTargets(
      cmd,
      clients(async (call) => {
        if (call.path.endsWith(target(2))) throw vendorError({ status: 404, message: 'gone' });
        if (call.path.endsWith(target(3))) throw new Error('bug in a client');
        if (call.path.endsWith(target(4))) throw vendorError({ kind: 'timeout', message: 'slow', retryable: true, outcome: 'unknown' });
        if (call.path.endsWith(target(5))) throw vendorError({ status: 409, message: 'locked' });
        return { status: 204, body: undefined };
      }),
      2,
    );
    expect(outcomes.map((o) => [o.targetId, o.status])).toEqual([
      [target(1), 'succeeded'],
      [target(2), 'already_gone'],
      [target(3), 'unknown'],
      [target(4), 'unknown'],
      [target(5), 'failed'],
    ]);
    expect(overallOutcome(outcomes)).toBe('partially_failed');
  });

  test("a removal's 404 means already gone; rotate's 404 (no such site) is a failure", async () => {
    const notFound = clients(async () => {
      throw vendorError({ status: 404, code: 'resource_not_found', message: 'no such thing' });
    });
    const [revoked] = await executeTargets(command('revoke-grant', 'org_xyz789 agrant_gone1'), notFound, 1);
    const [rotated] = await executeTargets(command('rotate-credentials', site), notFound, 1);
    expect(revoked.status).toBe('already_gone');
    expect(rotated.status).toBe('failed');
  });

  test('a removal a retry found gone is done, and keeps what the earlier attempt met', async () => {
    const earlierFailure = vendorError({ status: 503, message: 'Service Unavailable', retryable: true, outcome: 'unknown', attempts: 2 });
    const outcomes = await executeTargets(
      command('delete-peer', `${site} ${target(1)}`),
      clients(async () => ({ status: 404, body: undefined, earlierFailure })),
      1,
    );
    expect(outcomes[0]).toMatchObject({ status: 'succeeded', success: { summary: 'deleted' } });
    const [stored] = storedResults(outcomes);
    expect(stored).toMatchObject({ status: 'succeeded', summary: 'deleted', earlierFailure: { status: 503, attempts: 2, outcome: 'unknown' } });
    expect(outcomeDetail([stored])).toBe(`${target(1)}: done (503 Service Unavailable after 2 attempts; a retry found it gone)`);
  });

  test('an unreadable rotate answer is an unknown outcome, not a success', async () => {
    const cmd = command('rotate-credentials', site);
    const [outcome] = await executeTargets(cmd, clients(async () => ({ status: 200, body: { id: 'x' } })), 1);
    expect(outcome.status).toBe('unknown');
    expect(outcome.status !== 'succeeded' && outcome.error.kind).toBe('invalid_response');
  });

  const outcomesOf = (...statuses: TargetResultStatus[]) => statuses.map((status) => ({ status }));

  test.each([
    [['succeeded', 'succeeded'], 'succeeded'],
    [['already_gone', 'already_gone'], 'succeeded'],
    [['succeeded', 'already_gone'], 'succeeded'],
    [['failed', 'failed'], 'failed'],
    [['unknown'], 'outcome_unknown'],
    [['failed', 'unknown', 'failed'], 'outcome_unknown'],
    [['succeeded', 'failed'], 'partially_failed'],
    [['already_gone', 'unknown'], 'partially_failed'],
    [['succeeded', 'unknown', 'failed'], 'partially_failed'],
  ] as Array<[TargetResultStatus[], string]>)('targets %j: the request %s', (statuses, overall) => {
    expect(overallOutcome(outcomesOf(...statuses))).toBe(overall);
  });

  test('the audit detail says what became of each target that did not simply succeed, with the vendor\'s words', () => {
    const ended = (targetId: string, status: TargetResultStatus, fields: Partial<VendorFailure>) => ({
      targetId,
      status,
      error: { vendor: 'aitronos' as const, kind: 'http' as const, message: 'x', retryable: false, outcome: 'failed' as const, ...fields },
      idempotent: true,
    });
    const detail = outcomeDetail([
      { targetId: 'agrant_ok', status: 'succeeded', summary: 'revoked', idempotent: true },
      ended('agrant_a', 'already_gone', { status: 404, code: 'RESOURCE_NOT_FOUND', message: 'Not found', traceId: 't-1' }),
      ended('agrant_b', 'unknown', { kind: 'timeout', message: 'no answer within 1000 ms', outcome: 'unknown', attempts: 4 }),
      ended('agrant_c', 'failed', { status: 403, message: 'Forbidden' }),
    ]);
    expect(detail?.split('\n')).toEqual([
      'agrant_a: already gone (404 RESOURCE_NOT_FOUND Not found trace t-1)',
      'agrant_b: outcome unknown (no answer within 1000 ms after 4 attempts)',
      'agrant_c: failed (403 Forbidden)',
    ]);
    expect(outcomeDetail([{ targetId: 'agrant_ok', status: 'succeeded', summary: 'revoked', idempotent: true }])).toBeUndefined();
  });
});

function vendorError(fields: Partial<VendorFailure>): VendorError {
  return new VendorError({ vendor: 'altostrat', kind: 'http', message: 'x', retryable: false, outcome: 'failed', ...fields });
}
