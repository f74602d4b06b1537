import { formatDistance } from 'date-fns/formatDistance';
import { operationOf } from '../operations/catalog';
import type { Button, Message } from '../model/message';
import { isFinished, type RequestRecord } from '../model/request';
import { type IdNamer, unnamed } from '../operations/aliases';
import { code, escapeText, inSentence, mention, plural } from './format';
import { outcomeHeadline, refusalMessage, requestFields, subjectOf, targetLines } from './results';

export const cardActions = {
  approve: 'twokey_approve',
  deny: 'twokey_deny',
  cancel: 'twokey_cancel',
  /** On a break-glass notice and its DMs: an approver has looked at what was run without them. */
  review: 'twokey_review',
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
  if (request.breakGlass) return breakGlassNotice(request, name);
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

/**
 * A break-glass use's card: the loud notice in its channel (PRODUCT.md §10), from the moment it
 * runs until an approver has reviewed it. It says who ran what without approval, how it ended,
 * and who reviewed it; until then it carries the Review button.
 */
function breakGlassNotice(request: RequestRecord, name: IdNamer): Message {
  const operation = operationOf(request);
  const fields = requestFields(subjectOf(request), name);
  fields.push({ label: 'Approvals', value: `none: break-glass (the policy asks for ${request.approvalsRequired})` });
  fields.push({ label: 'Review', value: request.review ? reviewedLine(request.review) : '_waiting for an approver_' });
  const finished = isFinished(request.status) ? outcomeHeadline(request) : undefined;
  const ran = `${mention(request.requesterId)} broke glass: ${inSentence(operation.title)} ran at once, without approval.`;
  return {
    summary: `Break-glass: ${mention(request.requesterId)} ran ${inSentence(operation.title)} without approval${finished ? ` — ${inSentence(finished.text)}` : ''}`,
    tone: request.review ? (finished?.tone ?? 'info') : 'warning',
    title: `🚨 Break-glass — ${finished ? finished.text : `running: ${operation.title}`}`,
    body: [ran],
    fields,
    targets: targetLines(request, operation, name),
    notes: request.review
      ? undefined
      : ['Its approvers were told. One of them should review it: who reviewed it, and when, goes in the audit log.'],
    buttons: request.review ? undefined : [{ actionId: cardActions.review, text: 'Review', value: request.id, style: 'primary' }],
  };
}

/** Who reviewed a break-glass use, and when, in every reader's time zone. */
export function reviewedLine(review: { userId: string; at: Date }): string {
  return `reviewed by ${mention(review.userId)} ${slackDate(review.at)}`;
}

/** A moment as Slack shows it in each reader's time zone; other chats show the ISO fallback. */
function slackDate(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;
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
  const relative = formatDistance(request.expiresAt, now, { addSuffix: true });
  return `Expires ${relative} (${slackDate(request.expiresAt)}) · request ${code(request.id)}`;
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

export function noSuchRequestMessage(requestId: string): Message {
  return refusalMessage(`There is no request ${requestId}.`, '`/twokey pending` lists the open requests in this channel.');
}

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
