/**
 * PRODUCT.md §8, "Timeouts measure the vendor": the attempt's clock starts when the request is
 * sent, calls to one vendor are bounded and queue in order, and retries stay within a budget.
 */
import { Agent } from 'undici';
import { findOperation } from '../../../src/operations/catalog';
import type { SimulatorSeed } from '../../../src/simulator';
import type { VendorCall } from '../../../src/vendors/types';
import { Harness, vendorError } from './helpers';

const SITE = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const session = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function revoke(n: number): VendorCall {
  const operation = findOperation('revoke-access');
  if (!operation) throw new Error('no revoke-access operation');
  return operation.call(SITE, session(n));
}

/** One site with `count` sessions, 1 to `count`. */
function seedWith(count: number): SimulatorSeed {
  return {
    sites: [{ id: SITE, sessions: Array.from({ length: count }, (_, i) => session(i + 1)) }],
    vpnInstances: [],
    organizations: [],
  };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('the time budget starts when the request is sent', () => {
  test('80 calls through 32 connections, each answered in 60% of the budget: every one done, none timed out', async () => {
    harness = await Harness.start({ seed: seedWith(80), latencyMs: 600 });
    const client = harness.client('altostrat', { timeoutMs: 1000, maxInFlight: 32 });
    const results = await Promise.all(range(1, 80).map((n) => client.send(revoke(n))));
    expect(results.map((result) => result.status)).toEqual(Array(80).fill(204));
    expect(harness.simulator.calls.count()).toBe(80);
    expect(harness.simulator.calls.list().filter((record) => record.end !== 'answered')).toEqual([]);
    expect(harness.simulator.calls.maxInFlight).toBe(32);
  });

  test('a pool with fewer connections than calls let through: the wait for a connection is not timed either', async () => {
    harness = await Harness.start({ seed: seedWith(8), latencyMs: 300 });
    const pool = new Agent({ connections: 2 });
    try {
      const client = harness.client('altostrat', { timeoutMs: 500, maxInFlight: 8 }, { dispatcher: pool });
      const results = await Promise.all(range(1, 8).map((n) => client.send(revoke(n))));
      expect(results.map((result) => result.status)).toEqual(Array(8).fill(204));
      expect(harness.simulator.calls.count()).toBe(8);
      expect(harness.simulator.calls.maxInFlight).toBe(2);
    } finally {
      await pool.close();
    }
  });
});

describe('calls to one vendor are bounded and queue in order', () => {
  /** Two batches of `size` revocations made at once, as two bulk commands would. */
  const twoBatches = (client: ReturnType<Harness['client']>, size: number) =>
    Promise.all([range(1, size), range(size + 1, size)].map((batch) => Promise.all(batch.map((n) => client.send(revoke(n))))));

  test('two batches made at once never have more than maxInFlight calls at the vendor', async () => {
    harness = await Harness.start({ seed: seedWith(20), latencyMs: 50 });
    await twoBatches(harness.client('altostrat', { maxInFlight: 4 }), 10);
    expect(harness.simulator.calls.count()).toBe(20);
    expect(harness.simulator.calls.maxInFlight).toBe(4);
  });

  test('calls waiting for their turn are sent first come first served', async () => {
    harness = await Harness.start({ seed: seedWith(20), latencyMs: 5 });
    await twoBatches(harness.client('altostrat', { maxInFlight: 1 }), 10);
    expect(harness.simulator.calls.maxInFlight).toBe(1);
    // Each call names its own session: the order they reached the vendor is the order they were made.
    const received = harness.simulator.calls.list().map((record) => record.path.split('/').at(-1));
    expect(received).toEqual(range(1, 20).map(session));
  });
});

describe('retries stay within the budget', () => {
  test('a vendor that times out every call is sent at most 10% more calls than there are, plus 10', async () => {
    harness = await Harness.start({ seed: seedWith(100) });
    harness.simulator.faults.add({ action: { type: 'delay', ms: 10_000 } });
    const client = harness.client('altostrat', { timeoutMs: 100, maxInFlight: 32, retry: { attempts: 3 } });
    const errors = await Promise.all(range(1, 100).map((n) => vendorError(client.send(revoke(n)))));
    expect(errors.every((error) => error.kind === 'timeout' && error.outcome === 'unknown')).toBe(true);
    const sent = harness.simulator.calls.count();
    expect(sent).toBeLessThanOrEqual(100 * 1.1 + 10);
    // The floor and the share were spent: some calls were retried, the others report their one attempt.
    expect(sent).toBeGreaterThan(100);
    expect(errors.filter((error) => error.attempts === 1).length).toBeGreaterThan(0);
  });
});
