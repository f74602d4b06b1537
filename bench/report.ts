/** The terminal report: one table per part of the run, then the targets. */
import type { BulkRun } from './bulk';
import { type BenchOptions, timeoutSetting } from './options';
import type { LoadProfile, ProfileSummary, Share } from './profile';
import type { BenchResults } from './results';
import type { SlowVendorResults, SlowVendorRun } from './slow-vendor';
import type { Summary } from './stats';
import type { Target } from './targets';

type Row = string[] | { heading: string };

/** Left-aligned first column, right-aligned figures, headings on their own lines. */
function table(header: string[], rows: Row[]): string {
  const cells = rows.filter((row): row is string[] => Array.isArray(row));
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('   ').trimEnd();
  return [line(header), ...rows.map((row) => (Array.isArray(row) ? line(row) : row.heading))].join('\n');
}

const num = (value: number, digits = 1) => value.toFixed(digits);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const pct = (part: number, whole: number) => `${Math.round((part / whole) * 100)}%`;
const quartet = (s: Summary) => [s.p50, s.p90, s.p99, s.max].map((value) => num(value));

function versus(label: string, twokey: number, bare: number, digits = 1): string[] {
  return [label, num(twokey, digits), num(bare, digits), `${num(twokey / bare, 2)}×`];
}

function summaries(label: string, twokey: Summary, bare: Summary): string[][] {
  return (['p50', 'p90', 'p99', 'max'] as const).map((key) => versus(`  ${label} ${key} (ms)`, twokey[key], bare[key]));
}

function bulkRow(label: string, run: BulkRun): string[] {
  return [
    label,
    num(run.lastVendorAnswerMs, 0),
    num(run.finalMessageMs, 0),
    String(run.maxInFlight),
    String(run.calls),
    String(run.rateLimited),
    run.minRetryGapMs === undefined ? '–' : num(run.minRetryGapMs, 0),
    run.allRevoked && run.allReportedDone ? 'yes' : 'NO',
  ];
}

/** The slow-vendor runs side by side, one column each. */
export function slowVendorTable({ bulks, paced }: SlowVendorResults, options: BenchOptions): string {
  const runs = [bulks, paced];
  const row = (label: string, figure: (run: SlowVendorRun) => string) => [`  ${label}`, ...runs.map(figure)];
  return table(
    ['Slow vendor (a fresh twokey for each)', 'bulks at once', 'paced commands'],
    [
      [
        '  commands',
        `${bulks.commands} of ${options.slowBulkTargets} targets at once`,
        `${paced.commands} over ${num(options.pacedOverMs / 1000, 1)} s`,
      ],
      row('vendor answers after (ms)', (run) => String(run.vendor.latencyMs)),
      row('twokey runs with', (run) => timeoutSetting(run.vendor)),
      row('ack p99 (ms)', (run) => num(run.ackMs.p99)),
      row('first send → last result (ms)', (run) => num(run.lastResultMs, 0)),
      row('results posted', (run) => `${run.resultsPosted} of ${run.commands}`),
      row('vendor calls received (per target)', (run) => `${run.vendorCalls} (${num(run.vendorCalls / run.check.targets, 2)})`),
      row('  given up by twokey before the answer', (run) => String(run.cutOff)),
      row('most vendor calls in flight', (run) => String(run.maxInFlight)),
      row('targets the vendor revoked (answered 204)', (run) => `${run.check.revoked} of ${run.check.targets}`),
      row('targets reported done', (run) => `${run.check.reportedDone} of ${run.check.targets}`),
      row('targets misreported', (run) => String(run.check.misreported)),
      row('RSS idle → soon after the load → once V8 has released it (MiB)', (run) => `${num(run.idleRssMb)} → ${num(run.rssSoonAfterMb)} → ${num(run.rssAfterMb)}`),
    ],
  );
}

function shares(title: string, list: Share[]): string {
  return table([title, 'ms', 'share'], list.map((share) => [share.name, String(share.ms), `${num(share.pct)}%`]));
}

function loadProfileReport(profile: LoadProfile): string {
  return [
    `Profile of twokey under the sustained load (${profile.file}):`,
    `${profile.commands} commands, ${profile.windowMs} ms from the first send to the last result, ` +
      `${profile.busyMs} ms of it busy on the main thread = ${profile.busyMsPerCommand} ms per command`,
    '',
    table(
      ['Where a command goes, request in to result posted', 'ms', 'per command', 'share'],
      profile.stages.map((stage) => [stage.name, String(stage.ms), num(stage.ms / profile.commands, 2), `${num(stage.pct)}%`]),
    ),
    profileTables(profile),
  ].join('\n');
}

function startupProfileReport(profile: ProfileSummary): string {
  return [
    `Profile of twokey's start-up, to the first /healthz 200 (${profile.file}):`,
    `${profile.windowMs} ms profiled, ${profile.busyMs} ms of it busy on the main thread`,
    profileTables(profile),
  ].join('\n');
}

function profileTables(profile: ProfileSummary): string {
  return [
    '',
    shares('Own time by function', profile.topSelf),
    '',
    shares('Own time by area (builtins charged to their caller)', profile.selfByArea),
    '',
    shares('Time with the area on the stack', profile.inclusiveByArea),
  ].join('\n');
}

