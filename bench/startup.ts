/** Start to ready and idle memory, for each app started the same way. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Fixtures } from './fixtures';
import { type AppKind, type AppProcess, launch } from './processes';

export interface StartSample {
  readyMs: number;
  /** VmRSS after `settleMs` of quiet following ready. */
  idleRssMb: number;
}

/** Starts an app in a fresh directory and reads its idle memory once it has settled. */
export async function start(
  fixtures: Fixtures,
  kind: AppKind,
  cpuProfileDir?: string,
): Promise<{ app: AppProcess; sample: StartSample }> {
  const app = await launch(kind, { ...fixtures.launchSetup(kind), cpuProfileDir });
  await delay(fixtures.options.settleMs);
  return { app, sample: { readyMs: app.readyMs, idleRssMb: app.rssMb() } };
}

/** `count` start-ups of each app, alternating, each stopped again once measured. */
export async function startups(fixtures: Fixtures, count: number): Promise<Record<AppKind, StartSample[]>> {
  const samples: Record<AppKind, StartSample[]> = { twokey: [], bare: [] };
  for (let i = 0; i < count; i += 1) {
    for (const kind of ['twokey', 'bare'] as const) {
      const { app, sample } = await start(fixtures, kind);
      await app.stop();
      samples[kind].push(sample);
    }
  }
  return samples;
}
