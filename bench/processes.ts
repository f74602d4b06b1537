/**
 * The two apps under test as child processes: twokey as `npm start` runs it (`node
 * dist/index.js`) and the bare Bolt app. Start-to-ready is timed from spawn to the first
 * `GET /healthz` answered 200; memory is read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { freePort } from '../test/support/process';

export type AppKind = 'twokey' | 'bare';

export const projectRoot = path.resolve(__dirname, '../../..');

const entries: Record<AppKind, string> = {
  twokey: path.join(projectRoot, 'dist/index.js'),
  bare: path.join(__dirname, 'bare-app.js'),
};

const readyTimeoutMs = 20_000;
const stopTimeoutMs = 20_000;

export interface LaunchOptions {
  /** The whole environment of the process (PORT is added); nothing is inherited. */
  env: Record<string, string>;
  /** Working directory; also where the log goes. */
  dir: string;
  /** Write a V8 CPU profile into this directory when the process exits. */
  cpuProfileDir?: string;
}

export interface AppProcess {
  kind: AppKind;
  pid: number;
  origin: string;
  /** From spawn to the first `GET /healthz` answered 200. */
  readyMs: number;
  logFile: string;
  /** Resident set size now, in MiB. */
  rssMb(): number;
  /** SIGTERM, as a deploy stops it; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** VmRSS of a live process, in MiB. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

export async function launch(kind: AppKind, options: LaunchOptions): Promise<AppProcess> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const logFile = path.join(options.dir, `${kind}.log`);
  const log = fs.openSync(logFile, 'a');
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, entries[kind]], {
    cwd: options.dir,
    env: { ...options.env, PORT: String(port) },
    // A file, not a pipe: the app never waits for the benchmark to read its log.
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await untilHealthy(origin, exited);
  } catch (error) {
    child.kill('SIGKILL');
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`${kind} did not become ready: ${(error as Error).message}\n${tail}`);
  }
  const readyMs = performance.now() - started;
  return {
    kind,
    pid: child.pid!,
    origin,
    readyMs,
    logFile,
    rssMb: () => rssMb(child.pid!),
    stop: () => stop(child, exited),
  };
}

async function untilHealthy(origin: string, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = performance.now() + readyTimeoutMs;
  while (performance.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`it exited (code ${exitCode})`);
    try {
      const response = await request(`${origin}/healthz`, { reset: true });
      await response.body.dump();
      if (response.statusCode === 200) return;
    } catch {
      // Not listening yet.
    }
    await delay(2);
  }
  throw new Error(`no 200 from /healthz within ${readyTimeoutMs} ms`);
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}
