/**
 * The built bot (`node dist/index.js`, what `npm start` runs) as a child process with an
 * environment the test controls completely: nothing is inherited from the test runner, and
 * the working directory is whatever the test gives (a temp dir, so no stray `.env` is read).
 * Output is collected as it arrives; waits have deadlines; every process started here can be
 * killed at once with `killAllBotProcesses()`, which tests call in afterEach/afterAll.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { waitFor, withDeadline } from './wait';

/** The compiled entry point; `npm test` builds it first (pretest). */
export const botEntry = path.resolve(__dirname, '../../dist/index.js');

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnBotOptions {
  /** The whole environment of the process; nothing else is passed. */
  env: Record<string, string>;
  cwd: string;
}

const running = new Set<BotProcess>();

export class BotProcess {
  stdout = '';
  stderr = '';
  /** Set once the process has exited. */
  exit: ProcessExit | undefined;
  readonly exited: Promise<ProcessExit>;
  private readonly events = new EventEmitter();

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.events.emit('change');
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.events.emit('change');
    });
    this.exited = new Promise<ProcessExit>((resolve) => {
      // 'close' comes after the output streams have ended, so stdout and stderr are complete.
      child.on('close', (code, signal) => {
        this.exit = { code, signal, stdout: this.stdout, stderr: this.stderr };
        running.delete(this);
        this.events.emit('change');
        resolve(this.exit);
      });
    });
  }

  static spawn(options: SpawnBotOptions): BotProcess {
    if (!fs.existsSync(botEntry)) throw new Error(`${botEntry} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [botEntry], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const bot = new BotProcess(child);
    running.add(bot);
    return bot;
  }

  /** Resolves with how the process ended; rejects at the deadline, quoting its output so far. */
  waitForExit(timeoutMs = 10_000): Promise<ProcessExit> {
    return withDeadline(this.exited, timeoutMs, 'the bot process to exit').catch(
      (error: unknown) => {
        throw new Error(`${(error as Error).message}\nstdout so far:\n${this.stdout}\nstderr so far:\n${this.stderr}`);
      },
    );
  }

  /** Each non-empty line of standard output. */
  stdoutLines(): string[] {
    return this.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  /** The first JSON log line on stdout that satisfies `predicate`, once it is there. Fails early if the process exits. */
  waitForLog(predicate: (entry: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return waitFor(
      () => {
        const found = this.stdoutLines()
          .map(parseJsonLine)
          .find((entry): entry is Record<string, unknown> => entry !== undefined && predicate(entry));
        if (found) return found;
        if (this.exit) {
          throw new Error(`the process exited (code ${this.exit.code}) first; stderr: ${this.exit.stderr}`);
        }
        return undefined;
      },
      {
        timeoutMs,
        description: 'a log line from the bot process',
        subscribe: (wake) => {
          this.events.on('change', wake);
          return () => this.events.off('change', wake);
        },
      },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nstdout so far:\n${this.stdout}\nstderr so far:\n${this.stderr}`);
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal);
  }
}

/** Kills every bot process still running (SIGKILL) and waits until each has gone. */
export async function killAllBotProcesses(): Promise<void> {
  const left = [...running];
  for (const bot of left) bot.signal('SIGKILL');
  await Promise.all(left.map((bot) => withDeadline(bot.exited, 5_000, 'a killed bot process to exit')));
}

/** A JSON object parsed from one log line, or undefined when the line is not one. */
export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A TCP port free right now on every interface (where the bot listens): listen on port 0, note the port, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
