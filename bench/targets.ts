/** What the full benchmark must show (issues 7 and 12), each judged PASS or MISS with its figure. */
import type { BenchOptions } from './options';
import type { BenchResults } from './results';
import type { SlowVendorResults } from './slow-vendor';

export interface Target {
  name: string;
  figure: string;
  pass: boolean;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const times = (value: number) => `${value.toFixed(2)}×`;
const seconds = (ms: number) => `${ms / 1000} s`;

export function judge(results: Omit<BenchResults, 'targets' | 'profile' | 'durationS'>): Target[] {
  const { burst, heldBurst, sustained, bulk, bulkRateLimited, approval, ratios, slowVendor, options } = results;
  const vendorConcurrency = bulk.vendorConcurrency;
  const bulkRuns = [...bulk.runs, ...bulkRateLimited.runs];
  const worstFinal = Math.max(...bulk.runs.map((run) => run.finalMessageMs));
  const inFlight = bulkRuns.map((run) => run.maxInFlight);
  const gaps = bulkRateLimited.runs.map((run) => run.minRetryGapMs ?? 0);
  const rateLimited = bulkRateLimited.runs.reduce((sum, run) => sum + run.rateLimited, 0);
  const throughputRatio = sustained.twokey.throughputPerS / sustained.bare.throughputPerS;
  return [
    { name: 'burst of 50: ack p99 < 100 ms', figure: ms(burst.twokey.ackMs.p99), pass: burst.twokey.ackMs.p99 < 100 },
    {
      name: `burst of 50, vendor held ${heldBurst.holdMs / 1000} s: ack p99 < 200 ms`,
      figure: ms(heldBurst.ackMs.p99),
      pass: heldBurst.ackMs.p99 < 200,
    },
    {
      name: 'sustained throughput ≥ 0.3× bare Bolt',
      figure: `${times(throughputRatio)} (${sustained.twokey.throughputPerS.toFixed(0)} vs ${sustained.bare.throughputPerS.toFixed(0)}/s)`,
      pass: throughputRatio >= 0.3,
    },
    {
      name: `bulk ${bulk.targets} at ${bulk.latencyMs} ms: final message ≤ 1.0 s (worst run)`,
      figure: ms(worstFinal),
      pass: worstFinal <= 1000,
    },
    {
      name: `bulk: most in flight = VENDOR_CONCURRENCY (${vendorConcurrency}), ≥ 8, never more`,
      figure: inFlight.join(', '),
      pass: inFlight.every((n) => n === vendorConcurrency) && vendorConcurrency >= 8,
    },
    {
      name: 'bulk with 10% 429: waits Retry-After (1 s) before retrying',
      figure: `${rateLimited} × 429, shortest wait ${ms(Math.min(...gaps))}`,
      pass: rateLimited > 0 && gaps.every((gap) => gap >= 1000),
    },
    {
      name: 'bulk with 10% 429: every target revoked, none reported failed',
      figure: bulkRateLimited.runs.map((run) => run.finalText).join(' | '),
      pass: bulkRateLimited.runs.every((run) => run.allRevoked && run.allReportedDone),
    },
    { name: 'approval click → vendor call: p50 ≤ 20 ms', figure: ms(approval.clickToVendorMs.p50), pass: approval.clickToVendorMs.p50 <= 20 },
    { name: 'RSS idle ≤ 1.3× bare Bolt', figure: times(ratios.idleRss), pass: ratios.idleRss <= 1.3 },
    { name: 'start to ready ≤ 1.5× bare Bolt', figure: times(ratios.readyMs), pass: ratios.readyMs <= 1.5 },
    ...judgeSlowVendor(slowVendor, options),
  ];
}

/** The targets of the slow-vendor runs (issue 12). */
export function judgeSlowVendor({ bulks, paced }: SlowVendorResults, options: BenchOptions): Target[] {
  const slowBulks = `${bulks.commands} bulks of ${options.slowBulkTargets} at once, vendor ${seconds(bulks.vendor.latencyMs)}`;
  const pacedLoad = `${paced.commands} commands over ${seconds(options.pacedOverMs)}, vendor ${seconds(paced.vendor.latencyMs)}`;
  const callsPerTarget = paced.vendorCalls / paced.check.targets;
  const rssGrowth = paced.rssAfterMb / paced.idleRssMb;
  return [
    {
      name: `${slowBulks}: 0 targets misreported, every one revoked and reported done`,
      figure:
        `${bulks.check.misreported} of ${bulks.check.targets} misreported ` +
        `(${bulks.check.revoked} revoked by the vendor, ${bulks.check.reportedDone} reported done)`,
      pass: bulks.check.misreported === 0 && bulks.check.reportedDone === bulks.check.targets,
    },
    {
      name: `${pacedLoad}: vendor calls ≤ 1.05× targets`,
      figure: `${times(callsPerTarget)} (${paced.vendorCalls} calls for ${paced.check.targets} targets)`,
      pass: callsPerTarget <= 1.05,
    },
    {
      name: `${pacedLoad}: every result posted, saying done`,
      figure: `${paced.resultsPosted} of ${paced.commands} posted, ${paced.check.reportedDone} saying done`,
      pass: paced.resultsPosted === paced.commands && paced.check.reportedDone === paced.check.targets,
    },
    {
      name: `${pacedLoad}: RSS after the load ≤ 1.5× idle`,
      figure: `${times(rssGrowth)} (${paced.idleRssMb.toFixed(1)} → ${paced.rssAfterMb.toFixed(1)} MiB)`,
      pass: rssGrowth <= 1.5,
    },
  ];
}
