/** Every figure of one run, as written to results.json, and the machine it ran on. */
import os from 'node:os';
import type { BulkResults } from './bulk';
import type { ApprovalResults, SingleResults } from './latency';
import type { BurstResults, HeldBurstResults, SustainedResults } from './load';
import type { BenchOptions } from './options';
import type { AppKind } from './processes';
import type { LoadProfile, ProfileSummary } from './profile';
import type { SlowVendorResults } from './slow-vendor';
import { ratio, type Summary } from './stats';
import type { Target } from './targets';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

export interface StartupFigures {
  readyMs: Summary;
  idleRssMb: Summary;
}

/** twokey / bare Bolt, for every figure measured on both. */
export interface Ratios {
  sustainedAck: Pick<Summary, 'p50' | 'p90' | 'p99' | 'max'>;
  throughput: number;
  burstAck: Pick<Summary, 'p50' | 'p90' | 'p99' | 'max'>;
  readyMs: number;
  idleRss: number;
  rssAfterLoad: number;
}

export interface BenchResults {
  machine: Machine;
  options: BenchOptions;
  /** Medians over the start-ups (n in each summary). */
  startup: Record<AppKind, StartupFigures>;
  rssAfterLoadMb: Record<AppKind, number>;
  sustained: SustainedResults;
  burst: BurstResults;
  heldBurst: HeldBurstResults;
  singles: SingleResults;
  approval: ApprovalResults;
  bulk: BulkResults;
  bulkRateLimited: BulkResults;
  /** Each on a twokey of its own, started for it. */
  slowVendor: SlowVendorResults;
  ratios: Ratios;
  targets: Target[];
  /** Taken when a target was missed (full run) or --profile was given. */
  profile?: { load: LoadProfile; startup: ProfileSummary };
  /** Wall time of the benchmark itself, build excluded. */
  durationS: number;
}

function summaryRatio(product: Summary, bare: Summary): Ratios['sustainedAck'] {
  return {
    p50: ratio(product.p50, bare.p50),
    p90: ratio(product.p90, bare.p90),
    p99: ratio(product.p99, bare.p99),
    max: ratio(product.max, bare.max),
  };
}

export function ratios(results: Pick<BenchResults, 'startup' | 'rssAfterLoadMb' | 'sustained' | 'burst'>): Ratios {
  const { startup, rssAfterLoadMb, sustained, burst } = results;
  return {
    sustainedAck: summaryRatio(sustained.twokey.ackMs, sustained.bare.ackMs),
    throughput: ratio(sustained.twokey.throughputPerS, sustained.bare.throughputPerS),
    burstAck: summaryRatio(burst.twokey.ackMs, burst.bare.ackMs),
    readyMs: ratio(startup.twokey.readyMs.p50, startup.bare.readyMs.p50),
    idleRss: ratio(startup.twokey.idleRssMb.p50, startup.bare.idleRssMb.p50),
    rssAfterLoad: ratio(rssAfterLoadMb.twokey, rssAfterLoadMb.bare),
  };
}
