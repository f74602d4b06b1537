import { closest } from '../lib/spelling';
import { type Aliases, aliasNames, listNames, noAliases, resolveAlias } from './aliases';
import { describeIdForm, isId, looksLikeId } from './ids';
import { type IdSlot, type Operation, usageLine } from './catalog';
import type { ListFilter } from './listing';

export const maxTargets = 50;
export const maxReasonLength = 500;
const dryRunFlag = '--dry-run';
const allFlag = '--all';
export const breakGlassFlag = '--break-glass';

// Control characters (NUL, BEL, ESC…) and the bidirectional overrides and isolates, which make
// text read differently from what it holds. Whitespace among them (tab, newline) separates words.
const hiddenCharacters = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

export interface ParsedCommand {
  operation: Operation;
  parentId?: string;
  /** Distinct target IDs in the order typed. */
  targetIds: string[];
  /** The alias each ID was typed as, by ID, to show beside it; IDs typed as IDs are not here. */
  names?: Readonly<Record<string, string>>;
  /** Free text after the IDs; empty when none was given. */
  reason: string;
  dryRun: boolean;
  /** Run at once without approval, by a holder of a `break_glass` role (PRODUCT.md §10). */
  breakGlass: boolean;
  /** No targets named: `--all` acts on every target the listing finds, otherwise the listing is shown (PRODUCT.md §9). */
  all: boolean;
  /** The listing's filters, as typed, with the list call's query parameters for each. */
  filters: AppliedFilter[];
}

export interface AppliedFilter {
  flag: string;
  value: string;
  query: Record<string, string>;
}

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; error: string; usage: string };

/**
 * Reads `<parentId> <targetId>… [reason] [--dry-run]` (PRODUCT.md §1). IDs are checked
 * here, before anything reaches a vendor; a token that looks like a mistyped ID is an
 * error rather than the start of the reason, so a typo never silently drops a target.
 * Where a site, VPN instance or organization is expected, one of the policy's `aliases`
 * stands for its ID (PRODUCT.md §9); the command holds the ID.
 */
export function parseCommand(operation: Operation, text: string, aliases: Aliases = noAliases): ParseResult {
  const usage = usageLine(operation);
  const fail = (error: string): ParseResult => ({ ok: false, error, usage });
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const hidden = hiddenIn(tokens);
  if (hidden) return fail(hidden);
  const options = readOptions(operation, tokens);
  if (!options.ok) return fail(options.error);
  const { words, dryRun, breakGlass, all, filters } = options;

  const names: Record<string, string> = {};
  /** The ID a word stands for in `slot`: itself, or the ID its alias names (noted, to be shown beside it). */
  const idIn = (slot: IdSlot, word: string): string | undefined => {
    if (isId(slot.kind, word)) return word;
    const id = resolveAlias(aliases, slot, word);
    if (id !== undefined) names[id] ??= word.toLowerCase();
    return id;
  };

  let position = 0;
  let parentId: string | undefined;
  if (operation.parent) {
    const token = words[position];
    if (token === undefined) return fail(`Missing the ${operation.parent.noun} ID.`);
    parentId = idIn(operation.parent, token);
    if (parentId === undefined) return fail(notAnIdOrAlias(token, operation.parent, aliases));
    position += 1;
  }

  const targetIds: string[] = [];
  while (position < words.length) {
    const id = idIn(operation.target, words[position]);
    if (id === undefined) break;
    if (!targetIds.includes(id)) targetIds.push(id);
    position += 1;
  }
  const boundary = words[position];
  if (boundary !== undefined && looksLikeId(boundary)) return fail(notAnId(boundary, operation.target));
  // A word a typo away from a name is a mistyped target too, not the start of the reason.
  if (boundary !== undefined && closest(boundary, aliasNames(aliases, operation.target))) {
    return fail(notAnIdOrAlias(boundary, operation.target, aliases));
  }
  if (targetIds.length === 0 && !operation.listing) {
    return fail(`Name at least one ${operation.target.noun} (${describeSlot(operation.target, aliases)}) before the reason.`);
  }
  if (breakGlass && targetIds.length === 0 && !all) {
    return fail(`\`${breakGlassFlag}\` runs at once: name the ${operation.target.noun}s, or add \`${allFlag}\` to act on every one listed.`);
  }
  if (targetIds.length > 0 && (all || filters.length > 0)) {
    const used = all ? allFlag : filters[0]!.flag;
    return fail(`\`${used}\` picks ${operation.target.noun}s from a listing: name the ${operation.target.noun}s or use it, not both.`);
  }

  const reasonWords = words.slice(position);
  // A valid ID (or a target's name) inside the reason is almost always a target typed after a stray word.
  const isAnyId = (token: string) =>
    isId(operation.target.kind, token) ||
    resolveAlias(aliases, operation.target, token) !== undefined ||
    (operation.parent !== undefined && isId(operation.parent.kind, token));
  const stray = reasonWords.find(isAnyId);
  if (stray !== undefined) {
    return fail(`\`${stray}\` comes after the reason started; put every ID before the reason.`);
  }
  if (targetIds.length > maxTargets) {
    return fail(`${targetIds.length} ${operation.target.noun}s named; one command takes at most ${maxTargets}.`);
  }
  const reason = reasonWords.join(' ');
  if (reason.length > maxReasonLength) {
    return fail(`The reason is ${reason.length} characters long; keep it under ${maxReasonLength}.`);
  }
  return { ok: true, command: { operation, parentId, targetIds, names, reason, dryRun, breakGlass, all, filters } };
}

