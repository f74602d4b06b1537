/**
 * The built shell (`node dist/app/shell.js`, what `npm run shell` runs) as a child process fed
 * through a pipe, with an environment the test controls completely and a temp dir as its
 * working directory; see ./process for how output and deadlines are handled.
 */
import path from 'node:path';
import { NodeProcess, type ProcessExit, type SpawnOptions } from './process';

/** The compiled entry point; `npm test` builds it first (pretest). */
export const shellEntry = path.resolve(__dirname, '../../dist/app/shell.js');

export type ShellOptions = Omit<SpawnOptions, 'stdin'>;

export class ShellProcess extends NodeProcess {
  private constructor(options: ShellOptions) {
    super(shellEntry, { ...options, stdin: true }, 'the shell');
  }

  static start(options: ShellOptions): ShellProcess {
    return new ShellProcess(options);
  }

  /** Types lines, as a pipe delivers them. */
  send(...lines: string[]): void {
    this.child.stdin!.write(lines.map((line) => `${line}\n`).join(''));
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
