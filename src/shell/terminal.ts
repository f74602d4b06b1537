import { createInterface, type Interface } from 'node:readline';
import type { ShellSession } from './session';

/**
 * Standard input and output as the shell uses them: a prompt on a terminal, or lines fed
 * through a pipe (read in order, without a prompt, until the input ends).
 */
export class Terminal {
  readonly interactive = process.stdin.isTTY === true;
  private prompt?: Interface;
  private waiting = false;

  /** Writes text exactly as given; something arriving while the prompt waits (an expiry) goes above the prompt, which is then redrawn. */
  write(text: string): void {
    const redraw = this.prompt !== undefined && this.waiting;
    if (redraw) process.stdout.write('\r\u001b[2K');
    process.stdout.write(text);
    if (redraw) this.prompt?.prompt(true);
  }

  /** Runs each line in `session` until the input ends or the user quits (`:quit`, Ctrl-D, Ctrl-C). */
  async run(session: ShellSession): Promise<void> {
    const lines = createInterface({
      input: process.stdin,
      output: this.interactive ? process.stdout : undefined,
      terminal: this.interactive,
      crlfDelay: Infinity,
    });
    if (this.interactive) {
      this.prompt = lines;
      lines.on('SIGINT', () => lines.close());
    }
    const ask = () => {
      if (!this.prompt) return;
      this.prompt.setPrompt(`${session.user}> `);
      this.prompt.prompt();
      this.waiting = true;
    };
    ask();
    for await (const line of lines) {
      this.waiting = false;
      if ((await session.run(line)) === 'quit') break;
      ask();
    }
    this.waiting = false;
    lines.close();
  }
}
