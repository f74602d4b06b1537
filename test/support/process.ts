/**
 * The built programs as child processes with an environment the test controls completely:
 * nothing is inherited from the test runner, and the working directory is whatever the test
 * gives (a temp dir, so no stray `.env` is read). `NodeProcess` collects output as it arrives,
 * gives every wait a deadline that quotes the output so far, and tracks each process so that
 * `killAllProcesses()` (afterEach/afterAll) leaves none behind. `BotProcess` is the bot
 * (`node dist/index.js`, what `npm start` runs); the shell builds on it in ./shell.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Probe, waitFor, withDeadline } from './wait';

/** The compiled entry point; `npm test` builds it first (pretest). */
export const botEntry = path.resolve(__dirname, '../../dist/index.js');
/** npm itself, as installed beside the node that runs the tests. */
export const npmCli = path.resolve(path.dirname(fs.realpathSync(process.execPath)), '../lib/node_modules/npm/bin/npm-cli.js');

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** The whole environment of the process; nothing else is passed. */
  env: Record<string, string>;
  cwd: string;
  args?: string[];
  /** A pipe on standard input; without it the process reads nothing. */
  stdin?: boolean;
  /**
   * Run under a pseudo-terminal, as a person at a keyboard runs it: its standard input and
   * output are a terminal, and what is written to standard input is typed (`\x03` is Ctrl-C).
   * Needs util-linux's `script`.
   */
  terminal?: boolean;
}

/** `argv` run by `script` in a new pseudo-terminal, which forwards input and output and passes on the exit code. */
function underTerminal(argv: string[]): string[] {
  const quoted = argv.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  return ['script', '--quiet', '--return', '--command', quoted, '/dev/null'];
}

const running = new Set<NodeProcess>();

/** `node <entry>` with its output collected; subclasses add what their program speaks. */
export class NodeProcess {
  stdout = '';
  stderr = '';
  /** Set once the process has exited. */
  exit: ProcessExit | undefined;
  readonly exited: Promise<ProcessExit>;
  protected readonly child: ChildProcess;
  private readonly events = new EventEmitter();

  /** `name` says what it is in messages ("the shell"). */
  protected constructor(
    entry: string,
    options: SpawnOptions,
    private readonly name: string,
  ) {
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    const argv = [process.execPath, entry, ...(options.args ?? [])];
    const [command, ...args] = options.terminal ? underTerminal(argv) : argv;
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.events.emit('change');
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.events.emit('change');
    });
    this.exited = new Promise<ProcessExit>((resolve) => {
      // 'close' comes after the output streams have ended, so stdout and stderr are complete.
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal, stdout: this.stdout, stderr: this.stderr };
        running.delete(this);
        this.events.emit('change');
        resolve(this.exit);
      });
    });
    running.add(this);
  }

  /** Resolves with how the process ended; rejects at the deadline, quoting its output so far. */
  waitForExit(timeoutMs = 10_000): Promise<ProcessExit> {
    return withDeadline(this.exited, timeoutMs, `${this.name} to exit`).catch(this.quoteOutput);
  }

  /** The probe's first ready value, re-checked whenever output arrives or the process exits; rejects at the deadline, quoting the output so far. */
  waitUntil<T>(probe: Probe<T>, description: string, timeoutMs = 10_000): Promise<T> {
    return waitFor(probe, {
      timeoutMs,
      description,
      subscribe: (wake) => {
        this.events.on('change', wake);
        return () => this.events.off('change', wake);
      },
    }).catch(this.quoteOutput);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal);
  }

  private readonly quoteOutput = (error: unknown): never => {
    throw new Error(`${(error as Error).message}\nstdout so far:\n${this.stdout}\nstderr so far:\n${this.stderr}`);
  };
}

/** Kills every process still running (SIGKILL) and waits until each has gone. */
export async function killAllProcesses(): Promise<void> {
  const left = [...running];
  for (const child of left) child.signal('SIGKILL');
  await Promise.all(left.map((child) => child.waitForExit(5_000)));
}

export class BotProcess extends NodeProcess {
  private constructor(options: SpawnOptions, entry = botEntry, name = 'the bot process') {
    super(entry, options, name);
  }

  static spawn(options: Pick<SpawnOptions, 'env' | 'cwd'>): BotProcess {
    return new BotProcess(options);
  }

  /** `npm start` in `cwd` (which holds the package): npm's process, with the bot as its child. */
  static spawnWithNpm(options: Pick<SpawnOptions, 'env' | 'cwd'>): BotProcess {
    return new BotProcess({ ...options, args: ['start'] }, npmCli, '`npm start`');
  }

  /** Each non-empty line of standard output. */
  stdoutLines(): string[] {
    return this.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  /** The first JSON log line on stdout that satisfies `predicate`, once it is there. Fails early if the process exits. */
  waitForLog(predicate: (entry: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return this.waitUntil(
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
      'a log line from the bot process',
      timeoutMs,
    );
  }
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
