import { createInterface, type Interface } from 'node:readline';
import { formatDuration } from '../lib/duration';
import { truncate } from '../messages/format';
import type { ShellSession } from './session';

/** A line that runs longer than this gets a progress line saying what it waits for, updated every second. */
const progressAfterMs = 2_000;
const progressEveryMs = 1_000;

const ansi = { clearLine: '\r\u001b[2K', up: '\u001b[1A' } as const;

export interface TerminalOptions {
  /** The vendor calls under way, in words (`Altostrat (1 call)`); undefined when none is. */
  waitingFor(): string | undefined;
  /** Leaves the process at once, the line under way unfinished; `lines` say what that means. */
  leave(lines: string[]): never;
}

/** A line of input waiting its turn; one typed at the prompt was seen as it was typed, the others are echoed when they run. */
interface Queued {
  text: string;
  echo: boolean;
}

/** The work under way (a line, or the last sweep): what it is, since when, and whether Ctrl-C was pressed during it. */
interface Running {
  text: string;
  since: number;
  interrupted: boolean;
}

/**
 * Standard input and output as the shell uses them: a prompt on a terminal, or lines fed
 * through a pipe. Lines run one at a time, in order; a line typed while another runs waits its
 * turn. While a line runs, a terminal shows what it waits for, Ctrl-C says so too, and a second
 * Ctrl-C leaves without waiting. At the prompt, Ctrl-C leaves as `:quit` does.
 */
export class Terminal {
  readonly interactive = process.stdin.isTTY === true;
  /** Progress is drawn, and redrawn in place, only on a terminal; a transcript gets none. */
  private readonly live = process.stdout.isTTY === true;
  /** Readline, while it draws the prompt and what is being typed. */
  private prompt?: Interface;
  /** Whether the last line on the screen is a status line of ours (without readline), to clear before writing. */
  private statusShown = false;
  private session?: ShellSession;
  private running?: Running;
  private readonly queue: Queued[] = [];
  private stopInterrupts = () => {};

  constructor(private readonly options: TerminalOptions) {}

  /** Writes text exactly as given, above the prompt or progress line, which is then redrawn. */
  write(text: string): void {
    const redraw = this.prompt !== undefined || this.statusShown;
    if (redraw) process.stdout.write(ansi.clearLine);
    process.stdout.write(text);
    if (redraw) this.draw();
  }

  /** Runs each line in `session` until the input ends or the user quits; `finish` follows. */
  async run(session: ShellSession): Promise<void> {
    this.session = session;
    const lines = createInterface({
      input: process.stdin,
      output: this.interactive ? process.stdout : undefined,
      terminal: this.interactive,
      crlfDelay: Infinity,
    });
    let ended = false;
    let wake = () => {};
    lines.on('line', (text) => {
      this.take(text);
      wake();
    });
    lines.on('close', () => {
      ended = true;
      wake();
    });
    // At the prompt, Ctrl-C ends the input (as :quit does); while something runs, it is the interrupt.
    const interrupt = () => (this.running ? this.interrupt(this.running) : lines.close());
    // A terminal's Ctrl-C reaches readline as a key; otherwise (input through a pipe) it comes as a signal.
    lines.on('SIGINT', interrupt);
    process.on('SIGINT', interrupt);
    this.stopInterrupts = () => process.off('SIGINT', interrupt);
    if (this.interactive) this.prompt = lines;

    for (;;) {
      const next = this.queue.shift();
      if (next) {
        if ((await this.during(next.text, () => session.run(next.text, next.echo))) === 'quit') break;
        continue;
      }
      if (ended) break;
      this.draw();
      await new Promise<void>((resolve) => (wake = resolve));
    }
    this.prompt = undefined;
    lines.close();
  }

  /** After `run`: waits for `work` (a sweep under way), answering Ctrl-C meanwhile; after it, Ctrl-C is the system's again. */
  async finish(work: () => Promise<void>): Promise<void> {
    try {
      await this.during('the sweep under way', work);
    } finally {
      this.stopInterrupts();
    }
  }

  private take(text: string): void {
    const typedWhileBusy = this.interactive && this.running !== undefined;
    this.queue.push({ text, echo: !this.interactive || typedWhileBusy });
    if (typedWhileBusy && text.trim() !== '') {
      // Replace the line readline left (the progress, the typed text after it) with what becomes of that text.
      process.stdout.write(`${ansi.up}${ansi.clearLine}`);
      this.write(`Queued: ${truncate(text.trim(), 60)} (runs once the line under way has finished)\n`);
    }
  }

  /** Does `work` for `text`, with progress shown and Ctrl-C answered while it lasts. */
  private async during<T>(text: string, work: () => Promise<T>): Promise<T> {
    const running: Running = { text: text.trim(), since: Date.now(), interrupted: false };
    this.running = running;
    this.draw();
    const progress = setInterval(() => {
      if (Date.now() - running.since >= progressAfterMs) this.draw();
    }, progressEveryMs);
    try {
      return await work();
    } finally {
      clearInterval(progress);
      this.running = undefined;
      this.draw();
    }
  }

  /** The first Ctrl-C during a line says what it waits for; the second leaves without waiting. */
  private interrupt(running: Running): void {
    const elapsed = wholeSeconds(Date.now() - running.since);
    const calls = this.options.waitingFor();
    if (!running.interrupted) {
      running.interrupted = true;
      this.write(
        calls
          ? `Still waiting for ${calls}, ${elapsed} so far. A call already sent cannot be called back: ` +
              'its outcome is shown here, and recorded, when it arrives. Press Ctrl-C again to quit without waiting.\n'
          : `Still working on ${truncate(running.text, 60)}, ${elapsed} so far. Press Ctrl-C again to quit without waiting.\n`,
      );
      return;
    }
    const notRun = this.queue.filter(({ text }) => text.trim() !== '' && !text.trim().startsWith('#')).length;
    // The last line (progress, or what was being typed) gives way to the farewell; readline gives the terminal back.
    if (this.prompt || this.statusShown) process.stdout.write(ansi.clearLine);
    this.prompt?.close();
    this.prompt = undefined;
    this.statusShown = false;
    this.options.leave([
      calls
        ? `Quitting without waiting for ${calls}: a call already sent may still take effect, and twokey will not see its answer.`
        : `Quitting before ${truncate(running.text, 60)} has finished.`,
      ...(notRun > 0 ? [`${notRun === 1 ? '1 line' : `${notRun} lines`} after it will not run.`] : []),
    ]);
  }

  /** The last line: what the work under way waits for once it has taken a while, or the prompt. */
  private statusLine(): string {
    if (this.running) {
      const elapsed = Date.now() - this.running.since;
      if (elapsed < progressAfterMs) return '';
      const calls = this.options.waitingFor();
      return `${calls ? `waiting for ${calls}` : 'working'}… ${wholeSeconds(elapsed)}`;
    }
    return this.prompt && this.session ? `${this.session.user}> ` : '';
  }

  /** Shows the status line: as readline's prompt on a terminal (what is being typed stays after it), or drawn in place on a live screen. */
  private draw(): void {
    const status = this.statusLine();
    if (this.prompt) {
      this.prompt.setPrompt(status);
      this.prompt.prompt(true);
    } else if (this.live && (status !== '' || this.statusShown)) {
      process.stdout.write(`${ansi.clearLine}${status}`);
      this.statusShown = status !== '';
    }
  }
}

/** `5 seconds`, `1 minute 1 second`: elapsed time as the progress counts it. */
function wholeSeconds(ms: number): string {
  return formatDuration(Math.floor(ms / 1_000) * 1_000);
}
