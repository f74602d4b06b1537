import { formatDuration } from '../lib/duration';
import type { Field, Message, TargetLine, Tone } from '../model/message';
import type { RequestRecord, RequestStatus, StoredFailure, StoredTargetResult, TargetResultStatus } from '../model/request';
import { type IdNamer, unnamed } from '../operations/aliases';
import { type IdSlot, type Operation, operationOf } from '../operations/catalog';
import { type ParsedCommand, maxTargets } from '../operations/grammar';
import { type VendorClients, vendorTitles } from '../vendors/types';
import { code, escapeText, foreignLink, inSentence, mention, plural, truncate } from './format';

// Keeps a 50-target result inside Block Kit's limits whatever the vendors answer.
const maxVendorMessage = 300;
// The IDs one line names, in characters: 50 UUIDs fit, so a line about all of them stays one.
const maxIdsPerLine = 2000;
// Trace IDs a line about several targets quotes; the audit log keeps every one.
const maxTraces = 3;

/** What a request is about, whether it is a command being previewed or a stored request. */
export interface RequestSubject {
  operation: Operation;
  requesterId: string;
  parentId?: string;
  reason: string;
  requestId?: string;
}

/** An ID as messages show it: with its alias first, when it has one (`cpt-edge` (`d290f1ee-…`)). */
export function named(slot: IdSlot, id: string, name: IdNamer): string {
  const alias = name(slot, id);
  return alias ? `${code(alias)} (${code(id)})` : code(id);
}

/** Who asked for what, shared by results, dry runs and approval cards; `name` gives the IDs' aliases. */
export function requestFields(subject: RequestSubject, name: IdNamer = unnamed): Field[] {
  const { operation, parentId } = subject;
  const fields: Field[] = [
    { label: 'Requested by', value: mention(subject.requesterId) },
    { label: 'Operation', value: `${code(operation.command)} (${inSentence(operation.title)})` },
  ];
  if (operation.parent && parentId) fields.push({ label: capitalize(operation.parent.noun), value: named(operation.parent, parentId, name) });
  fields.push({ label: 'Reason', value: subject.reason ? escapeText(subject.reason) : '_none given_' });
  if (subject.requestId) fields.push({ label: 'Request', value: code(subject.requestId) });
  return fields;
}

export function subjectOf(request: RequestRecord): RequestSubject {
  return {
    operation: operationOf(request),
    requesterId: request.requesterId,
    parentId: request.parentId,
    reason: request.reason,
    requestId: request.id,
  };
}

/** How many targets ended each way; a request stopped while its calls ran has every target unknown. */
type Tally = Record<TargetResultStatus | 'not_run', number>;

function tally(request: RequestRecord): Tally {
  const counts: Tally = { succeeded: 0, already_gone: 0, failed: 0, unknown: 0, not_run: 0 };
  if (!request.results) {
    // Cut off while it ran: the targets whose calls may have been sent are unknown, the rest not run.
    counts.unknown = request.dispatched ?? request.targetIds.length;
    counts.not_run = request.targetIds.length - counts.unknown;
  }
  for (const result of request.results ?? []) counts[result.status] += 1;
  return counts;
}

/** What became of the targets, in a few words; targets whose outcome is unknown are always counted apart. */
function outcomeWords(status: RequestStatus, counts: Tally, all: number, noun: string): string {
  const every = all === 1 ? `the ${noun}` : `all ${plural(all, noun)}`;
  const { succeeded: done, already_gone: gone, failed, unknown, not_run: notRun } = counts;
  switch (status) {
    case 'succeeded':
      if (gone === 0) return `done for ${plural(all, noun)}`;
      if (done === 0) return `${every} ${all === 1 ? 'was' : 'were'} already gone`;
      return `done for ${plural(done, noun)}, ${gone} already gone`;
    case 'failed':
      return `failed for ${every}`;
    case 'outcome_unknown':
      if (unknown === all) return `outcome unknown for ${every}`;
      return [`outcome unknown for ${plural(unknown, noun)}`, failed ? `${failed} failed` : undefined, notRun ? `${notRun} not run` : undefined]
        .filter(Boolean)
        .join(', ');
    case 'partially_failed':
      return [
        `${done + gone} of ${plural(all, noun)} done${gone ? ` (${gone} already gone)` : ''}`,
        unknown ? `${unknown} outcome unknown` : undefined,
        failed ? `${failed} failed` : undefined,
      ]
        .filter(Boolean)
        .join(', ');
    default:
      return status.replace('_', ' ');
  }
}

