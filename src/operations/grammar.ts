import { describeIdForm, isId, looksLikeId } from './ids';
import { type IdSlot, type Operation, usageLine } from './catalog';

export const maxTargets = 50;
export const maxReasonLength = 500;
const dryRunFlag = '--dry-run';

// Control characters (NUL, BEL, ESC…) and the bidirectional overrides and isolates, which make
// text read differently from what it holds. Whitespace among them (tab, newline) separates words.
const hiddenCharacters = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

export interface ParsedCommand {
  operation: Operation;
  parentId?: string;
  /** Distinct target IDs in the order typed. */
  targetIds: string[];
  /** Free text after the IDs; empty when none was given. */
  reason: string;
  dryRun: boolean;
}

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; error: string; usage: string };

/**
 * Reads `<parentId> <targetId>… [reason] [--dry-run]` (PRODUCT.md §1). IDs are checked
 * here, before anything reaches a vendor; a token that looks like a mistyped ID is an
 * error rather than the start of the reason, so a typo never silently drops a target.
 */
export function parseCommand(operation: Operation, text: string): ParseResult {
  const usage = usageLine(operation);
  const fail = (error: string): ParseResult => ({ ok: false, error, usage });
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const hidden = hiddenIn(tokens);
  if (hidden) return fail(hidden);
  const dryRun = tokens.includes(dryRunFlag);
  const words = tokens.filter((token) => token !== dryRunFlag);

  let position = 0;
  let parentId: string | undefined;
  if (operation.parent) {
    const token = words[position];
    if (token === undefined) return fail(`Missing the ${operation.parent.noun} ID.`);
    if (!isId(operation.parent.kind, token)) return fail(notAnId(token, operation.parent));
    parentId = token;
    position += 1;
  }

  const targetIds: string[] = [];
  while (position < words.length && isId(operation.target.kind, words[position])) {
    if (!targetIds.includes(words[position])) targetIds.push(words[position]);
    position += 1;
  }
  const boundary = words[position];
  if (boundary !== undefined && looksLikeId(boundary)) return fail(notAnId(boundary, operation.target));
  if (targetIds.length === 0) {
    return fail(`Name at least one ${operation.target.noun} (${describeIdForm(operation.target.kind)}) before the reason.`);
  }

  const reasonWords = words.slice(position);
  // A valid ID inside the reason is almost always a target typed after a stray word.
  const isAnyId = (token: string) =>
    isId(operation.target.kind, token) || (operation.parent !== undefined && isId(operation.parent.kind, token));
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
  return { ok: true, command: { operation, parentId, targetIds, reason, dryRun } };
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
