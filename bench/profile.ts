/**
 * Where twokey's time goes: run it with `node --cpu-prof`, then summarise the samples taken
 * under the sustained load (first command sent to last result posted) or during start-up.
 * The V8 profiler samples the main thread, so time spent blocked in a synchronous call
 * (a SQLite write waiting for the disk, say) shows up as that call's own time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sustained } from './drive';
import type { Fixtures } from './fixtures';
import { type AppProcess, launch, projectRoot } from './processes';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Of the busy (not idle) time. */
  pct: number;
}

export interface ProfileSummary {
  /** The profile kept, relative to the project. */
  file: string;
  windowMs: number;
  /** Main-thread time not idle within the window. */
  busyMs: number;
  /** Functions by their own time; builtins name the code that called them. */
  topSelf: Share[];
  /** Own time by where the code lives (package, node core module, twokey file), builtins charged to their caller. */
  selfByArea: Share[];
  /** Time with a frame of that package or twokey file anywhere on the stack (node core, on every stack, left out). */
  inclusiveByArea: Share[];
  /**
   * Under load, a command's path from request in to result posted: each sample goes to the stage
   * of the innermost frame that names one. Empty for the start-up profile.
   */
  stages: Share[];
}

export interface LoadProfile extends ProfileSummary {
  commands: number;
  busyMsPerCommand: number;
}

type Stages = ReadonlyArray<readonly [stage: string, owns: (area: string) => boolean]>;

const commandStages: Stages = [
  ['SQLite store (twokey store/, better-sqlite3)', (a) => a.startsWith('twokey store/') || a === 'better-sqlite3'],
  [
    'Slack Web API client (@slack/web-api, its queue and retries, fetch)',
    (a) => ['@slack/web-api', 'p-queue', 'p-retry', 'retry', 'node:deps/undici'].includes(a),
  ],
  ['vendor HTTP client (twokey vendors/, undici)', (a) => a.startsWith('twokey vendors/') || a === 'undici'],
  ['logging (twokey logger.js)', (a) => a === 'twokey logger.js'],
  ['Block Kit and message text (twokey messages/, slack/blocks.js)', (a) => a.startsWith('twokey messages/') || a === 'twokey slack/blocks.js'],
  ['Bolt: request body, signature check, middleware, ack', (a) => ['@slack/bolt', 'raw-body', 'tsscmp', '@slack/logger'].includes(a)],
  ['twokey core: parse, policy, request flow', (a) => a.startsWith('twokey ')],
];
const otherStage = 'node core: sockets, HTTP parsing, timers, promise jobs';

const special: Record<string, string> = {
  '(garbage collector)': 'GC',
  '(program)': 'V8 (program)',
  '(root)': 'V8 (program)',
};

/** Where a script lives: an npm package, a node core module, a file of twokey's, or WebAssembly. */
function areaOf(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (inPackage) return inPackage[1]!;
  if (file.startsWith('node:')) {
    const [module = '', inner = ''] = file.slice('node:'.length).replace(/^internal\//, '').split('/');
    // node:internal/deps/undici is the fetch that global fetch() (and so @slack/web-api) runs on.
    if (module === 'deps') return `node:deps/${inner.replace(/\.js$/, '')}`;
    return `node:${module.replace(/^_?http_?\w*$/, 'http').replace(/^_stream_\w+$/, 'streams')}`;
  }
  if (file.startsWith(path.join(projectRoot, 'dist'))) return `twokey ${path.relative(path.join(projectRoot, 'dist'), file)}`;
  return file.split(':')[0]!;
}

function located(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '');
  const short = file.includes('node_modules/') ? file.slice(file.lastIndexOf('node_modules/') + 'node_modules/'.length) : path.relative(projectRoot, file);
  return `${short}:${frame.lineNumber + 1}`;
}

function top(totals: Map<string, number>, busyMs: number, count: number): Share[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((ms / busyMs) * 1000) / 10 }));
}

/**
 * Summarises the samples taken between `fromUs` and `toUs` (the profiler's clock: monotonic µs),
 * with `stages` also charging each sample to a stage.
 */
