/**
 * Ack latency and throughput of twokey and the bare Bolt app under the same load, measured
 * in alternating rounds (A B A B) so that noise on the machine falls on both.
 */
import { burst, sustained } from './drive';
import type { Fixtures, PlannedCommand } from './fixtures';
import type { AppKind, AppProcess } from './processes';
import { type Summary, summarize } from './stats';
import { timelines } from './timeline';
import { type LoadUse, startUse } from './usage';

export type Apps = Record<AppKind, AppProcess>;
export const appKinds: readonly AppKind[] = ['twokey', 'bare'];

// Generous: a result that takes this long is a failure to measure, not a slow figure.
const resultTimeoutMs = 120_000;

export interface SustainedRound {
  kind: AppKind;
  elapsedMs: number;
  throughputPerS: number;
  use: LoadUse;
}

export interface SustainedFigures {
  ackMs: Summary;
  /** Measured commands acknowledged per second, over every round. */
  throughputPerS: number;
  rounds: SustainedRound[];
}

export interface TwokeySustainedFigures extends SustainedFigures {
  sendToVendorMs: Summary;
  sendToResultMs: Summary;
  /** Measured commands whose result was posted, per second from the first send to the last result. */
  resultsPerS: number;
  /** The most vendor calls in flight at once, all commands together. */
  vendorMaxInFlight: number;
}

export interface SustainedResults {
  twokey: TwokeySustainedFigures;
  bare: SustainedFigures;
}

const perSecond = (count: number, ms: number) => (count * 1000) / ms;

/** Waits for every command's result in its channel. */
function results(fixtures: Fixtures, commands: readonly PlannedCommand[]) {
  return fixtures.services.api.awaitMessages({ channels: commands.map((c) => c.channel), timeoutMs: resultTimeoutMs });
}

export async function sustainedLoad(fixtures: Fixtures, apps: Apps): Promise<SustainedResults> {
  const { options, services } = fixtures;
  const acks: Record<AppKind, number[]> = { twokey: [], bare: [] };
  const rounds: SustainedRound[] = [];
  const toVendor: number[] = [];
  const toResult: number[] = [];
  let resultsPerS = 0;
  let vendorMaxInFlight = 0;

  for (let round = 0; round < options.rounds; round += 1) {
    for (const kind of appKinds) {
      const warmup = await fixtures.revokes(options.warmup);
      const measured = await fixtures.revokes(options.count);
      const stopUse = await startUse(services);
      const run = await sustained(
        apps[kind].origin,
        warmup.map((c) => c.request),
        measured.map((c) => c.request),
        options.concurrency,
      );
      const use = await stopUse();
      acks[kind].push(...run.acks.map((ack) => ack.ackMs));
      rounds.push({ kind, elapsedMs: run.elapsedMs, throughputPerS: perSecond(options.count, run.elapsedMs), use });
      if (kind === 'twokey') {
        // The next round starts only once twokey has finished this one's work.
        await results(fixtures, warmup);
        const posted = await results(fixtures, measured);
        const { calls, maxInFlight } = await services.api.vendorCalls();
        vendorMaxInFlight = Math.max(vendorMaxInFlight, maxInFlight);
        const times = timelines(measured, run.acks, calls, posted);
        toVendor.push(...times.toVendorMs);
        toResult.push(...times.toResultMs);
        const span = Math.max(...posted.map((p) => p.at)) - Math.min(...run.acks.map((a) => a.sentAt));
        resultsPerS += perSecond(options.count, span) / options.rounds;
      }
      await services.api.clear();
    }
  }

  const figures = (kind: AppKind): SustainedFigures => {
    const own = rounds.filter((round) => round.kind === kind);
    const elapsed = own.reduce((sum, round) => sum + round.elapsedMs, 0);
    return { ackMs: summarize(acks[kind]), throughputPerS: perSecond(options.count * own.length, elapsed), rounds: own };
  };
  return {
    twokey: {
      ...figures('twokey'),
      sendToVendorMs: summarize(toVendor),
      sendToResultMs: summarize(toResult),
      resultsPerS,
      vendorMaxInFlight,
    },
    bare: figures('bare'),
  };
}

export interface BurstFigures {
  ackMs: Summary;
  /** The slowest ack of each burst, to show how much bursts differ. */
  slowestPerBurstMs: number[];
}

export interface BurstResults {
  twokey: BurstFigures & { sendToResultMs: Summary };
  bare: BurstFigures;
}

/** `burstSize` commands at the same instant, each on a new connection, alternating the apps. */
export async function bursts(fixtures: Fixtures, apps: Apps): Promise<BurstResults> {
  const { options, services } = fixtures;
  const acks: Record<AppKind, number[]> = { twokey: [], bare: [] };
  const slowest: Record<AppKind, number[]> = { twokey: [], bare: [] };
  const toResult: number[] = [];
  for (let repeat = 0; repeat < options.burstRepeats; repeat += 1) {
    for (const kind of appKinds) {
      const commands = await fixtures.revokes(options.burstSize);
      const sent = await burst(apps[kind].origin, commands.map((c) => c.request));
      acks[kind].push(...sent.map((ack) => ack.ackMs));
      slowest[kind].push(Math.max(...sent.map((ack) => ack.ackMs)));
      if (kind === 'twokey') {
        const posted = await results(fixtures, commands);
        const { calls } = await services.api.vendorCalls();
        toResult.push(...timelines(commands, sent, calls, posted).toResultMs);
      }
      await services.api.clear();
    }
  }
  return {
    twokey: { ackMs: summarize(acks.twokey), slowestPerBurstMs: slowest.twokey, sendToResultMs: summarize(toResult) },
    bare: { ackMs: summarize(acks.bare), slowestPerBurstMs: slowest.bare },
  };
}

export interface HeldBurstResults {
  holdMs: number;
  ackMs: Summary;
  sendToResultMs: Summary;
}

/** The burst again, with the simulator holding every vendor call `holdMs` on top of its latency. */
export async function heldBursts(fixtures: Fixtures, twokey: AppProcess): Promise<HeldBurstResults> {
  const { options, services } = fixtures;
  const acks: number[] = [];
  const toResult: number[] = [];
  await services.api.configure({ latencyMs: options.latencyMs, faults: [{ action: { type: 'delay', ms: options.holdMs } }] });
  try {
    for (let repeat = 0; repeat < options.holdRepeats; repeat += 1) {
      const commands = await fixtures.revokes(options.burstSize);
      const sent = await burst(twokey.origin, commands.map((c) => c.request));
      acks.push(...sent.map((ack) => ack.ackMs));
      const posted = await results(fixtures, commands);
      const { calls } = await services.api.vendorCalls();
      toResult.push(...timelines(commands, sent, calls, posted).toResultMs);
      await services.api.clear();
    }
  } finally {
    await services.api.configure({ latencyMs: options.latencyMs, faults: [] });
  }
  return { holdMs: options.holdMs, ackMs: summarize(acks), sendToResultMs: summarize(toResult) };
}
