import { parseArgs } from 'node:util';

/** A vendor answering every call after `latencyMs`, and the VENDOR_TIMEOUT_MS twokey runs with against it. */
export interface SlowVendor {
  latencyMs: number;
  /** twokey's default (15 s) when absent. */
  timeoutMs?: number;
}

/** A part of the benchmark that can be run by itself. */
export const scenarios = ['slow-vendor'] as const;
export type Scenario = (typeof scenarios)[number];

export interface BenchOptions {
  /** A few seconds with small counts: proves the benchmark works; targets are reported, not enforced. */
  quick: boolean;
  /** Run only this scenario, judged by its own targets; absent, everything runs. */
  only?: Scenario;
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
  /** Bulks of `slowBulkTargets` sessions sent at the same instant to a slow vendor, each by a command of its own. */
  slowBulks: number;
  slowBulkTargets: number;
  slowBulkVendor: SlowVendor;
  /** One-session commands sent at an even pace over `pacedOverMs` to a slow vendor. */
  pacedCount: number;
  pacedOverMs: number;
  pacedVendor: SlowVendor;
  /** Start-ups timed per app (the load processes' own start counts as one). */
  starts: number;
  /** Quiet time after ready before idle memory is read. */
  settleMs: number;
  /**
   * Quiet time before each memory reading of the slow-vendor runs (after ready, after the last
   * result): long enough for V8 to collect what start-up or the load left behind, so that the
   * figures compare what twokey keeps rather than when its last collection happened to run.
   */
  slowSettleMs: number;
  /**
   * How long after the last result the memory the load left is judged: V8 gives freed pages back
   * to the system when its memory reducer runs, up to a minute after a load ends, so a reading
   * `slowSettleMs` after shows when that happened to run rather than what twokey keeps.
   */
  slowReleaseMs: number;
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
  slowBulks: 5,
  slowBulkTargets: 50,
  slowBulkVendor: { latencyMs: 9000 },
  pacedCount: 2000,
  pacedOverMs: 30_000,
  pacedVendor: { latencyMs: 2000 },
  starts: 5,
  settleMs: 1000,
  slowSettleMs: 10_000,
  slowReleaseMs: 90_000,
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
  // The slow-vendor runs scaled down: each vendor time with VENDOR_TIMEOUT_MS in the same
  // proportion to it as in the full run (9 s of 15 s; 2 s of 15 s); the bulks together still
  // wanting 40 calls at once (5 × VENDOR_CONCURRENCY), the paced commands over a hundred
  // (rate × vendor time: 67/s × 2 s in the full run, 300/s × 0.4 s here).
  slowBulkTargets: 20,
  slowBulkVendor: { latencyMs: 600, timeoutMs: 1000 },
  pacedCount: 300,
  pacedOverMs: 1000,
  pacedVendor: { latencyMs: 400, timeoutMs: 3000 },
  starts: 1,
  settleMs: 200,
  slowSettleMs: 200,
  slowReleaseMs: 200,
};

/** The timeout twokey runs with against `vendor`, as the report names it. */
export function timeoutSetting(vendor: SlowVendor): string {
  return vendor.timeoutMs === undefined ? 'VENDOR_TIMEOUT_MS unset (15 s default)' : `VENDOR_TIMEOUT_MS=${vendor.timeoutMs}`;
}

const usage = `npm run bench -- [--quick] [--only ${scenarios.join('|')}] [--count N] [--warmup N] [--rounds N]
                  [--concurrency N] [--latency MS] [--vendor-concurrency N] [--profile]`;

function whole(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new Error(`--${name} must be a whole number ≥ ${min}\n${usage}`);
  return number;
}

function scenario(value: string | undefined): Scenario | undefined {
  if (value === undefined) return undefined;
  const known = scenarios.find((name) => name === value);
  if (!known) throw new Error(`--only must be one of: ${scenarios.join(', ')}\n${usage}`);
  return known;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
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
    only: scenario(values.only),
    count: whole('count', values.count, base.count, 1),
    warmup: whole('warmup', values.warmup, base.warmup, 0),
    rounds: whole('rounds', values.rounds, base.rounds, 1),
    concurrency: whole('concurrency', values.concurrency, base.concurrency, 1),
    latencyMs: whole('latency', values.latency, base.latencyMs, 0),
    vendorConcurrency: whole('vendor-concurrency', values['vendor-concurrency'], base.vendorConcurrency, 1),
    profile: values.profile ?? false,
  };
}
