import { formatDistance } from 'date-fns/formatDistance';
import type { AuditEntry } from '../model/audit';
import type { Message } from '../model/message';
import type { Messenger } from '../model/ports';
import type { RequestRecord } from '../model/request';
import { operationOf } from '../operations/catalog';
import { unreviewedLines } from './break-glass';
import { code, escapeText, link, listedTime, mention, oneLine, plural } from './format';

/** `/twokey pending`: open requests in this channel, each linking to its card. */
export function pendingMessage(requests: readonly RequestRecord[], now: Date, messenger: Messenger): Message {
  if (requests.length === 0) {
    return { summary: 'No open requests in this channel.', tone: 'info', body: ['No open requests in this channel.'] };
  }
  const lines = requests.map((request) => {
    const operation = operationOf(request);
    const url = request.card ? messenger.permalink(request.card) : undefined;
    const id = url ? link(url, request.id) : code(request.id);
    return (
      `• ${id} ${code(operation.command)} on ${plural(request.targetIds.length, operation.target.noun)} by ${mention(request.requesterId)} — ` +
      `${request.approvals.length} of ${request.approvalsRequired} approvals, expires ${formatDistance(request.expiresAt, now, { addSuffix: true })}`
    );
  });
  return {
    summary: `${plural(requests.length, 'open request')} in this channel`,
    tone: 'info',
    title: `Open requests (${requests.length})`,
    body: lines,
  };
}

/**
 * `/twokey audit [n]`: the break-glass uses nobody has reviewed yet (PRODUCT.md §10), then the
 * newest entries the user may see, newest first.
 */
export function auditMessage(entries: readonly AuditEntry[], scope: string, unreviewed: readonly RequestRecord[] = []): Message {
  const first = unreviewedLines(unreviewed);
  const lines = entries.length ? entries.map(auditEntryLine) : [`No audit entries ${scope}.`];
  const summary = entries.length ? `Last ${plural(entries.length, 'audit entry')} ${scope}` : `No audit entries ${scope}.`;
  return {
    summary: unreviewed.length ? `${plural(unreviewed.length, 'unreviewed break-glass use')}; ${summary}` : summary,
    tone: unreviewed.length ? 'warning' : 'info',
    title: `Audit log ${scope}`,
    body: first.length ? [...first, '*Latest entries*', ...lines] : lines,
  };
}

/** One audit entry as one line: when, what, who, on which request, how it ended. */
export function auditEntryLine(entry: AuditEntry): string {
  const parts = [
    listedTime(entry.at),
    `*${entry.event}*`,
    mention(entry.actorId),
    entry.operation ? code(entry.operation) : undefined,
    entry.requestId ? code(entry.requestId) : undefined,
    entry.outcome ? escapeText(entry.outcome) : undefined,
    entry.detail ? `— ${oneLine(entry.detail, 200)}` : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}
