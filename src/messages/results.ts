import { formatDistanceStrict } from 'date-fns';
import type { Operation } from '../operations/catalog';
import { type ParsedCommand, maxTargets } from '../operations/grammar';
import type { ExecutionOutcome, TargetOutcome } from '../requests/execute';
import type { VendorError } from '../vendors/errors';
import { type VendorClients, vendorTitles } from '../vendors/types';
import { code, escapeText, link, mention, plural, truncate } from './format';
import type { Field, Message, TargetLine, Tone } from './model';

// Keeps a 50-target result inside Block Kit's limits whatever the vendors answer.
const maxVendorMessage = 300;

/** Who asked for what, shared by results, dry runs and (later) approval cards. */
export function requestFields(command: ParsedCommand, requesterId: string, requestId?: string): Field[] {
  const { operation, parentId } = command;
  const fields: Field[] = [
    { label: 'Requested by', value: mention(requesterId) },
    { label: 'Operation', value: `${code(operation.command)} (${operation.title.toLowerCase()})` },
  ];
  if (operation.parent && parentId) fields.push({ label: capitalize(operation.parent.noun), value: code(parentId) });
  fields.push({ label: 'Reason', value: command.reason ? escapeText(command.reason) : '_none given_' });
  if (requestId) fields.push({ label: 'Request', value: code(requestId) });
  return fields;
}

export function resultMessage(
  command: ParsedCommand,
  outcomes: readonly TargetOutcome[],
  overall: ExecutionOutcome,
  context: { requesterId: string; requestId: string; startedAt: Date; finishedAt: Date },
): Message {
  const { operation } = command;
  const succeeded = outcomes.filter((outcome) => outcome.status === 'succeeded').length;
  const unknown = outcomes.filter((outcome) => outcome.status === 'unknown').length;
  const noun = operation.target.noun;
  const tone: Tone = overall === 'succeeded' ? 'success' : unknown > 0 ? 'unknown' : overall === 'failed' ? 'failure' : 'partial';
  const headline = {
    succeeded: `${operation.title}: done for ${plural(outcomes.length, noun)}`,
    failed: `${operation.title}: failed for ${outcomes.length === 1 ? `the ${noun}` : `all ${plural(outcomes.length, noun)}`}`,
    partially_failed: `${operation.title}: ${succeeded} of ${plural(outcomes.length, noun)} done`,
  }[overall];
  const took = formatDistanceStrict(context.finishedAt, context.startedAt, { unit: 'second', roundingMethod: 'ceil' });
  return {
    summary: headline,
    tone,
    title: headline,
    fields: requestFields(command, context.requesterId, context.requestId),
    targets: outcomes.map((outcome) => targetLine(operation, outcome)),
    notes: [`Finished in ${took}.`],
  };
}

function targetLine(operation: Operation, outcome: TargetOutcome): TargetLine {
  if (outcome.status === 'succeeded') {
    return { id: outcome.targetId, status: 'succeeded', text: `${code(outcome.targetId)} ${outcome.success.summary}` };
  }
  const text = describeFailure(outcome.error, operation, outcome.call.idempotent);
  return { id: outcome.targetId, status: outcome.status, text: `${code(outcome.targetId)} ${text}` };
}

/** The vendor's own words (status, code, message, trace ID or doc URL), then what they mean for on-call. */
export function describeFailure(error: VendorError, operation: Operation, idempotent: boolean): string {
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
export function explainFailure(error: VendorError, operation: Operation, idempotent: boolean): string {
  const vendor = vendorTitles[error.vendor];
  const attempts = error.attempts > 1 ? ` after ${plural(error.attempts, 'attempt')}` : '';
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
  return {
    summary: `Dry run of ${operation.command}: ${plural(command.targetIds.length, 'call')} would be made, none was.`,
    tone: 'info',
    title: `Dry run: ${operation.title.toLowerCase()}`,
    fields: requestFields(command, requesterId),
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