/** The headline and tone of a finished execution. */
export function outcomeHeadline(request: RequestRecord): { text: string; tone: Tone } {
  const operation = operationOf(request);
  const counts = tally(request);
  const text = `${operation.title}: ${outcomeWords(request.status, counts, request.targetIds.length, operation.target.noun)}`;
  const tone: Tone =
    request.status === 'succeeded' ? 'success' : counts.unknown > 0 ? 'unknown' : request.status === 'failed' ? 'failure' : 'partial';
  return { text, tone };
}

/** A finished execution: every target with its outcome; `name` gives the IDs' aliases. */
export function resultMessage(request: RequestRecord, name: IdNamer = unnamed): Message {
  const operation = operationOf(request);
  const headline = outcomeHeadline(request);
  const took = request.startedAt && request.finishedAt ? duration(request.startedAt, request.finishedAt) : undefined;
  return {
    summary: headline.text,
    tone: headline.tone,
    title: headline.text,
    fields: requestFields(subjectOf(request), name),
    targets: targetLines(request, operation, name),
    notes: took ? [`Finished in ${took}.`] : undefined,
  };
}

/** How long an execution took, to the second: 61 s reads "1 minute 1 second", never rounded up to minutes. */
function duration(from: Date, to: Date): string {
  const ms = to.getTime() - from.getTime();
  return ms < 1000 ? 'under a second' : formatDuration(ms);
}

/**
 * The targets with what will be done to each, or, once known, their outcomes: targets whose
 * outcome reads the same share a line (49 sessions already gone are one line naming all 49),
 * the unknown and the failed first.
 */
export function targetLines(request: RequestRecord, operation: Operation = operationOf(request), name: IdNamer = unnamed): TargetLine[] {
  const linesNaming = (ids: readonly string[], status: TargetLine['status'], text: string) =>
    linesShowing(ids, (id) => named(operation.target, id, name), status, text);
  if (request.status === 'outcome_unknown' && !request.results) {
    // Targets past those whose calls may have been sent never were: they are not run, not unknown.
    const sent = request.targetIds.slice(0, request.dispatched ?? request.targetIds.length);
    const notSent = request.targetIds.slice(sent.length);
    const them = sent.length === 1 ? operation.target.noun : `${operation.target.noun}s`;
    const unknown = `outcome unknown — twokey stopped while the calls were under way. Check the ${them} before running the command again.`;
    const notRun = 'not run — twokey stopped before calling for it; nothing was changed.';
    return [...linesNaming(sent, 'unknown', unknown), ...linesNaming(notSent, 'not_run', notRun)];
  }
  if (!request.results) return request.targetIds.map((id) => ({ ids: [id], status: 'planned', text: named(operation.target, id, name) }));
  return groupByOutcome(request.results).flatMap((group) =>
    linesNaming(
      group.map((result) => result.targetId),
      group[0].status,
      outcomeText(group, operation),
    ),
  );
}

const lineOrder: readonly TargetResultStatus[] = ['unknown', 'failed', 'succeeded', 'already_gone'];

/** Results that would read the same, together, in the order of `lineOrder` and then of their first target. */
function groupByOutcome(results: readonly StoredTargetResult[]): StoredTargetResult[][] {
  const groups = new Map<string, StoredTargetResult[]>();
  for (const result of results) {
    const key = outcomeKey(result);
    const group = groups.get(key);
    if (group) group.push(result);
    else groups.set(key, [result]);
  }
  return [...groups.values()].sort((a, b) => lineOrder.indexOf(a[0].status) - lineOrder.indexOf(b[0].status));
}

/** What a target's line says apart from its own ID and trace ID, which a shared line lists instead. */
function outcomeKey(result: StoredTargetResult): string {
  const comparable = (failure: StoredFailure | undefined) =>
    failure && { ...failure, message: maskId(failure.message, result.targetId), traceId: undefined };
  return JSON.stringify([result.status, result.summary, result.idempotent, comparable(result.error), comparable(result.earlierFailure)]);
}

// A vendor's message may name the target: a line about several names them up front instead.
function maskId(text: string, id: string): string {
  return text.split(id).join('…');
}

