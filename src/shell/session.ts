import { closest } from '../lib/spelling';
import { type CardAction, cardActions } from '../messages/card';
import { truncate } from '../messages/format';
import { listingActions } from '../messages/listing';
import type { Message } from '../model/message';
import type { Channel, Replies } from '../model/ports';
import type { Policy } from '../policy/schema';
import { type Twokey, slashCommands } from '../requests/core';
import { shellReplies } from './messenger';
import { userIdPattern, who } from './people';
import type { Screen } from './screen';

/** The shell's one channel; its name matches the example policy's `inc-*` rule, its ID the listed one. */
export const shellChannel = { id: 'C0INCIDENT1', name: 'inc-shell' } as const satisfies Channel;

export interface SessionOptions {
  core: Twokey;
  policy: Policy;
  screen: Screen;
  /** Who types first. */
  user: string;
}

/** Shell commands start with `:`, which no slash command and no button press does. */
const shellHelp = [
  'Shell commands:',
  '  :as <userId>   act as another user from now on, e.g. :as U0456EFGH (:as alone: who you are)',
  '  :help          this list',
  '  :quit          leave (so do Ctrl-D, Ctrl-C at the prompt and the end of piped input)',
  'While a line runs, what you type waits its turn; Ctrl-C says what twokey is waiting for, a second Ctrl-C quits without waiting.',
  `twokey's commands: ${slashCommands.join(', ')}; /twokey help explains them.`,
  'Buttons: type what a card shows in brackets, e.g. approve R-7K3QXM, deny R-7K3QXM, cancel R-7K3QXM, review R-7K3QXM; deny takes a reason after the ID.',
  'Listings: a command with its site, instance or organization and no targets lists them; pick 1 3 5, pick 2-4 or pick all acts on them.',
  'Blank lines and lines starting with # are ignored.',
];

const shellCommands = [':as', ':help', ':quit'];

/** A button press, as a card shows it: `approve R-7K3QXM`; a deny may add its reason, `deny R-7K3QXM not needed`. */
const press = new RegExp(`^(${Object.keys(cardActions).join('|')})\\s+(\\S+)(?:\\s+(.+))?$`, 'i');

/**
 * One person at the keyboard, playing any user: each line is a slash command, a button press
 * or a shell command. Lines and sweeps run one at a time, each to the end (vendor calls,
 * card updates, thread replies and direct messages included) before the next starts.
 */
export class ShellSession {
  user: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** The last listing shown, what `pick` picks from. */
  private listing?: Message;

  constructor(private readonly options: SessionOptions) {
    this.user = options.user;
  }

  /**
   * Runs one line of input; resolves with `'quit'` when the user asked to leave. `echo` repeats
   * it after a prompt first, so that a line nobody saw typed (piped, or typed ahead) reads as a transcript.
   */
  run(line: string, echo: boolean): Promise<'quit' | undefined> {
    return this.serially(() => this.dispatch(line.trim(), echo));
  }

  /** Runs `job` (a sweep) between lines, never during one. */
  between(job: () => Promise<void>): Promise<void> {
    return this.serially(job);
  }

