import { closest } from '../lib/spelling';
import type { Message } from '../model/message';
import { type Aliases, aliasKinds, aliasNouns, listNames, noAliases } from '../operations/aliases';
import { operations, umbrellaCommand, usageLine } from '../operations/catalog';
import { maxTargets } from '../operations/grammar';
import { minBreakGlassReason } from '../policy/access';
import { code } from './format';

/** What the help says of one `/twokey` subcommand. */
export interface SubcommandHelp {
  name: string;
  /** Its arguments as the usage line shows them, e.g. `<requestId>`. */
  args?: string;
  description: string;
}

/** Every command and subcommand, and the names the policy gives to IDs. */
export function helpMessage(subcommands: readonly SubcommandHelp[], aliases: Aliases = noAliases): Message {
  const usage = (sub: SubcommandHelp) => [umbrellaCommand, sub.name, sub.args].filter(Boolean).join(' ');
  return {
    summary: 'twokey commands',
    tone: 'info',
    title: 'twokey commands',
    body: [
      ...operations.map((op) => `${code(usageLine(op))}\n${op.description}.`),
      subcommands.map((sub) => `${code(usage(sub))} — ${sub.description}`).join('\n'),
      ...aliasesLine(aliases),
    ],
    notes: [
      `IDs first, then the reason. Up to ${maxTargets} targets per command. \`--dry-run\` shows the calls without making them.`,
      `In an emergency, where the policy allows it, \`--break-glass\` with a reason of at least ${minBreakGlassReason} characters runs a command at once, without approval: its approvers are told, and review it. \`${umbrellaCommand} whoami\` says whether you may.`,
    ],
  };
}

/** The policy's names for IDs, which a command takes wherever it takes the ID; nothing when it gives none. */
function aliasesLine(aliases: Aliases): string[] {
  const kinds = aliasKinds.filter((kind) => Object.keys(aliases[kind]).length > 0);
  if (kinds.length === 0) return [];
  const listed = kinds.map((kind) => `${aliasNouns[kind]}s ${listNames(Object.keys(aliases[kind]))}`);
  return [`Names the policy gives, usable wherever the ID goes: ${listed.join('; ')}.`];
}

/** `/twokey <typo>`: the subcommand it most likely meant, when one is close, then the whole help. */
export function unknownSubcommandMessage(subcommand: string, subcommands: readonly SubcommandHelp[]): Message {
  const help = helpMessage(subcommands);
  const meant = closest(subcommand, subcommands.map((sub) => sub.name));
  const didYouMean = meant ? [`Did you mean ${code(`${umbrellaCommand} ${meant}`)}?`] : [];
  return {
    ...help,
    summary: `Unknown command ${umbrellaCommand} ${subcommand}${meant ? `: did you mean ${umbrellaCommand} ${meant}?` : ''}`,
    tone: 'warning',
    title: `Unknown command: ${umbrellaCommand} ${subcommand.slice(0, 40)}`,
    body: [...didYouMean, ...(help.body ?? [])],
  };
}

export function internalErrorMessage(): Message {
  return {
    summary: 'twokey hit an internal error',
    tone: 'failure',
    body: [':x: twokey hit an internal error while handling this command. What was done so far is in the audit log; the details are in twokey’s logs.'],
  };
}

/** A command or click that met a database that was down or did not answer. */
export function storeUnavailableMessage(): Message {
  return {
    summary: 'twokey could not reach its database',
    tone: 'failure',
    body: [
      ':x: twokey could not reach its database, so it could not finish handling this. Try again in a minute; what was done so far is in the audit log, and the admin can see the details in twokey’s logs.',
    ],
  };
}
