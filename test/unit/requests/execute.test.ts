import { findOperation, type Operation } from '../../../src/operations/catalog';
import { parseCommand } from '../../../src/operations/grammar';
import { executeTargets, mapWithConcurrency, overallOutcome } from '../../../src/requests/execute';
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
    const cmd = command('revoke-access', `${site} ${target(1)} ${target(2)} ${target(3)} ${target(4)}`);
    const outcomes = await executeTargets(
      cmd,
      clients(async (call) => {
        if (call.path.endsWith(target(2))) {
          throw new VendorError({ vendor: 'altostrat', kind: 'http', status: 404, message: 'gone', retryable: false, outcome: 'failed' });
        }
        if (call.path.endsWith(target(3))) throw new Error('bug in a client');
        if (call.path.endsWith(target(4))) {
          throw new VendorError({ vendor: 'altostrat', kind: 'timeout', message: 'slow', retryable: true, outcome: 'unknown' });
        }
        return { status: 204, body: undefined };
      }),
      2,
    );
    expect(outcomes.map((o) => [o.targetId, o.status])).toEqual([
      [target(1), 'succeeded'],
      [target(2), 'failed'],
      [target(3), 'unknown'],
      [target(4), 'unknown'],
    ]);
    expect(overallOutcome(outcomes)).toBe('partially_failed');
  });

  test('an unreadable rotate answer is an unknown outcome, not a success', async () => {
    const cmd = command('rotate-credentials', site);
    const [outcome] = await executeTargets(cmd, clients(async () => ({ status: 200, body: { id: 'x' } })), 1);
    expect(outcome.status).toBe('unknown');
    expect(outcome.status !== 'succeeded' && outcome.error.kind).toBe('invalid_response');
  });

  test('overall outcome', () => {
    const call = { vendor: 'altostrat' as const, method: 'DELETE' as const, path: '/', idempotent: true };
    const ok = { targetId: 'a', call, status: 'succeeded' as const, success: { summary: 'done' } };
    const failed = {
      targetId: 'b',
      call,
      status: 'failed' as const,
      error: new VendorError({ vendor: 'altostrat', kind: 'http', message: 'x', retryable: false, outcome: 'failed' }),
    };
    expect(overallOutcome([ok, ok])).toBe('succeeded');
    expect(overallOutcome([failed, failed])).toBe('failed');
    expect(overallOutcome([ok, failed])).toBe('partially_failed');
  });
});