  /** Resolves once the line or sweep under way, if any, has finished. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private serially<T>(job: () => Promise<T>): Promise<T> {
    const result = this.queue.then(job);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async dispatch(input: string, echo: boolean): Promise<'quit' | undefined> {
    if (input === '' || input.startsWith('#')) return undefined;
    const { screen } = this.options;
    if (echo) screen.say(`${this.user}> ${input}`);
    const outcome = await this.act(input);
    screen.say('');
    return outcome;
  }

  // handle() and click() resolve once all their work is done, so awaiting them drains the core.
  private async act(input: string): Promise<'quit' | undefined> {
    const { core, screen } = this.options;
    if (input.startsWith(':')) return this.shellCommand(input);
    const replies = shellReplies(screen, this.user, (message) => {
      if (message.picker) this.listing = message;
    });
    if (input.startsWith('/')) {
      const [command, ...rest] = input.split(/\s+/);
      const name = command.toLowerCase();
      if (!slashCommands.includes(name)) {
        const meant = closest(name, slashCommands);
        screen.say(
          meant
            ? `${truncate(command, 40)} is not a twokey command: did you mean ${meant}? (/twokey help lists them all.)`
            : `${truncate(command, 40)} is not a twokey command: ${slashCommands.join(', ')} are (/twokey help).`,
        );
        return undefined;
      }
      await core.handle(name, { userId: this.user, channel: shellChannel, text: rest.join(' ') }, replies);
      return undefined;
    }
    const picking = /^pick\s+(.+)$/i.exec(input);
    if (picking) return this.pick(picking[1]!, replies);
    const button = press.exec(input);
    if (button) {
      const action = button[1].toLowerCase() as CardAction;
      const reason = button[3];
      if (reason !== undefined && action !== 'deny') {
        screen.say(`${action} takes the request ID alone; only deny takes a reason, e.g. deny R-7K3QXM not needed today.`);
        return undefined;
      }
      await core.click(cardActions[action], button[2].toUpperCase(), { userId: this.user, channelId: shellChannel.id }, replies, reason);
      return undefined;
    }
    screen.say(`Not understood: type a slash command (/twokey help), a card's button (approve R-7K3QXM) or :help.`);
    return undefined;
  }

  /** `pick 1 3 5`, `pick 2-4` or `pick all`: a listing's buttons, the numbers its lines show. */
  private async pick(choice: string, replies: Replies): Promise<undefined> {
    const { core, screen } = this.options;
    const listing = this.listing;
    if (!listing?.picker) {
      screen.say('There is no listing to pick from: type a command with its site, instance or organization and no targets first.');
      return undefined;
    }
    const invocation = { userId: this.user, channel: shellChannel, text: '' };
    if (choice.trim().toLowerCase() === 'all') {
      const all = listing.buttons?.find((button) => button.actionId === listingActions.all);
      if (!all) screen.say('This listing is too long to act on all of it: use the command with --all and a filter.');
      else await core.pick(all.actionId, all.value, [], invocation, replies);
      return undefined;
    }
    const options = listing.picker.options;
    const numbers = pickedNumbers(choice, options.length);
    if (typeof numbers === 'string') {
      screen.say(numbers);
      return undefined;
    }
    const selected = listing.buttons!.find((button) => button.actionId === listingActions.selected)!;
    await core.pick(selected.actionId, selected.value, numbers.map((number) => options[number - 1]!.value), invocation, replies);
    return undefined;
  }

  private shellCommand(input: string): 'quit' | undefined {
    const { screen, policy } = this.options;
    const [command, argument, ...extra] = input.split(/\s+/);
    switch (command.toLowerCase()) {
      case ':as': {
        if (argument === undefined) {
          screen.say(`You are ${who(policy, this.user)}.`);
          return undefined;
        }
        const userId = argument.toUpperCase();
        if (!userIdPattern.test(userId) || extra.length > 0) {
          screen.say(':as takes one Slack user ID, such as :as U0456EFGH.');
          return undefined;
        }
        this.user = userId;
        screen.viewer = userId;
        screen.say(`You are now ${who(policy, userId)}.`);
        return undefined;
      }
      case ':help':
        screen.say(...shellHelp);
        return undefined;
      case ':quit':
        return 'quit';
      default: {
        const meant = closest(command, shellCommands);
        screen.say(`${truncate(command, 40)} is not a shell command: ${meant ? `did you mean ${meant}?` : ':as, :help and :quit are.'}`);
        return undefined;
      }
    }
  }
}

/** The numbers `pick` was given (`1 3 5`, `2-4`, `1,3`), each from 1 to `count`; or what is wrong with them. */
function pickedNumbers(choice: string, count: number): number[] | string {
  const numbers: number[] = [];
  for (const part of choice.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) return `pick takes numbers from the listing (pick 1 3 5, pick 2-4) or all; "${truncate(part, 20)}" is neither.`;
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (from < 1 || to > count || from > to) return `The listing's numbers run from 1 to ${count}.`;
    for (let number = from; number <= to; number += 1) if (!numbers.includes(number)) numbers.push(number);
  }
  return numbers.length ? numbers : 'pick what? Give numbers from the listing, or all.';
}
