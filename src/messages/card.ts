import { formatDistance } from 'date-fns/formatDistance';
import { operationOf } from '../operations/catalog';
import type { Button, Message } from '../model/message';
import { isFinished, type RequestRecord } from '../model/request';
import { type IdNamer, unnamed } from '../operations/aliases';
import { code, escapeText, inSentence, mention, plural } from './format';
import { outcomeHeadline, requestFields, subjectOf, targetLines } from './results';

export const cardActions = {
  approve: 'twokey_approve',
  deny: 'twokey_deny',
  cancel: 'twokey_cancel',
} as const;
export type CardAction = keyof typeof cardActions;

export function cardActionOf(actionId: string): CardAction | undefined {
  return (Object.keys(cardActions) as CardAction[]).find((action) => cardActions[action] === actionId);
}

/**
 * The approval card, as it should look now: every change of the request re-renders it in place.
 * `name` gives the IDs' aliases, from the policy in force.
 */
export function cardMessage(request: RequestRecord, now: Date, name: IdNamer = unnamed): Message {
  const operation = operationOf(request);
  const fields = requestFields(subjectOf(request), name);
  fields.push({ label: 'Approvals', value: approvalsLine(request) });
  const base = { fields, targets: targetLines(request, operation, name) };
  const title = inSentence(operation.title);

  switch (request.status) {
    case 'pending':
      return {
        ...base,
        summary: `Approval needed: ${askLine(request)}`,
        tone: 'warning',
        title: `Approval needed: ${operation.title}`,
        notes: [expiryNote(request, now), `Nobody may approve their own request; each approver counts once.`],
        buttons: buttons(request.id),
      };
    case 'approved':
    case 'executing':
      return { ...base, summary: `Approved: running ${title}`, tone: 'info', title: `Approved — running: ${operation.title}` };
    case 'denied':
      return closed(base, `Denied by ${mention(request.closedBy ?? '')}: nothing was run.${because(request.closedReason)}`, `Denied: ${operation.title}`);
    case 'cancelled':
      return closed(base, `Cancelled by ${mention(request.closedBy ?? '')}: nothing was run.${because(request.closedReason)}`, `Cancelled: ${operation.title}`);
    case 'expired':
      return closed(base, 'Expired before it had enough approvals: nothing was run.', `Expired: ${operation.title}`);
    default: {
      const headline = outcomeHeadline(request);
      return { ...base, summary: headline.text, tone: headline.tone, title: headline.text };
    }
  }
}

/** Who asks for what, as the card's summary and the App Home say it. */
export function askLine(request: RequestRecord): string {
  const operation = operationOf(request);
  return `${mention(request.requesterId)} asks to ${inSentence(operation.title)} (${plural(request.targetIds.length, operation.target.noun)})`;
}

/** Why a request was closed, when that was said, as a sentence to follow another. */
function because(reason: string | undefined): string {
  return reason ? ` Why: ${escapeText(reason)}` : '';
}

function closed(base: Pick<Message, 'fields' | 'targets'>, why: string, title: string): Message {
  return { ...base, summary: why, tone: 'failure', title, body: [why] };
}

export function approvalsLine(request: RequestRecord): string {
  const given = request.approvals.map((approval) => mention(approval.userId)).join(', ');
  return `${request.approvals.length} of ${request.approvalsRequired}${given ? ` — ${given}` : ''}`;
}

function expiryNote(request: RequestRecord, now: Date): string {
  const seconds = Math.floor(request.expiresAt.getTime() / 1000);
  const relative = formatDistance(request.expiresAt, now, { addSuffix: true });
  // Slack shows the date token in each reader's time zone; other chats show the fallback.
  return `Expires ${relative} (<!date^${seconds}^{date_short_pretty} {time}|${request.expiresAt.toISOString()}>) · request ${code(request.id)}`;
}

function buttons(requestId: string): Button[] {
  return [
    { actionId: cardActions.approve, text: 'Approve', value: requestId, style: 'primary' },
    // Its confirmation is the form that asks for a reason (in Slack; the shell takes one after the ID).
    { actionId: cardActions.deny, text: 'Deny', value: requestId, style: 'danger' },
    { actionId: cardActions.cancel, text: 'Cancel', value: requestId },
  ];
}

/** Thread lines: who did what to the request. */
export const threadLines = {
  approved: (request: RequestRecord, userId: string) =>
    `✅ ${mention(userId)} approved (${request.approvals.length} of ${request.approvalsRequired}).`,
  denied: (userId: string, reason?: string) => `🚫 ${mention(userId)} denied the request; nothing was run.${because(reason)}`,
  cancelled: (userId: string, reason?: string) => `${mention(userId)} cancelled the request; nothing was run.${because(reason)}`,
  expired: () => '⌛ The request expired before it had enough approvals; nothing was run.',
};

export function closedReason(request: RequestRecord, now: Date): string {
  if (request.status === 'pending' && request.expiresAt <= now) return `Request ${request.id} has expired.`;
  return isFinished(request.status)
    ? `Request ${request.id} is already finished (${request.status.replace('_', ' ')}).`
    : `Request ${request.id} is already approved and running.`;
}

/** To the approver whose approval completed a request that then could not run, because someone's authority had lapsed. */
export function cancelledInsteadMessage(request: RequestRecord): Message {
  const text = `Your approval counted, but request ${request.id} was cancelled instead of run: ${request.closedReason ?? 'its authority lapsed'}`;
  return { summary: text, tone: 'warning', body: [`⚠️ ${escapeText(text)}`] };
}