type Options =
  | { ok: true; words: string[]; dryRun: boolean; breakGlass: boolean; all: boolean; filters: AppliedFilter[] }
  | { ok: false; error: string };

/**
 * Takes the options out of the words: `--dry-run`, `--break-glass`, and for an operation with a listing `--all`
 * and its filters (`--type client` or `--type=client`). Any other word starting with `--` is an
 * unknown option, never part of the reason, so that a mistyped flag is never silently ignored.
 */
function readOptions(operation: Operation, tokens: readonly string[]): Options {
  const listFilters: readonly ListFilter[] = operation.listing?.filters ?? [];
  const known = [dryRunFlag, breakGlassFlag, ...(operation.listing ? [allFlag] : []), ...listFilters.map((filter) => filter.flag)];
  const words: string[] = [];
  const filters: AppliedFilter[] = [];
  let dryRun = false;
  let breakGlass = false;
  let all = false;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (!/^--[a-z]/i.test(token)) {
      words.push(token);
      continue;
    }
    const [flag, inline] = token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    if (flag === dryRunFlag && inline === undefined) dryRun = true;
    else if (flag === breakGlassFlag && inline === undefined) breakGlass = true;
    else if (flag === allFlag && inline === undefined && known.includes(allFlag)) all = true;
    else {
      const filter = listFilters.find((candidate) => candidate.flag === flag);
      if (!filter) return { ok: false, error: `\`${flag}\` is not an option of ${operation.command}; it takes ${known.map((k) => `\`${k}\``).join(', ')}.` };
      const value = inline ?? tokens[++index];
      if (value === undefined || value === '') return { ok: false, error: `\`${flag}\` needs a value: ${filter.values}.` };
      if (filters.some((applied) => applied.flag === flag)) return { ok: false, error: `\`${flag}\` is given twice.` };
      const parsed = filter.parse(value);
      if (!parsed.ok) return { ok: false, error: `\`${flag}\`: ${parsed.error}` };
      filters.push({ flag, value, query: parsed.query });
    }
  }
  return { ok: true, words, dryRun, breakGlass, all, filters };
}

/** What is wrong with a reason given on its own (a deny's, typed in a form), if anything: as a command's reason is checked. */
export function reasonProblem(reason: string): string | undefined {
  const hidden = hiddenIn([reason]);
  if (hidden) return hidden;
  if (reason.length > maxReasonLength) return `The reason is ${reason.length} characters long; keep it under ${maxReasonLength}.`;
  return undefined;
}

/**
 * Refuses what would be stored and shown other than as typed (PostgreSQL cannot even store a NUL),
 * naming the characters by code point: echoed, they would do the harm they are refused for.
 */
function hiddenIn(tokens: string[]): string | undefined {
  const found = [...new Set(tokens.join('').match(hiddenCharacters))];
  if (found.length === 0) return undefined;
  const codes = found.map((character) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  const what = found.length === 1 ? 'a control character' : 'control characters';
  return `The command contains ${what} (${codes.join(', ')}); retype it as plain text.`;
}

function notAnId(token: string, slot: IdSlot): string {
  return `\`${token}\` is not a valid ${slot.noun} ID: expected ${describeIdForm(slot.kind)}.`;
}

/**
 * A word where an ID or its alias belongs that is neither: the names there are (or that there are
 * none) and the one most likely meant. A word that looks like an ID was meant as one.
 */
function notAnIdOrAlias(token: string, slot: IdSlot, aliases: Aliases): string {
  if (looksLikeId(token)) return notAnId(token, slot);
  const known = aliasNames(aliases, slot);
  const meant = closest(token, known);
  return [
    `\`${token}\` is not a valid ${slot.noun} ID (${describeIdForm(slot.kind)}) nor the name of one.`,
    meant ? `Did you mean \`${meant}\`?` : undefined,
    known.length ? `The policy's ${slot.noun} aliases: ${listNames(known)}.` : `The policy defines no ${slot.noun} aliases.`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The forms a slot takes, for a message: `a UUID such as …`, and its aliases when the policy has some. */
function describeSlot(slot: IdSlot, aliases: Aliases): string {
  const known = aliasNames(aliases, slot);
  return known.length ? `${describeIdForm(slot.kind)}, or an alias such as \`${known[0]}\`` : describeIdForm(slot.kind);
}