function summarize(file: string, fromUs: number, toUs: number, stages: Stages): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(nodes.get(at)!);
    return stack;
  };

  const self = new Map<string, number>();
  const selfArea = new Map<string, number>();
  const inclusiveArea = new Map<string, number>();
  const stageTotals = new Map<string, number>();
  const add = (totals: Map<string, number>, key: string, ms: number) => totals.set(key, (totals.get(key) ?? 0) + ms);
  let busyMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index]!;
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    const leaf = nodes.get(id)!.callFrame;
    if (at < fromUs || at > toUs || leaf.functionName === '(idle)') return;
    busyMs += ms;
    const stack = stackOf(id);
    const caller = stack.find((node) => node.callFrame.url !== '');
    const area = special[leaf.functionName] ?? (caller ? areaOf(caller.callFrame.url) : 'V8 (program)');
    const name = leaf.functionName || '(anonymous)';
    add(self, leaf.url ? `${name} ${located(leaf)}` : `${name} [builtin${caller ? `, from ${located(caller.callFrame)}` : ''}]`, ms);
    add(selfArea, area, ms);
    const areas = new Set(stack.filter((node) => node.callFrame.url !== '').map((node) => areaOf(node.callFrame.url)));
    for (const each of areas) if (!each.startsWith('node:')) add(inclusiveArea, each, ms);
    if (stages.length === 0) return;
    const owner = stack
      .filter((node) => node.callFrame.url !== '')
      .map((node) => stages.find(([, owns]) => owns(areaOf(node.callFrame.url)))?.[0])
      .find((stage) => stage !== undefined);
    add(stageTotals, special[leaf.functionName] === 'GC' ? 'GC' : (owner ?? otherStage), ms);
  });

  return {
    file: path.relative(projectRoot, file),
    windowMs: Math.round((Math.min(toUs, at) - Math.max(fromUs, profile.startTime)) / 1000),
    busyMs: Math.round(busyMs),
    topSelf: top(self, busyMs, 15),
    selfByArea: top(selfArea, busyMs, 12),
    inclusiveByArea: top(inclusiveArea, busyMs, 15),
    stages: top(stageTotals, busyMs, Infinity),
  };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Runs `work` on a twokey started with the CPU profiler on, stops it, keeps its profile as `keepAs` and summarises `work`'s window. */
async function profiled(
  fixtures: Fixtures,
  keepAs: string,
  stages: Stages,
  work: (app: AppProcess) => Promise<{ fromUs: number; toUs: number }>,
): Promise<ProfileSummary> {
  const dir = fs.mkdtempSync(path.join(fixtures.dir, 'profile-'));
  const app = await launch('twokey', { ...fixtures.launchSetup('twokey'), cpuProfileDir: dir });
  const window = await work(app);
  await app.stop();
  await fixtures.services.api.clear();
  const written = fs.readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!written) throw new Error(`twokey wrote no CPU profile into ${dir}`);
  // Kept for Chrome DevTools (Performance → Load profile).
  fs.copyFileSync(path.join(dir, written), keepAs);
  return summarize(keepAs, window.fromUs, window.toUs, stages);
}

/** From the first command sent to the last result posted, under the sustained load, after a warm-up. */
export async function profileLoad(fixtures: Fixtures, keepAs: string): Promise<LoadProfile> {
  const { options, services } = fixtures;
  const summary = await profiled(fixtures, keepAs, commandStages, async (app) => {
    const warmup = await fixtures.revokes(options.warmup);
    const measured = await fixtures.revokes(options.count);
    await sustained(app.origin, warmup.map((c) => c.request), [], options.concurrency);
    await services.api.awaitMessages({ channels: warmup.map((c) => c.channel), timeoutMs: 120_000 });
    const fromUs = monotonicUs();
    await sustained(app.origin, [], measured.map((c) => c.request), options.concurrency);
    await services.api.awaitMessages({ channels: measured.map((c) => c.channel), timeoutMs: 120_000 });
    return { fromUs, toUs: monotonicUs() };
  });
  return { ...summary, commands: options.count, busyMsPerCommand: Math.round((summary.busyMs / options.count) * 100) / 100 };
}

/** From the start of the process to its first `/healthz` 200. */
export function profileStartup(fixtures: Fixtures, keepAs: string): Promise<ProfileSummary> {
  return profiled(fixtures, keepAs, [], async () => ({ fromUs: 0, toUs: monotonicUs() }));
}
