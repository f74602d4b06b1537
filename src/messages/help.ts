import { operations, umbrellaCommand, usageLine } from '../operations/catalog';
import { maxTargets } from '../operations/grammar';
import { code } from './format';
import type { Message } from './model';

export const umbrellaSubcommands = [
  { usage: `${umbrellaCommand} help`, description: 'this list' },
  { usage: `${umbrellaCommand} whoami`, description: 'your roles and what you may do in this channel' },
  { usage: `${umbrellaCommand} pending`, description: 'open requests in this channel, with links to their cards' },
  { usage: `${umbrellaCommand} cancel <requestId>`, description: 'cancel your open request (admins: anyone’s)' },
  { usage: `${umbrellaCommand} audit [n]`, description: 'the last n audit entries you may see (default 10)' },
] as const;

export function helpMessage(): Message {
  return {
    summary: 'twokey commands',
    tone: 'info',
    title: 'twokey commands',
    body: [
      ...operations.map((op) => `${code(usageLine(op))}\n${op.description}.`),
      umbrellaSubcommands.map((sub) => `${code(sub.usage)} — ${sub.description}`).join('\n'),
    ],
    notes: [
      `IDs first, then the reason. Up to ${maxTargets} targets per command. \`--dry-run\` shows the calls without making them.`,
    ],
  };
}

export function unknownSubcommandMessage(subcommand: string): Message {
  const help = helpMessage();
  return { ...help, summary: `Unknown command ${umbrellaCommand} ${subcommand}`, tone: 'warning', title: `Unknown command: ${umbrellaCommand} ${subcommand.slice(0, 40)}` };
}

export function internalErrorMessage(): Message {
  return {
    summary: 'twokey hit an internal error',
    tone: 'failure',
    body: [':x: twokey hit an internal error while handling this command. What was done so far is in the audit log; the details are in twokey’s logs.'],
  };
}
