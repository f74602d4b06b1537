/**
 * One `/revoke-access` naming many sessions: how long until the last vendor answer and the
 * final channel message, how many calls ran at once, and whether 429s were ridden out.
 */
import type { FaultSpec } from '../src/simulator';
import { single } from './drive';
import { type Fixtures, site } from './fixtures';
import type { AppProcess } from './processes';
import type { VendorCallRecord } from './services-api';

const waitMs = 60_000;

export const rateLimitFault: FaultSpec = {
  method: 'DELETE',
  path: '/transient-accesses/',
  probability: 0.1,
  action: { type: 'rate_limit', retryAfterSeconds: 1 },
};

export interface BulkRun {
  /** From sending the command to the simulator answering its last call. */
  lastVendorAnswerMs: number;
  /** From sending the command to the result being posted in the channel. */
  finalMessageMs: number;
  maxInFlight: number;
  calls: number;
  rateLimited: number;
  /** Shortest wait between a 429 and the retry of the same call; absent without a 429. */
  minRetryGapMs?: number;
  /** Every target is gone from the simulator. */
  allRevoked: boolean;
  /** The final message reports every target done. */
  allReportedDone: boolean;
  finalText: string;
}

export interface BulkResults {
  targets: number;
  latencyMs: number;
  vendorConcurrency: number;
  runs: BulkRun[];
}

/** The shortest time from a 429 to the next call of the same path. */
function minRetryGap(calls: readonly VendorCallRecord[]): number | undefined {
  const gaps = calls.flatMap((call) => {
    if (call.status !== 429 || call.answeredAt === undefined) return [];
    const retry = calls.find((next) => next.path === call.path && next.receivedAt >= call.answeredAt!);
    return retry ? [retry.receivedAt - call.answeredAt] : [];
  });
  return gaps.length ? Math.min(...gaps) : undefined;
}

export async function bulk(fixtures: Fixtures, twokey: AppProcess, faults: FaultSpec[], repeats: number): Promise<BulkResults> {
  const { options, services } = fixtures;
  const runs: BulkRun[] = [];
  await services.api.configure({ latencyMs: options.bulkLatencyMs, faults });
  try {
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      const [command] = await fixtures.revokes(1, options.bulkTargets);
      await services.api.clear();
      const ack = await single(twokey.origin, command!.request);
      const [message] = await services.api.awaitMessages({ channels: [command!.channel], timeoutMs: waitMs });
      const { calls, maxInFlight } = await services.api.vendorCalls();
      const left = await services.api.sessionsLeft(site, command!.targets);
      const answered = calls.map((call) => call.answeredAt ?? Infinity);
      runs.push({
        lastVendorAnswerMs: Math.max(...answered) - ack.sentAt,
        finalMessageMs: message!.at - ack.sentAt,
        maxInFlight,
        calls: calls.length,
        rateLimited: calls.filter((call) => call.status === 429).length,
        minRetryGapMs: minRetryGap(calls),
        allRevoked: left.length === 0,
        allReportedDone: message!.text.endsWith(`done for ${options.bulkTargets} sessions`),
        finalText: message!.text,
      });
      await services.api.clear();
    }
  } finally {
    await services.api.configure({ latencyMs: options.latencyMs, faults: [] });
  }
  return { targets: options.bulkTargets, latencyMs: options.bulkLatencyMs, vendorConcurrency: options.vendorConcurrency, runs };
}
