import type { Message, Tone } from '../model/message';
import type { RefusedAttempt } from '../model/ports';
import type { RequestRecord, RequestStatus } from '../model/request';
import { findOperation } from '../operations/catalog';
import type { PolicyReload } from '../policy/load';
import { code, escapeText, mention, oneLine, plural, truncate } from './format';

/** What the policy's audit channel is told, one line each (PRODUCT.md §10). */
export type AuditChannelEvent =
  | { kind: 'finished'; request: RequestRecord; status: RequestStatus }
  | { kind: 'refused'; attempt: RefusedAttempt }
  | { kind: 'break_glass'; request: RequestRecord }
  | { kind: 'reviewed'; request: RequestRecord }
  | { kind: 'reloaded'; reload: PolicyReload };

// A line is read at a glance in a busy channel: a long list of changes is cut, and says so.
const maxChanges = 3;
const maxProblem = 300;
const maxBreakGlassReason = 300;

const outcomes: Partial<Record<RequestStatus, { icon: string; words: string; tone: Tone }>> = {
  succeeded: { icon: '✅', words: 'succeeded', tone: 'success' },
  failed: { icon: '❌', words: 'failed', tone: 'failure' },
  partially_failed: { icon: '⚠️', words: 'partially failed', tone: 'partial' },
  outcome_unknown: { icon: '⚠️', words: 'outcome unknown', tone: 'unknown' },
  denied: { icon: '⛔', words: 'denied', tone: 'info' },
  cancelled: { icon: '🚫', words: 'cancelled', tone: 'info' },
  expired: { icon: '⌛', words: 'expired', tone: 'info' },
};

/**
 * One line about `event`, in mrkdwn: IDs, names and counts, never what a vendor answered (the card
 * and the audit log hold that), nor a request's reason, except a break-glass use's: that reason is
 * all that stood in for its approvals. Whatever came from a file or a person is escaped.
 */
export function auditLine(event: AuditChannelEvent): Message {
  const [tone, line] = lineOf(event);
  return { summary: line, tone, body: [line] };
}

function lineOf(event: AuditChannelEvent): [Tone, string] {
  switch (event.kind) {
    case 'finished':
      return finishedLine(event.request, event.status);
    case 'refused':
      return ['warning', refusedLine(event.attempt)];
    case 'break_glass': {
      const { request } = event;
      const reason = oneLine(request.reason, maxBreakGlassReason);
      return ['warning', `🚨 Break-glass ${code(request.id)} ${request.operation}: ${targetsOf(request)}, run by ${mention(request.requesterId)} without approval. Reason: ${reason}`];
    }
    case 'reviewed': {
      const { request } = event;
      return ['info', `👀 ${code(request.id)} break-glass use by ${mention(request.requesterId)} reviewed by ${mention(request.review?.userId ?? '')}`];
    }
    case 'reloaded':
      return reloadLine(event.reload);
  }
}

function finishedLine(request: RequestRecord, status: RequestStatus): [Tone, string] {
  const outcome = outcomes[status] ?? { icon: 'ℹ️', words: status, tone: 'info' as const };
  const line = `${outcome.icon} ${code(request.id)} ${request.operation} ${outcome.words}: ${targetsOf(request)}, requested by ${mention(request.requesterId)}`;
  return [outcome.tone, `${line}, ${whoDecided(request, status)}`];
}

/** Who let it run, or who stopped it: the approvers, the one who denied or cancelled, or the approvals it got before it expired. */
function whoDecided(request: RequestRecord, status: RequestStatus): string {
  if (status === 'denied' || status === 'cancelled') return `${status} by ${mention(request.closedBy ?? request.requesterId)}`;
  if (status === 'expired') return `${request.approvals.length} of ${request.approvalsRequired} approvals`;
  if (request.breakGlass) return 'break-glass, without approval';
  if (request.approvals.length === 0) return 'ran without approval';
  return `approved by ${request.approvals.map((approval) => mention(approval.userId)).join(', ')}`;
}

/** "3 sessions on site `d290…`": the targets' count and their parent. */
function targetsOf(request: RequestRecord): string {
  const operation = findOperation(request.operation);
  const count = plural(request.targetIds.length, operation?.target.noun ?? 'target');
  return request.parentId && operation?.parent ? `${count} on ${operation.parent.noun} ${code(request.parentId)}` : count;
}

function refusedLine({ actorId, operation, requestId, reason }: RefusedAttempt): string {
  const what = [operation, requestId && code(requestId)].filter(Boolean).join(' ');
  return `⛔ Refused ${mention(actorId)}${what ? ` ${what}` : ''}: ${code(reason)}`;
}

function reloadLine(reload: PolicyReload): [Tone, string] {
  if (reload.result === 'rejected') {
    const [first] = reload.problems;
    const problems = plural(reload.problems.length, 'problem');
    return ['warning', `⚠️ Policy not reloaded (${problems}); the policy in force stays. First: ${escapeText(truncate(first ?? '', maxProblem))}`];
  }
  const { changes } = reload;
  if (changes.length === 0) return ['info', '🔄 Policy reloaded: no changes'];
  const shown = changes.slice(0, maxChanges).map(escapeText).join('; ');
  const more = changes.length > maxChanges ? `; and ${changes.length - maxChanges} more` : '';
  return ['info', `🔄 Policy reloaded: ${shown}${more}`];
}