/** One line naming `ids`, each as `show` shows it, or several when they would not fit one: no target is ever left out. */
function linesShowing(ids: readonly string[], show: (id: string) => string, status: TargetLine['status'], text: string): TargetLine[] {
  const lines: TargetLine[] = [];
  let chunk: string[] = [];
  let length = 0;
  for (const id of ids) {
    const shown = show(id).length + 2;
    if (chunk.length > 0 && length + shown > maxIdsPerLine) {
      lines.push({ ids: chunk, status, text: `${chunk.map(show).join(', ')} ${text}` });
      chunk = [];
      length = 0;
    }
    chunk.push(id);
    length += shown;
  }
  if (chunk.length > 0) lines.push({ ids: chunk, status, text: `${chunk.map(show).join(', ')} ${text}` });
  return lines;
}

const outcomePrefix: Record<Exclude<TargetResultStatus, 'succeeded'>, string> = {
  already_gone: 'already gone',
  failed: 'failed',
  unknown: 'outcome unknown',
};

/** What became of a group of targets that ended alike, as their line says it after their IDs. */
function outcomeText(group: readonly StoredTargetResult[], operation: Operation): string {
  const [first] = group;
  if (first.status === 'succeeded' || !first.error) {
    const done = first.summary ?? 'done';
    return first.earlierFailure ? `${done} — ${foundGone(first.earlierFailure)}` : done;
  }
  const traceIds = group.flatMap((result) => (result.error?.traceId ? [result.error.traceId] : []));
  const said = quoteVendor(first.error, traceIds, group.length > 1 ? first.targetId : undefined);
  const meaning = first.status === 'already_gone' ? goneMeaning(operation) : explainFailure(first.error, operation, first.idempotent);
  return `${outcomePrefix[first.status]} — ${said}\n      → ${meaning}`;
}

/** A removal done by an attempt whose answer was lost: a retry found its target gone. */
function foundGone(earlier: StoredFailure): string {
  const vendor = vendorTitles[earlier.vendor];
  const what: Record<StoredFailure['kind'], string> = {
    http: `${vendor} answered *${earlier.status}*`,
    timeout: `${vendor} did not answer in time`,
    connection: `the connection to ${vendor} broke`,
    invalid_response: `${vendor}'s answer could not be read`,
    // Never met before a retry (a call not sent is not retried); named for completeness.
    not_sent: 'the call was not sent',
  };
  return `${what[earlier.kind]}, then a retry found it gone: the earlier attempt had done it.`;
}

function goneMeaning(operation: Operation): string {
  return `${capitalize(whatMayBeMissing(operation))} does not exist: already gone, or an ID is wrong. Nothing was left to do.`;
}

function whatMayBeMissing(operation: Operation): string {
  return operation.parent ? `the ${operation.parent.noun} or the ${operation.target.noun}` : `the ${operation.target.noun}`;
}

/**
 * The vendor's own words — status, code, message, trace IDs, doc link — as data: escaped, the doc
 * URL a link only when it is safe to make one. `leaveOut` is the ID to leave out of a line about several.
 */
export function quoteVendor(error: StoredFailure, traceIds: readonly string[] = [], leaveOut?: string): string {
  const said = [error.status ? `*${error.status}*` : undefined, error.code ? code(error.code) : undefined]
    .filter(Boolean)
    .join(' ');
  const message = leaveOut ? maskId(error.message, leaveOut) : error.message;
  const references = [traceReference(traceIds), error.docUrl ? foreignLink(error.docUrl, 'docs') : undefined].filter(Boolean);
  return `${said ? `${said}: ` : ''}${escapeText(truncate(message, maxVendorMessage))}${
    references.length ? ` (${references.join(', ')})` : ''
  }`;
}

function traceReference(traceIds: readonly string[]): string | undefined {
  if (traceIds.length === 0) return undefined;
  const shown = traceIds.slice(0, maxTraces).map(code).join(', ');
  const more = traceIds.length > maxTraces ? ` and ${traceIds.length - maxTraces} more in the audit log` : '';
  return `${traceIds.length === 1 ? 'trace' : 'traces'} ${shown}${more}`;
}