/** One line per target, PASS or MISS with its figure, under a heading. */
export function targetList(targets: readonly Target[], options: BenchOptions): string {
  return [
    options.quick ? 'Targets (reported, not enforced, in a quick run)' : 'Targets',
    ...targets.map((target) => `${target.pass ? 'PASS' : 'MISS'}  ${target.name}: ${target.figure}`),
  ].join('\n');
}

export function render(results: BenchResults): string {
  const { machine, options, startup, sustained, burst, heldBurst, singles, approval, bulk, bulkRateLimited } = results;
  const mode = options.quick ? 'QUICK run (small counts: proves the benchmark works; figures are not representative)' : 'full run';
  const slackCalls = approval.slackCallsBeforeVendor
    .map((step) => `${step.call} at ${num(step.atMs, 0)} ms (${step.clicks} of ${options.singles} clicks)`)
    .join(', ');

  const beside = table(
    ['', 'twokey', 'bare Bolt', 'twokey/bare'],
    [
      {
        heading: `Sustained load: ${plural(options.rounds, 'round')} each of ${options.count} commands after ${options.warmup} warm-up, ${options.concurrency} in flight, keep-alive; vendor ${options.latencyMs} ms`,
      },
      ...summaries('ack', sustained.twokey.ackMs, sustained.bare.ackMs),
      versus('  throughput (acks/s)', sustained.twokey.throughputPerS, sustained.bare.throughputPerS, 0),
      { heading: `Burst: ${options.burstSize} commands at the same instant, each on a new connection, ${options.burstRepeats}×` },
      ...summaries('ack', burst.twokey.ackMs, burst.bare.ackMs),
      { heading: `Start-up and memory (median of ${plural(startup.twokey.readyMs.n, 'start-up')} each)` },
      versus('  start to ready: spawn → /healthz 200 (ms)', startup.twokey.readyMs.p50, startup.bare.readyMs.p50, 0),
      versus('  RSS idle (MiB)', startup.twokey.idleRssMb.p50, startup.bare.idleRssMb.p50),
      versus('  RSS after the load (MiB)', results.rssAfterLoadMb.twokey, results.rssAfterLoadMb.bare),
    ],
  );

  const alone = table(
    ['', 'p50', 'p90', 'p99', 'max'],
    [
      { heading: 'Under the sustained load (ms)' },
      ['  send → vendor call', ...quartet(sustained.twokey.sendToVendorMs)],
      ['  send → result in the channel', ...quartet(sustained.twokey.sendToResultMs)],
      { heading: `Burst of ${options.burstSize}, every vendor call held ${heldBurst.holdMs} ms (${options.holdRepeats}×) (ms)` },
      ['  ack', ...quartet(heldBurst.ackMs)],
      ['  send → result in the channel', ...quartet(heldBurst.sendToResultMs)],
      { heading: `One at a time (${options.singles} each) (ms)` },
      ['  send → vendor call', ...quartet(singles.sendToVendorMs)],
      ['  send → result in the channel', ...quartet(singles.sendToResultMs)],
      ['  approval click → vendor call', ...quartet(approval.clickToVendorMs)],
    ],
  );

  const bulkTable = table(
    ['', 'last answer ms', 'final msg ms', 'most in flight', 'calls', '429s', 'shortest 429 wait', 'all revoked'],
    [
      { heading: `One /revoke-access of ${bulk.targets} sessions, vendor ${bulk.latencyMs} ms, VENDOR_CONCURRENCY=${bulk.vendorConcurrency}` },
      ...bulk.runs.map((run, i) => bulkRow(`  run ${i + 1}`, run)),
      { heading: 'The same with 10% of calls answered 429, Retry-After: 1' },
      ...bulkRateLimited.runs.map((run, i) => bulkRow(`  run ${i + 1}`, run)),
    ],
  );

  const checks = table(
    ['Load generator check (under sustained load)', 'driver CPU', 'driver ELU', 'services CPU', 'services ELU'],
    sustained.twokey.rounds.concat(sustained.bare.rounds).map((round, i) => [
      `  ${round.kind} round ${(i % options.rounds) + 1}`,
      pct(round.use.driver.cpuMs, round.use.driver.wallMs),
      num(round.use.driver.elu, 2),
      pct(round.use.services.cpuMs, round.use.services.wallMs),
      num(round.use.services.elu, 2),
    ]),
  );

  return [
    `twokey benchmark — ${mode}`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, ${machine.date}`,
    '',
    beside,
    '',
    `twokey alone — under the sustained load: ${num(sustained.twokey.resultsPerS, 0)} results posted/s, ` +
      `at most ${sustained.twokey.vendorMaxInFlight} vendor calls in flight at once`,
    alone,
    `  Slack calls between an approval click and its vendor call (median ms after the click): ${slackCalls || 'none'}`,
    '',
    bulkTable,
    '',
    slowVendorTable(results.slowVendor, options),
    '',
    checks,
    '  (CPU as a share of one core; ELU = event-loop utilisation. Near 100% / 1.0 would mean the benchmark, not the app, set the pace.)',
    '',
    targetList(results.targets, options),
    ...(results.profile ? ['', loadProfileReport(results.profile.load), '', startupProfileReport(results.profile.startup)] : []),
    '',
    `Benchmark took ${num(results.durationS, 1)} s (build excluded).`,
  ].join('\n');
}
