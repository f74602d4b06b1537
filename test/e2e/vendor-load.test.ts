/**
 * PRODUCT.md §8, "Timeouts measure the vendor": two bulk commands at once, through the real bot,
 * against a vendor that answers each call in 60% of its time budget.
 */
import { Harness, ids, incidentChannel, messageText } from '../support/harness';

const sessions = (from: number, count: number) => Array.from({ length: count }, (_, i) => ids.session(from + i));

describe('calls to a slow vendor from two commands at once', () => {
  let harness: Harness;
  beforeAll(async () => {
    // Each command alone may run 20 calls at once; both together get 10.
    harness = await Harness.start({
      env: { VENDOR_TIMEOUT_MS: '1000', VENDOR_CONCURRENCY: '20', VENDOR_MAX_IN_FLIGHT: '10' },
    });
  });
  afterAll(() => harness.stop());

  test('share the per-vendor bound, wait their turn untimed, and every target is done, none a timeout', async () => {
    harness.simulator.faults.add({ method: 'DELETE', action: { type: 'delay', ms: 600 } });
    const batches = [sessions(1, 30), sessions(31, 30)];
    await Promise.all(batches.map((targets) => harness.command('/revoke-access', `${ids.site} ${targets.join(' ')}`)));

    for (const targets of batches) {
      // Sixty calls ten at a time, 600 ms each: about four seconds.
      const message = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(targets[0]), 15_000);
      expect(message.text).toBe('Revoke transient access: done for 30 sessions');
      expect(messageText(message)).not.toContain('outcome unknown');
    }
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(60);
    expect(harness.simulator.calls.list().every((call) => call.end === 'answered' && call.status === 204)).toBe(true);
    expect(harness.simulator.calls.maxInFlight).toBe(10);
  });
});