/** PRODUCT.md §4: what the failure means for the on-call engineer, and whether the outcome is known. */
export function explainFailure(error: StoredFailure, operation: Operation, idempotent: boolean): string {
  const vendor = vendorTitles[error.vendor];
  const attempts = (error.attempts ?? 1) > 1 ? ` after ${plural(error.attempts ?? 1, 'attempt')}` : '';
  const unknownOutcome = idempotent
    ? `The outcome is unknown; running the command again is safe.`
    : `The outcome is unknown: the ${operation.target.noun} may have been changed. Check it before trying again.`;
  switch (error.kind) {
    case 'timeout':
      return `${vendor} did not answer in time${attempts}. ${unknownOutcome}`;
    case 'connection':
      return error.outcome === 'failed'
        ? `twokey could not reach ${vendor}${attempts}; nothing was changed. Try again shortly.`
        : `The connection to ${vendor} broke after the call was sent${attempts && ` (${attempts.trim()})`}. ${unknownOutcome}`;
    case 'invalid_response':
      return `${vendor} answered${error.status ? ` ${error.status}` : ''} with a body twokey could not read. ${unknownOutcome}`;
    case 'not_sent':
      return `twokey did not call ${vendor} for it; nothing was changed. Run the command again.`;
    case 'http':
      break;
  }
  const status = error.status ?? 0;
  if (status === 401) {
    return `${vendor} rejected twokey's API token: an admin must renew ${error.vendor.toUpperCase()}_API_TOKEN. Nothing was changed.`;
  }
  if (status === 403) {
    const scope = operation.scope ? ` (this call needs ${code(operation.scope)})` : '';
    return `twokey's ${vendor} token lacks a permission${scope}: an admin must grant it. Nothing was changed.`;
  }
  if (status === 404) return `${capitalize(whatMayBeMissing(operation))} does not exist — it may already be gone. Nothing was changed.`;
  if (status === 429) return `${vendor} is rate-limiting twokey${attempts}; nothing was changed. Try again in a minute.`;
  if (status >= 500) return `${vendor} failed${attempts}. ${unknownOutcome}`;
  return `${vendor} refused the call; nothing was changed.`;
}

export function dryRunMessage(command: ParsedCommand, vendors: VendorClients, requesterId: string): Message {
  const { operation } = command;
  const subject = { operation, requesterId, parentId: command.parentId, reason: command.reason };
  // The names as typed: a dry run shows what the command said.
  const name: IdNamer = (_slot, id) => command.names?.[id];
  return {
    summary: `Dry run of ${operation.command}: ${plural(command.targetIds.length, 'call')} would be made, none was.`,
    tone: 'info',
    title: `Dry run: ${inSentence(operation.title)}`,
    fields: requestFields(subject, name),
    targets: command.targetIds.map((targetId) => {
      const call = operation.call(command.parentId, targetId);
      const alias = name(operation.target, targetId);
      const text = code(`${call.method} ${vendors[call.vendor].baseUrl.replace(/\/$/, '')}${call.path}`);
      return { ids: [targetId], status: 'planned', text: alias ? `${text} (${code(alias)})` : text };
    }),
    notes: [
      'Nothing was called. Run the command again without `--dry-run` to do it.',
      ...(command.breakGlass ? ['With `--break-glass` it would run at once, without approval, and its approvers would be told to review it.'] : []),
    ],
  };
}

export function usageErrorMessage(error: string, usage: string): Message {
  return {
    summary: error,
    tone: 'warning',
    body: [escapeText(error), `Usage: ${code(usage)}`],
    notes: [`IDs go first, then the reason; at most ${maxTargets} targets per command. \`/twokey help\` lists every command.`],
  };
}

/**
 * Something twokey did not do for a reason other than who is asking (no such request, a request
 * already over, a slip in a command): said plainly, with what to do instead when there is something.
 */
export function refusalMessage(reason: string, instead?: string): Message {
  return { summary: reason, tone: 'warning', body: [escapeText(reason)], notes: [['Nothing was changed.', instead].filter(Boolean).join(' ')] };
}

/** The policy's no: what the user lacks, marked as such, and where to see what they may do instead. */
export function accessRefusalMessage(reason: string): Message {
  return {
    summary: reason,
    tone: 'failure',
    body: [`:no_entry: ${escapeText(reason)}`],
    notes: ['Nothing was changed. `/twokey whoami` shows what you may do here.'],
  };
}

export function secretMessage(operation: Operation, targetId: string, label: string, value: string, name: IdNamer = unnamed): Message {
  return {
    summary: `New ${escapeText(label)} for ${operation.target.noun} ${targetId} (only you can see this)`,
    tone: 'info',
    body: [`New ${escapeText(label)} for ${operation.target.noun} ${named(operation.target, targetId, name)}:`, `\`${escapeText(value)}\``],
    notes: ['Only you can see this message; it is not stored anywhere. Copy it now.'],
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
