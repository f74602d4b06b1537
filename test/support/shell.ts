/**
 * The built shell (`node dist/shell/main.js`, what `npm run shell` runs) as a child process fed
 * through a pipe, with an environment the test controls completely and a temp dir as its
 * working directory. Output is collected as it arrives; waits have deadlines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor, withDeadline } from './wait';

/** The compiled entry point; `npm test` builds it first (pretest). */
export const shellEntry = path.resolve(__dirname, '../../dist/shell/main.js');

export interface ShellExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ShellOptions {
  /** The whole environment of the process; nothing else is passed. */
  env: Record<string, string>;
  cwd: string;
  args?: string[];
}

export class ShellProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<ShellExit>;
  private readonly events = new EventEmitter();

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.events.emit('change');
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.events.emit('change');
    });
    // 'close' comes after the output streams have ended, so stdout and stderr are complete.
    this.exited = new Promise((resolve) => {
      child.on('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  static start(options: ShellOptions): ShellProcess {
    if (!fs.existsSync(shellEntry)) throw new Error(`${shellEntry} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [shellEntry, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new ShellProcess(child);
  }

  /** Types lines, as a pipe delivers them. */
  send(...lines: string[]): void {
    this.child.stdin!.write(lines.map((line) => `${line}\n`).join(''));
  }

  /** The first match of `pattern` in standard output, once it is there. */
  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return waitFor(() => pattern.exec(this.stdout), {
      timeoutMs,
      description: `${pattern} in the shell's output`,
      subscribe: (wake) => {
        this.events.on('change', wake);
        return () => this.events.off('change', wake);
      },
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nstdout so far:\n${this.stdout}\nstderr so far:\n${this.stderr}`);
    });
  }

  /** Ends the input and resolves with how the shell ended. */
  finish(timeoutMs = 10_000): Promise<ShellExit> {
    this.child.stdin!.end();
    return withDeadline(this.exited, timeoutMs, 'the shell to exit');
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Runs a whole script through the shell and resolves with how it ended. */
export function runShell(script: string[], options: ShellOptions): Promise<ShellExit> {
  const shell = ShellProcess.start(options);
  shell.send(...script);
  return shell.finish().catch((error: unknown) => {
    shell.kill();
    throw error;
  });
}
