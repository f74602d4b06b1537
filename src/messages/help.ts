import type { Message } from '../model/message';
import { operations, umbrellaCommand, usageLine } from '../operations/catalog';
import { maxTargets } from '../operations/grammar';
import { code } from './format';

/** What the help says of one `/twokey` subcommand. */
export interface SubcommandHelp {
  name: string;
  /** Its arguments as the usage line shows them, e.g. `<requestId>`. */
  args?: string;
  description: string;
}

export function helpMessage(subcommands: readonly SubcommandHelp[]): Message {
  const usage = (sub: SubcommandHelp) => [umbrellaCommand, sub.name, sub.args].filter(Boolean).join(' ');
  return {
    summary: 'twokey commands',
    tone: 'info',
    title: 'twokey commands',
    body: [
      ...operations.map((op) => `${code(usageLine(op))}\n${op.description}.`),
      subcommands.map((sub) => `${code(usage(sub))} — ${sub.description}`).join('\n'),
    ],
    notes: [
      `IDs first, then the reason. Up to ${maxTargets} targets per command. \`--dry-run\` shows the calls without making them.`,
    ],
  };
}

export function unknownSubcommandMessage(subcommand: string, subcommands: readonly SubcommandHelp[]): Message {
  const help = helpMessage(subcommands);
  return { ...help, summary: `Unknown command ${umbrellaCommand} ${subcommand}`, tone: 'warning', title: `Unknown command: ${umbrellaCommand} ${subcommand.slice(0, 40)}` };
}

export function internalErrorMessage(): Message {
  return {
    summary: 'twokey hit an internal error',
    tone: 'failure',
    body: [':x: twokey hit an internal error while handling this command. What was done so far is in the audit log; the details are in twokey’s logs.'],
  };
}
