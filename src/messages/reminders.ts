import { formatDistance } from 'date-fns/formatDistance';
import { formatDuration } from '../lib/duration';
import type { Message } from '../model/message';
import type { Messenger } from '../model/ports';
import type { RequestRecord } from '../model/request';
import { operationOf } from '../operations/catalog';
import { code, link, mention, plural } from './format';

/** The people a reminder or an escalation names: users by ID, and user groups. */
export interface Approvers {
  userIds: string[];
  usergroupIds: string[];
}

/** A user group as the chat shows it, notifying its members. */
export function groupMention(usergroupId: string): string {
  return `<!subteam^${usergroupId}>`;
}

/** The approvers as the chat mentions them, notifying each: user groups first. */
export function mentionApprovers({ userIds, usergroupIds }: Approvers): string {
  return [...usergroupIds.map(groupMention), ...userIds.map(mention)].join(', ');
}

function note(text: string): Message {
  return { summary: text, tone: 'info', body: [text] };
}

/** In a waiting request's thread, every `remind` interval: who can approve it, and how long is left. */
export function reminderNote(request: RequestRecord, approvers: Approvers, now: Date): Message {
  const who = mentionApprovers(approvers);
  const missing = request.approvalsRequired - request.approvals.length;
  return note(
    `🔔 ${code(request.id)} is still waiting for ${plural(missing, 'more approval')} ` +
      `(${request.approvals.length} of ${request.approvalsRequired}); it expires in ${formatDistance(request.expiresAt, now)}. ` +
      (who ? `${who}: you can approve or deny it on the card.` : 'Nobody listed in the policy can approve it now.'),
  );
}

/** In a request's thread, when it escalates: who may now approve it too. */
export function escalationNote(request: RequestRecord, escalatedTo: Approvers, afterMs: number): Message {
  const who = mentionApprovers(escalatedTo);
  return note(
    `⏫ Escalated: ${code(request.id)} has waited ${formatDuration(afterMs)}` +
      (who ? `, so ${who} may now approve or deny it too.` : '; the roles it escalates to list nobody.'),
  );
}

/** What the request is and where to act on it, as the rest of a direct message. */
function aboutRequest(request: RequestRecord, messenger: Messenger): string {
  const operation = operationOf(request);
  const url = request.card ? messenger.permalink(request.card) : undefined;
  const where = url ? link(url, 'the card') : `the card in <#${request.channelId}>`;
  return `${mention(request.requesterId)} asks to run ${operation.command} on ${plural(request.targetIds.length, operation.target.noun)}. See ${where}.`;
}

/** To each approver listed by ID, every `remind` interval. */
export function reminderDm(request: RequestRecord, messenger: Messenger): Message {
  const text = `🔔 Reminder: request ${code(request.id)} is waiting for your approval. ${aboutRequest(request, messenger)}`;
  return { summary: `Reminder: request ${request.id} is waiting for your approval`, tone: 'info', body: [text] };
}

/** To each approver the escalation newly allows, once. */
export function escalationDm(request: RequestRecord, afterMs: number, messenger: Messenger): Message {
  const text = `⏫ You may now approve ${code(request.id)} (escalated after ${formatDuration(afterMs)}). ${aboutRequest(request, messenger)}`;
  return { summary: `You may now approve ${request.id} (escalated after ${formatDuration(afterMs)})`, tone: 'info', body: [text] };
}
