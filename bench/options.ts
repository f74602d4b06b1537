import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** A few seconds with small counts: proves the benchmark works; targets are reported, not enforced. */
  quick: boolean;
  /** Measured commands per sustained-load round, after `warmup` unmeasured ones. */
  count: number;
  warmup: number;
  /** Sustained-load rounds per app, alternating twokey and the bare app (A B A B). */
  rounds: number;
  /** Requests kept in flight during sustained load. */
  concurrency: number;
  /** Simulated vendor latency per call, except in the bulk runs. */
  latencyMs: number;
  /** Commands per burst, all sent at the same instant. */
  burstSize: number;
  burstRepeats: number;
  /** How long the simulator holds every vendor call in the held burst. */
  holdMs: number;
  holdRepeats: number;
  /** Lone commands and lone approval clicks, one at a time. */
  singles: number;
  bulkTargets: number;
  bulkLatencyMs: number;
  bulkRepeats: number;
  /** Start-ups timed per app (the load processes' own start counts as one). */
  starts: number;
  /** Quiet time after ready before idle memory is read. */
  settleMs: number;
  /** VENDOR_CONCURRENCY given to twokey. */
  vendorConcurrency: number;
  /** Profile twokey under load even when every target passes. */
  profile: boolean;
}

const full: BenchOptions = {
  quick: false,
  count: 1000,
  // Enough for both apps' hot paths to be compiled before the clock starts.
  warmup: 500,
  rounds: 2,
  concurrency: 50,
  latencyMs: 50,
  burstSize: 50,
  burstRepeats: 5,
  holdMs: 2000,
  holdRepeats: 3,
  singles: 20,
  bulkTargets: 50,
  bulkLatencyMs: 100,
  bulkRepeats: 3,
  starts: 5,
  settleMs: 1000,
  vendorConcurrency: 8,
  profile: false,
};

const quick: BenchOptions = {
  ...full,
  quick: true,
  count: 150,
  warmup: 20,
  rounds: 1,
  burstRepeats: 1,
  holdMs: 500,
  holdRepeats: 1,
  singles: 3,
  bulkRepeats: 1,
  starts: 1,
  settleMs: 200,
};

const usage = `npm run bench -- [--quick] [--count N] [--warmup N] [--rounds N] [--concurrency N]
                  [--latency MS] [--vendor-concurrency N] [--profile]`;

function whole(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new Error(`--${name} must be a whole number ≥ ${min}\n${usage}`);
  return number;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      count: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      latency: { type: 'string' },
      'vendor-concurrency': { type: 'string' },
      profile: { type: 'boolean' },
    },
  });
  const base = values.quick ? quick : full;
  return {
    ...base,
    count: whole('count', values.count, base.count, 1),
    warmup: whole('warmup', values.warmup, base.warmup, 0),
    rounds: whole('rounds', values.rounds, base.rounds, 1),
    concurrency: whole('concurrency', values.concurrency, base.concurrency, 1),
    latencyMs: whole('latency', values.latency, base.latencyMs, 0),
    vendorConcurrency: whole('vendor-concurrency', values['vendor-concurrency'], base.vendorConcurrency, 1),
    profile: values.profile ?? false,
  };
}
