import type { Message } from '../model/message';
import { type RenderOptions, renderMessage } from './render';

/** Where a message appears, which decides how the shell marks it. */
export type Placement =
  | { in: 'channel' }
  /** Ephemeral: shown to one user in the channel. */
  | { in: 'ephemeral'; userId: string }
  | { in: 'thread' }
  | { in: 'card-update'; requestId?: string }
  | { in: 'dm'; userId: string };

export interface ScreenOptions extends RenderOptions {
  /** Writes text exactly as given (it ends with a newline). */
  write: (text: string) => void;
}

/**
 * The shell's one view of the chat: the channel, its card threads, ephemeral messages and
 * direct messages, told apart by a mark on each message's first line.
 */
export class Screen {
  /** Who sits at the keyboard, so that their ephemeral messages read "(only you)". */
  viewer: string;

  constructor(
    private readonly options: ScreenOptions,
    viewer: string,
  ) {
    this.viewer = viewer;
  }

  show(message: Message, placement: Placement): void {
    const { first, rest } = this.frame(placement);
    const [heading = '', ...lines] = renderMessage(message, this.options);
    this.write([`${first}${heading}`, ...lines.map((line) => `${rest}${line}`)]);
  }

  /** Lines of the shell's own (start-up notes, hints), not of the chat. */
  say(...lines: string[]): void {
    this.write(lines);
  }

  private write(lines: string[]): void {
    this.options.write(`${lines.join('\n')}\n`);
  }

  private frame(placement: Placement): { first: string; rest: string } {
    switch (placement.in) {
      case 'channel':
        return { first: '', rest: '  ' };
      case 'ephemeral':
        return { first: `(only ${placement.userId === this.viewer ? 'you' : `@${placement.userId}`}) `, rest: '  ' };
      case 'thread':
        return { first: '  ↳ ', rest: '    ' };
      case 'card-update':
        return { first: placement.requestId ? `card ${placement.requestId} updated: ` : 'card updated: ', rest: '  ' };
      case 'dm':
        return { first: `(DM to @${placement.userId}) `, rest: '  ' };
    }
  }
}
