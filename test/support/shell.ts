/**
 * The built shell (`node dist/app/shell.js`, what `npm run shell` runs) as a child process fed
 * through a pipe, or typed at in a pseudo-terminal, with an environment the test controls
 * completely and a temp dir as its working directory; see ./process for how output and
 * deadlines are handled.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { NodeProcess, type ProcessExit, type SpawnOptions } from './process';

/** The compiled entry point; `npm test` builds it first (pretest). */
export const shellEntry = path.resolve(__dirname, '../../dist/app/shell.js');

export type ShellOptions = Omit<SpawnOptions, 'stdin' | 'terminal'>;

/** Whether util-linux's `script` is here to run the shell in a pseudo-terminal. */
export const terminalAvailable = spawnSync('script', ['--version']).status === 0;

// Cursor moves, line clearing and colours: what a terminal acts on rather than shows.
const terminalControl = /\u001b\[[0-9;]*[A-Za-z]/g;

export class ShellProcess extends NodeProcess {
  private constructor(options: SpawnOptions) {
    super(shellEntry, { ...options, stdin: true }, 'the shell');
  }

  static start(options: ShellOptions): ShellProcess {
    return new ShellProcess(options);
  }

  /** The shell in a pseudo-terminal, as someone at a keyboard runs it: `type` what they would. */
  static startInTerminal(options: ShellOptions): ShellProcess {
    return new ShellProcess({ ...options, terminal: true });
  }

  /** Types lines, as a pipe delivers them. */
  send(...lines: string[]): void {
    this.child.stdin!.write(lines.map((line) => `${line}\n`).join(''));
  }

  /** Keys pressed in the terminal: `\r` is Enter, `\x03` Ctrl-C. */
  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /** Standard output as the terminal showed it, line by line, without control sequences. */
  get screen(): string {
    return this.stdout.replace(/\r\n/g, '\n').replace(terminalControl, '');
  }

  /** The first match of `pattern` in what the terminal showed, once it is there. */
  waitForScreen(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return this.waitUntil(() => pattern.exec(this.screen), `${pattern} on the shell's screen`, timeoutMs);
  }

  /** The first match of `pattern` in standard output, once it is there. */
  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return this.waitUntil(() => pattern.exec(this.stdout), `${pattern} in the shell's output`, timeoutMs);
  }

  /** Ends the input and resolves with how the shell ended. */
  finish(timeoutMs = 10_000): Promise<ProcessExit> {
    this.child.stdin!.end();
    return this.waitForExit(timeoutMs);
  }

  kill(): void {
    this.signal('SIGKILL');
  }
}

/** Runs a whole script through the shell and resolves with how it ended. */
export function runShell(script: string[], options: ShellOptions): Promise<ProcessExit> {
  const shell = ShellProcess.start(options);
  shell.send(...script);
  return shell.finish().catch((error: unknown) => {
    shell.kill();
    throw error;
  });
}
