/**
 * `npm run bench`: how fast twokey answers Slack and runs bulk work, measured beside a bare
 * Bolt app. Both run as their own processes in HTTP mode; the fake Slack Web API and the
 * vendor simulator run in a third. Prints a table, writes every figure as JSON, and exits
 * non-zero when a measurement could not be taken (or, in a full run, a target was missed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bulk, rateLimitFault } from './bulk';
import { Fixtures } from './fixtures';
import { approvalClicks, singles } from './latency';
import { type Apps, appKinds, bursts, heldBursts, sustainedLoad } from './load';
import { parseOptions, timeoutSetting } from './options';
import { projectRoot } from './processes';
import { profileLoad, profileStartup } from './profile';
import { type BenchResults, machine, ratios } from './results';
import { render, slowVendorTable, targetList } from './report';
import { startServices } from './services-client';
import { pacedLoad, slowBulks, type SlowVendorResults } from './slow-vendor';
import { type StartSample, start, startups } from './startup';
import { summarize } from './stats';
import { judge, judgeSlowVendor } from './targets';

function step(what: string): void {
  process.stderr.write(`· ${what}\n`);
}

/** The slow-vendor runs (issue 12), each on a twokey started for it. */
async function slowVendorRuns(fixtures: Fixtures): Promise<SlowVendorResults> {
  const { options } = fixtures;
  const bulkVendor = options.slowBulkVendor;
  step(`a fresh twokey: ${options.slowBulks} bulks of ${options.slowBulkTargets} at once, vendor ${bulkVendor.latencyMs} ms, ${timeoutSetting(bulkVendor)}`);
  const bulks = await slowBulks(fixtures);
  const pacedVendor = options.pacedVendor;
  step(`a fresh twokey: ${options.pacedCount} commands over ${options.pacedOverMs} ms, vendor ${pacedVendor.latencyMs} ms, ${timeoutSetting(pacedVendor)}`);
  const paced = await pacedLoad(fixtures);
  return { bulks, paced };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const began = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-bench-'));
  const services = await startServices();
  const fixtures = new Fixtures(options, services, dir);
  const apps: Partial<Apps> = {};
  try {
    await services.api.configure({ latencyMs: options.latencyMs, faults: [] });
    if (options.only === 'slow-vendor') {
      const slowVendor = await slowVendorRuns(fixtures);
      const targets = judgeSlowVendor(slowVendor, options);
      process.stdout.write(`${slowVendorTable(slowVendor, options)}\n\n${targetList(targets, options)}\n`);
      if (targets.some((target) => !target.pass) && !options.quick) process.exitCode = 1;
      return;
    }

    step(`start-up: ${options.starts} of each, alternating`);
    const samples = await startups(fixtures, options.starts - 1);
    for (const kind of appKinds) {
      const started = await start(fixtures, kind);
      apps[kind] = started.app;
      samples[kind].push(started.sample);
    }
    const running = apps as Apps;
    const startupFigures = (list: StartSample[]) => ({
      readyMs: summarize(list.map((s) => s.readyMs)),
      idleRssMb: summarize(list.map((s) => s.idleRssMb)),
    });

    step(`sustained load: ${options.rounds} × (twokey, bare) × ${options.count} commands`);
    const sustained = await sustainedLoad(fixtures, running);
    step(`bursts of ${options.burstSize}: ${options.burstRepeats} × (twokey, bare)`);
    const burst = await bursts(fixtures, running);
    const rssAfterLoadMb = { twokey: running.twokey.rssMb(), bare: running.bare.rssMb() };
    await running.bare.stop();

    step(`twokey alone: burst with vendor held ${options.holdMs} ms`);
    const heldBurst = await heldBursts(fixtures, running.twokey);
    step('twokey alone: one command at a time, one approval click at a time');
    const single = await singles(fixtures, running.twokey);
    const approval = await approvalClicks(fixtures, running.twokey);
    step(`twokey alone: bulk of ${options.bulkTargets} at ${options.bulkLatencyMs} ms, then with 429s`);
    const bulkPlain = await bulk(fixtures, running.twokey, [], options.bulkRepeats);
    const bulkRateLimited = await bulk(fixtures, running.twokey, [rateLimitFault], options.bulkRepeats);
    await running.twokey.stop();

    const slowVendor = await slowVendorRuns(fixtures);

    const startup = { twokey: startupFigures(samples.twokey), bare: startupFigures(samples.bare) };
    const measured = {
      machine: machine(),
      options,
      startup,
      rssAfterLoadMb,
      sustained,
      burst,
      heldBurst,
      singles: single,
      approval,
      bulk: bulkPlain,
      bulkRateLimited,
      slowVendor,
      ratios: ratios({ startup, rssAfterLoadMb, sustained, burst }),
    };
    const targets = judge(measured);
    const missed = targets.some((target) => !target.pass);

    let profile: BenchResults['profile'];
    if (options.profile || (missed && !options.quick)) {
      step('a target was missed or --profile given: profiling twokey under the sustained load, then its start-up');
      const keep = (name: string) => path.join(__dirname, '..', name);
      profile = {
        load: await profileLoad(fixtures, keep('twokey-load.cpuprofile')),
        startup: await profileStartup(fixtures, keep('twokey-startup.cpuprofile')),
      };
    }

    const results: BenchResults = { ...measured, targets, profile, durationS: (performance.now() - began) / 1000 };
    const out = options.quick ? path.join(__dirname, '..', 'results.quick.json') : path.join(projectRoot, 'bench', 'results.json');
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${render(results)}\nEvery figure: ${path.relative(process.cwd(), out)}\n`);
    // A quick run proves the benchmark works; only a full run is held to the targets.
    if (missed && !options.quick) process.exitCode = 1;
  } finally {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    await services.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: a measurement could not be taken: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
