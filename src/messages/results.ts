import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import type { Field, Message, TargetLine, Tone } from '../model/message';
import type { RequestRecord, RequestStatus, StoredTargetResult } from '../model/request';
import { type Operation, operationOf } from '../operations/catalog';
import { type ParsedCommand, maxTargets } from '../operations/grammar';
import { type VendorClients, vendorTitles } from '../vendors/types';
import { code, escapeText, link, mention, plural, truncate } from './format';

type FailureFields = NonNullable<StoredTargetResult['error']>;

// Keeps a 50-target result inside Block Kit's limits whatever the vendors answer.
const maxVendorMessage = 300;

/** What a request is about, whether it is a command being previewed or a stored request. */
export interface RequestSubject {
  operation: Operation;
  requesterId: string;
  parentId?: string;
  reason: string;
  requestId?: string;
}

/** Who asked for what, shared by results, dry runs and approval cards. */
export function requestFields(subject: RequestSubject): Field[] {
  const { operation, parentId } = subject;
  const fields: Field[] = [
    { label: 'Requested by', value: mention(subject.requesterId) },
    { label: 'Operation', value: `${code(operation.command)} (${operation.title.toLowerCase()})` },
  ];
  if (operation.parent && parentId) fields.push({ label: capitalize(operation.parent.noun), value: code(parentId) });
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

const headlines: Partial<Record<RequestStatus, (title: string, noun: string, done: number, all: number) => string>> = {
  succeeded: (title, noun, _done, all) => `${title}: done for ${plural(all, noun)}`,
  failed: (title, noun, _done, all) => `${title}: failed for ${all === 1 ? `the ${noun}` : `all ${plural(all, noun)}`}`,
  partially_failed: (title, noun, done, all) => `${title}: ${done} of ${plural(all, noun)} done`,
  outcome_unknown: (title) => `${title}: outcome unknown`,
};

/** The headline and tone of a finished execution. */
export function outcomeHeadline(request: RequestRecord): { text: string; tone: Tone } {
  const operation = operationOf(request);
  const results = request.results ?? [];
  const done = results.filter((result) => result.status === 'succeeded').length;
  const headline = headlines[request.status] ?? (() => `${operation.title}: ${request.status}`);
  const unknown = request.status === 'outcome_unknown' || results.some((result) => result.status === 'unknown');
  const tone: Tone =
    request.status === 'succeeded' ? 'success' : unknown ? 'unknown' : request.status === 'failed' ? 'failure' : 'partial';
  return { text: headline(operation.title, operation.target.noun, done, request.targetIds.length), tone };
}

/** A finished execution: every target with its outcome. */
export function resultMessage(request: RequestRecord): Message {
  const operation = operationOf(request);
  const headline = outcomeHeadline(request);
  const took = request.startedAt && request.finishedAt ? duration(request.startedAt, request.finishedAt) : undefined;
  return {
    summary: headline.text,
    tone: headline.tone,
    title: headline.text,
    fields: requestFields(subjectOf(request)),
    targets: targetLines(request, operation),
    notes: took ? [`Finished in ${took}.`] : undefined,
  };
}

function duration(from: Date, to: Date): string {
  return to.getTime() - from.getTime() < 1000 ? 'under a second' : formatDistanceStrict(to, from, { roundingMethod: 'ceil' });
}

/** One line per target: its outcome once known, or what will be done to it. */
export function targetLines(request: RequestRecord, operation: Operation = operationOf(request)): TargetLine[] {
  if (request.status === 'outcome_unknown' && !request.results) {
    return request.targetIds.map((id) => ({
      id,
      status: 'unknown',
      text: `${code(id)} outcome unknown — twokey stopped while the call was under way. Check the ${operation.target.noun} before running the command again.`,
    }));
  }
  if (!request.results) return request.targetIds.map((id) => ({ id, status: 'planned', text: code(id) }));
  return request.results.map((result) => {
    if (result.status === 'succeeded' || !result.error) {
      return { id: result.targetId, status: result.status, text: `${code(result.targetId)} ${result.summary ?? 'done'}` };
    }
    const text = describeFailure(result.error, operation, result.idempotent);
    return { id: result.targetId, status: result.status, text: `${code(result.targetId)} ${text}` };
  });
}

/** The vendor's own words (status, code, message, trace ID or doc URL), then what they mean for on-call. */
export function describeFailure(error: FailureFields, operation: Operation, idempotent: boolean): string {
  const said = [error.status ? `*${error.status}*` : undefined, error.code ? code(error.code) : undefined]
    .filter(Boolean)
    .join(' ');
  const references = [
    error.traceId ? `trace ${code(error.traceId)}` : undefined,
    error.docUrl && /^https?:\/\//.test(error.docUrl) ? link(error.docUrl, 'docs') : undefined,
  ].filter(Boolean);
  const detail = `${said ? `${said}: ` : ''}${escapeText(truncate(error.message, maxVendorMessage))}${
    references.length ? ` (${references.join(', ')})` : ''
  }`;
  return `failed — ${detail}\n      → ${explainFailure(error, operation, idempotent)}`;
}

/** PRODUCT.md §4: what the failure means for the on-call engineer, and whether the outcome is known. */
export function explainFailure(error: FailureFields, operation: Operation, idempotent: boolean): string {
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
        : `The connection to ${vendor} broke after the call was sent${attempts}. ${unknownOutcome}`;
    case 'invalid_response':
      return `${vendor} answered${error.status ? ` ${error.status}` : ''} with a body twokey could not read. ${unknownOutcome}`;
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
  if (status === 404) {
    const where = operation.parent ? `the ${operation.parent.noun} or the ${operation.target.noun}` : `the ${operation.target.noun}`;
    return `${capitalize(where)} does not exist — it may already be gone. Nothing was changed.`;
  }
  if (status === 429) return `${vendor} is rate-limiting twokey${attempts}; nothing was changed. Try again in a minute.`;
  if (status >= 500) return `${vendor} failed${attempts}. ${unknownOutcome}`;
  return `${vendor} refused the call; nothing was changed.`;
}

export function dryRunMessage(command: ParsedCommand, vendors: VendorClients, requesterId: string): Message {
  const { operation } = command;
  const subject = { operation, requesterId, parentId: command.parentId, reason: command.reason };
  return {
    summary: `Dry run of ${operation.command}: ${plural(command.targetIds.length, 'call')} would be made, none was.`,
    tone: 'info',
    title: `Dry run: ${operation.title.toLowerCase()}`,
    fields: requestFields(subject),
    targets: command.targetIds.map((targetId) => {
      const call = operation.call(command.parentId, targetId);
      return { id: targetId, status: 'planned', text: code(`${call.method} ${vendors[call.vendor].baseUrl.replace(/\/$/, '')}${call.path}`) };
    }),
    notes: ['Nothing was called. Run the command again without `--dry-run` to do it.'],
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

export function refusalMessage(reason: string): Message {
  return { summary: reason, tone: 'failure', body: [`:no_entry: ${escapeText(reason)}`], notes: ['Nothing was changed. `/twokey whoami` shows what you may do here.'] };
}

export function secretMessage(operation: Operation, targetId: string, label: string, value: string): Message {
  return {
    summary: `New ${label} for ${operation.target.noun} ${targetId} (only you can see this)`,
    tone: 'info',
    body: [`New ${escapeText(label)} for ${operation.target.noun} ${code(targetId)}:`, `\`${escapeText(value)}\``],
    notes: ['Only you can see this message; it is not stored anywhere. Copy it now.'],
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
