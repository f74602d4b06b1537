/**
 * twokey against a slow vendor (issue 12), each run on a twokey started for it: bulks sent at
 * the same instant to a vendor that answers inside the per-attempt budget, and commands at an
 * even pace to a vendor whose calls pile up. What each result reports is checked target by
 * target against what the simulator did.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { statusIcon } from '../src/messages/format';
import type { TargetStatus } from '../src/model/message';
import { type Ack, burst, paced } from './drive';
import type { Fixtures, PlannedCommand } from './fixtures';
import type { SlowVendor } from './options';
import { launch } from './processes';
import type { SignedRequest } from './slack-requests';
import type { Posted, VendorCallRecord } from './services-api';
import { type Summary, summarize } from './stats';
import { targetOf } from './timeline';

export interface TargetCheck {
  targets: number;
  /** Targets whose call the simulator answered 204: the vendor revoked them. */
  revoked: number;
  /** Targets a posted result reports done. */
  reportedDone: number;
  /** Targets whose result is missing, or says done when the vendor did not revoke them or otherwise when it did. */
  misreported: number;
}

export interface SlowVendorRun {
  vendor: SlowVendor;
  commands: number;
  ackMs: Summary;
  resultsPosted: number;
  /** From the first command sent to the last result posted. */
  lastResultMs: number;
  /** Every call the simulator received, those twokey gave up on included. */
  vendorCalls: number;
  /** Calls twokey gave up on before the simulator answered (its timeout). */
  cutOff: number;
  maxInFlight: number;
  /** twokey's RSS `slowSettleMs` after ready, `slowSettleMs` after the results, and `slowReleaseMs` after them (what is judged). */
  idleRssMb: number;
  rssSoonAfterMb: number;
  rssAfterMb: number;
  check: TargetCheck;
}

export interface SlowVendorResults {
  bulks: SlowVendorRun;
  paced: SlowVendorRun;
}

const icons = Object.entries(statusIcon) as [TargetStatus, string][];
const leadingId = /^`([^`]+)`(?:, )?/;

/** What a posted result says of each target it names, read from its target lines: target ID → status. */
function reportedStatuses(message: Posted): Map<string, TargetStatus> {
  const statuses = new Map<string, TargetStatus>();
  for (const block of message.blocks ?? []) {
    const text = (block as { text?: { text?: unknown } }).text?.text;
    if (block.type !== 'section' || typeof text !== 'string') continue;
    for (const line of text.split('\n')) {
      const [status, icon] = icons.find(([, icon]) => line.startsWith(`${icon} `)) ?? [];
      if (!status || !icon) continue;
      // A target line names its targets first (`id`, `id`, …), then what became of them.
      let rest = line.slice(icon.length + 1);
      for (let id = leadingId.exec(rest); id; id = leadingId.exec(rest)) {
        statuses.set(id[1]!, status);
        rest = rest.slice(id[0].length);
      }
    }
  }
  return statuses;
}

function checkTargets(commands: readonly PlannedCommand[], posted: readonly Posted[], calls: readonly VendorCallRecord[]): TargetCheck {
  const revoked = new Set(calls.filter((call) => call.status === 204).map(targetOf));
  const reported = new Map(posted.flatMap((message) => [...reportedStatuses(message)]));
  const targets = commands.flatMap((command) => command.targets);
  const done = targets.filter((target) => reported.get(target) === 'succeeded');
  const misreported = targets.filter(
    (target) => !reported.has(target) || (reported.get(target) === 'succeeded') !== revoked.has(target),
  );
  return { targets: targets.length, revoked: revoked.size, reportedDone: done.length, misreported: misreported.length };
}

type Sender = (origin: string, requests: readonly SignedRequest[]) => Promise<Ack[]>;

/**
 * Starts a twokey with the vendor's VENDOR_TIMEOUT_MS, sends `commands` with `send` while the
 * simulator answers every call after the vendor's latency, and waits for their results.
 */
async function slowVendorRun(fixtures: Fixtures, vendor: SlowVendor, commands: PlannedCommand[], send: Sender): Promise<SlowVendorRun> {
  const { options, services } = fixtures;
  const env: Record<string, string> = vendor.timeoutMs === undefined ? {} : { VENDOR_TIMEOUT_MS: String(vendor.timeoutMs) };
  const twokey = await launch('twokey', fixtures.launchSetup('twokey', env));
  const targets = commands.reduce((sum, command) => sum + command.targets.length, 0);
  // As long as the calls would take run VENDOR_CONCURRENCY at a time, twice over: results
  // still missing then are counted as never delivered rather than waited for.
  const waitMs = 2 * Math.ceil(targets / options.vendorConcurrency) * vendor.latencyMs;
  try {
    await delay(options.slowSettleMs);
    const idleRssMb = twokey.rssMb();
    await services.api.configure({ latencyMs: vendor.latencyMs, faults: [] });
    await services.api.clear();
    const acks = await send(twokey.origin, commands.map((command) => command.request));
    const channels = commands.map((command) => command.channel);
    const posted = await services.api.awaitMessages({ channels, withBlocks: true, timeoutMs: waitMs, partial: true });
    const { calls, maxInFlight } = await services.api.vendorCalls();
    await delay(options.slowSettleMs);
    const rssSoonAfterMb = twokey.rssMb();
    await delay(Math.max(0, options.slowReleaseMs - options.slowSettleMs));
    const rssAfterMb = twokey.rssMb();
    const firstSent = Math.min(...acks.map((ack) => ack.sentAt));
    return {
      vendor,
      commands: commands.length,
      ackMs: summarize(acks.map((ack) => ack.ackMs)),
      resultsPosted: posted.length,
      lastResultMs: Math.max(firstSent, ...posted.map((message) => message.at)) - firstSent,
      vendorCalls: calls.length,
      cutOff: calls.filter((call) => call.end === 'aborted').length,
      maxInFlight,
      idleRssMb,
      rssSoonAfterMb,
      rssAfterMb,
      check: checkTargets(commands, posted, calls),
    };
  } finally {
    await twokey.stop();
    await services.api.configure({ latencyMs: options.latencyMs, faults: [] });
    await services.api.clear();
  }
}

/** `slowBulks` commands of `slowBulkTargets` sessions each, sent at the same instant. */
export async function slowBulks(fixtures: Fixtures): Promise<SlowVendorRun> {
  const { options } = fixtures;
  const commands = await fixtures.revokes(options.slowBulks, options.slowBulkTargets);
  return slowVendorRun(fixtures, options.slowBulkVendor, commands, burst);
}

/** `pacedCount` one-session commands, evenly over `pacedOverMs`. */
export async function pacedLoad(fixtures: Fixtures): Promise<SlowVendorRun> {
  const { options } = fixtures;
  const commands = await fixtures.revokes(options.pacedCount);
  return slowVendorRun(fixtures, options.pacedVendor, commands, (origin, requests) => paced(origin, requests, options.pacedOverMs));
}
