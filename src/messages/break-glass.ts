import type { Message } from '../model/message';
import type { Messenger } from '../model/ports';
import type { RequestRecord } from '../model/request';
import { operationOf } from '../operations/catalog';
import { cardActions, reviewedLine } from './card';
import { code, escapeText, link, listedTime, mention, oneLine, plural } from './format';
import { type Approvers, mentionApprovers } from './reminders';

// A reason in a list is read at a glance; the notice and the audit log hold all of it.
const maxListedReason = 200;

/** What was run, by whom, as the rest of a sentence: `@U ran /revoke-access on 2 sessions`. */
function whatRan(request: RequestRecord): string {
  const operation = operationOf(request);
  return `${mention(request.requesterId)} ran ${operation.command} on ${plural(request.targetIds.length, operation.target.noun)}`;
}

/** In the notice's thread as it goes up: the approvers, named so the chat notifies them. */
export function breakGlassNote(request: RequestRecord, approvers: Approvers): Message {
  const who = mentionApprovers(approvers);
  const text =
    `🚨 ${code(request.id)} is a break-glass use: ${whatRan(request)} without approval. ` +
    (who ? `${who}: review it with the button on the notice.` : 'The policy names nobody who could review it.');
  return { summary: text, tone: 'warning', body: [text] };
}

/** To every approver of the action, as a break-glass use runs: what, why, and the Review button. */
export function breakGlassDm(request: RequestRecord, messenger: Messenger): Message {
  const url = request.card ? messenger.permalink(request.card) : undefined;
  const where = url ? link(url, 'its notice') : `<#${request.channelId}>`;
  const text = `🚨 Break-glass: ${whatRan(request)} without approval, in <#${request.channelId}>. Reason: ${escapeText(request.reason)}`;
  return {
    summary: `Break-glass: ${request.id} ran without approval; please review it`,
    tone: 'warning',
    body: [text, `As an approver of ${operationOf(request).command}, please review it here or on ${where}.`],
    buttons: [{ actionId: cardActions.review, text: 'Review', value: request.id, style: 'primary' }],
  };
}

/** In the notice's thread, once reviewed. */
export function reviewedNote(request: RequestRecord & { review: { userId: string } }): string {
  return `👀 ${mention(request.review.userId)} reviewed this break-glass use.`;
}

/** To the reviewer. */
export function reviewRecordedMessage(request: RequestRecord): Message {
  const text = `You reviewed the break-glass use ${code(request.id)} (${whatRan(request)}). The notice shows it, and the audit log records it.`;
  return { summary: text, tone: 'success', body: [text] };
}

/** To a second reviewer: a break-glass use is reviewed once. */
export function alreadyReviewedMessage(request: RequestRecord & { review: { userId: string; at: Date } }): Message {
  return {
    summary: `The break-glass use ${request.id} was already reviewed.`,
    tone: 'warning',
    body: [`The break-glass use ${code(request.id)} was already ${reviewedLine(request.review)}.`],
    notes: ['Nothing was changed.'],
  };
}

/** A break-glass use in a list: who ran what, and how it stands (`@U ran /delete-peer on 1 peer without approval · succeeded`). */
export function breakGlassLine(request: RequestRecord): string {
  return `${whatRan(request)} without approval · ${request.status.replace('_', ' ')}`;
}

/** `/twokey audit`'s first lines: the break-glass uses nobody has reviewed, as given (newest first). */
export function unreviewedLines(requests: readonly RequestRecord[]): string[] {
  if (requests.length === 0) return [];
  return [
    `*🚨 ${plural(requests.length, 'break-glass use')} not reviewed yet* (an approver of each should press Review on its notice):`,
    ...requests.map(
      (request) =>
        `• ${listedTime(request.createdAt)} · ${code(request.id)} · ${breakGlassLine(request)} — ${oneLine(request.reason, maxListedReason)}`,
    ),
  ];
}
