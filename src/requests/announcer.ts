import { addMilliseconds } from 'date-fns/addMilliseconds';
import { differenceInMilliseconds } from 'date-fns/differenceInMilliseconds';
import { redact } from '../lib/logger';
import { reviewedNote } from '../messages/break-glass';
import { cardMessage, threadLines } from '../messages/card';
import { escapeText, mention } from '../messages/format';
import { systemActor } from '../model/audit';
import { noticeMessage } from '../messages/notices';
import { resultMessage, secretMessage } from '../messages/results';
import type { Message, MessageRef } from '../model/message';
import type { OwedDelivery, OwedMessage } from '../model/owed';
import type { Replies } from '../model/ports';
import type { Approval, RequestRecord } from '../model/request';
import { aliasNamer, type IdNamer } from '../operations/aliases';
import { operationOf } from '../operations/catalog';
import type { CoreContext } from './context';
import type { Execution } from './runner';

/** How a closed request ended: denied or cancelled, by someone. */
export type Closing = 'denied' | 'cancelled';

/**
 * Everything the approval flow says in chat beyond the answer to a click: the card and its
 * updates, the card's thread, word to the requester, and secrets for their eyes only. A
 * message that cannot be delivered never undoes the change it reports: it is kept in the store
 * and tried again (`deliverOwed`), except a secret, which is never kept.
 *
 * A request that finishes waits in the store to be announced (`announceAfter`) until every
 * message about it is delivered or kept; should the process stop before then, a sweep announces
 * it again (`announceOverdue`), so news is never lost between a change and its first message.
 */
export class Announcer {
  // Card updates for one request run one after another, each rendering the latest stored
  // state, so a slow update can never overwrite a newer one.
  private readonly cardUpdates = new Map<string, Promise<void>>();

  constructor(private readonly context: CoreContext) {}

  /** Shows IDs with their names from the aliases of the policy in force, which a reload may change. */
  private get names(): IdNamer {
    return aliasNamer(this.context.policy.aliases);
  }

  /** A request's card as it should look now, with the IDs' names from the policy in force. */
  cardOf(request: RequestRecord): Message {
    return cardMessage(request, this.context.now(), this.names);
  }

  /** Posts the card of a new pending request (or a break-glass use's notice); throws when it cannot be posted. */
  postCard(request: RequestRecord): Promise<MessageRef> {
    return this.context.messenger.post(request.channelId, this.cardOf(request));
  }

  async approved(request: RequestRecord, approverId: string): Promise<void> {
    await this.inThread(request, threadLines.approved(request, approverId));
  }

  /**
   * A word to the approvers of a waiting request (a reminder, an escalation): a note in its card's
   * thread and a direct message to each of `dms`, every one kept to try again when Slack will not take it.
   */
  async nudge(request: RequestRecord, note: Message, dms: { userId: string; message: Message }[]): Promise<void> {
    await Promise.all([
      this.inThread(request, note),
      ...dms.map(({ userId, message }) => this.deliver({ kind: 'dm', requestId: request.id, userId, message })),
    ]);
  }

  /** A break-glass use reviewed: its notice shows who and when, its thread and its requester are told. */
  async reviewed(request: RequestRecord & { review: Approval }): Promise<void> {
    await Promise.all([
      this.refreshCard(request.id),
      this.inThread(request, reviewedNote(request)),
      this.tellRequester(request, noticeMessage(request, `was reviewed by ${mention(request.review.userId)}`, this.context.messenger)),
    ]);
  }

  /** A request denied or cancelled by `actorId`: the card, its thread, and the requester unless they did it. */
  closed(request: RequestRecord, how: Closing, actorId: string): Promise<void> {
    const reason = request.closedReason;
    const why = reason ? ` (${escapeText(reason)})` : '';
    return this.announce(request, [
      () => this.refreshCard(request.id),
      () => this.inThread(request, how === 'denied' ? threadLines.denied(actorId, reason) : threadLines.cancelled(actorId, reason)),
      ...(actorId === request.requesterId
        ? []
        : [() => this.tellRequester(request, noticeMessage(request, `was ${how} by ${mention(actorId)}; nothing was run${why}`, this.context.messenger))]),
    ]);
  }

  expired(request: RequestRecord): Promise<void> {
    return this.announce(request, [
      () => this.refreshCard(request.id),
      () => this.inThread(request, threadLines.expired()),
      () => this.tellRequester(request, noticeMessage(request, 'expired before it had enough approvals; nothing was run', this.context.messenger)),
    ]);
  }

  /** An execution a stopped process left unfinished: its outcome is unknown. */
  lost(request: RequestRecord): Promise<void> {
    return this.announce(request, [
      ...this.onCardOrInChannel(request, resultMessage(request, this.names)),
      () => this.tellRequester(request, noticeMessage(request, 'has an unknown outcome: twokey stopped while it ran', this.context.messenger)),
    ]);
  }

  /**
   * The outcome of an execution, on its card and in its thread (in the channel, for a request
   * that had no card). `replies`, the approving click's, carry it to the channel when Slack
   * will not post it in the thread.
   */
  async executed(execution: Execution, replies?: Replies): Promise<void> {
    const { request } = execution;
    await this.announce(request, [
      ...this.onCardOrInChannel(request, resultMessage(request, this.names), replies),
      () => this.tellRequester(request, noticeMessage(request, `finished: ${resultMessage(request).summary}`, this.context.messenger)),
    ]);
    await this.revealSecrets(execution);
  }

  /**
   * The outcome of a command that ran at once, in the channel it was typed in. Whoever ran an
   * operation hears its outcome: when the channel cannot be reached, the requester is told
   * directly, now or, failing that, when Slack takes the message again.
   */
  result({ request }: Execution, replies: Replies): Promise<void> {
    const message = resultMessage(request, this.names);
    return this.announce(request, [
      async () => {
        try {
          await replies.toChannel(message);
          return true;
        } catch (error) {
          this.context.logger.warn('could not post a result in its channel; telling the requester directly', { requestId: request.id, error });
        }
        const undelivered = { ...message, notes: [...(message.notes ?? []), 'twokey could not post this result in the channel.'] };
        return this.tellRequester(request, undelivered);
      },
    ]);
  }

  /**
   * Announces again, each on its own, the finished requests whose announcement is overdue: their
   * process stopped, or could not reach the store, before all their messages were delivered or
   * kept. `alone` at start-up when this process is the store's only one: then every request
   * still waiting is a stopped process's, even one it had claimed (a claim lasts one lease). A
   * secret is never announced again: it was never stored.
   */
  async announceOverdue(alone = false): Promise<RequestRecord[]> {
    const { store, now, logger } = this.context;
    const at = now();
    const leaseUntil = addMilliseconds(at, owedLeaseMs);
    const overdue = await store.claimUnannounced(alone ? leaseUntil : at, leaseUntil, owedBatch);
    for (const request of overdue) {
      logger.warn('announcing a finished request whose announcement was cut short', { requestId: request.id, status: request.status });
      this.context.background('announcing a finished request', this.announceAgain(request));
    }
    return overdue;
  }

  /**
   * Shows each secret an execution returned to its requester alone, when the policy says so:
   * through `show` (the command's private reply), or an ephemeral message in the channel.
   * A secret that cannot be shown is lost on purpose; the requester is told so.
   */
  async revealSecrets({ request, secrets }: Execution, show?: (message: Message) => Promise<void>): Promise<void> {
    const { messenger, logger, policy } = this.context;
    if (policy.revealPassword !== 'requester') return;
    const deliver = show ?? ((message: Message) => messenger.whisper(request.channelId, request.requesterId, message));
    for (const { targetId, secret } of secrets) {
      await deliver(secretMessage(operationOf(request), targetId, secret.label, secret.value, this.names)).catch(async (error: unknown) => {
        logger.warn('could not show a secret to the requester', { requestId: request.id, error });
        await this.tellRequester(request, {
          summary: 'A new password could not be shown to you',
          tone: 'warning',
          body: [`twokey could not show you the new ${secret.label} for \`${targetId}\` in the channel (are you still in it?). It is not stored anywhere.`],
        });
      });
    }
  }

  /**
   * Posts a message in a channel that is about no card (a line in the audit channel), kept to be
   * tried again when Slack will not take it now; false when it could neither be posted nor kept.
   */
  inChannel(channelId: string, message: Message, requestId?: string): Promise<boolean> {
    return this.deliver({ kind: 'post', requestId, channelId, message });
  }

  /** Re-renders a request's card from the latest stored state; false when it could neither be updated nor kept to try again. */
  refreshCard(requestId: string): Promise<boolean> {
    return this.deliver({ kind: 'card', requestId });
  }

  /**
   * Starts trying again the messages that could not be delivered when they were owed, those due
   * now; on every replica's sweep, each message claimed by one. A message still undelivered after a
   * day is given up, loudly.
   */
  async deliverOwed(): Promise<OwedMessage[]> {
    const { store, now, logger } = this.context;
    const at = now();
    const owed = await store.claimOwed(at, addMilliseconds(at, owedLeaseMs), owedBatch);
    // Each is sent on its own, as expiries are announced: a slow Slack call holds back neither
    // another message nor the next sweep. The lease keeps a message from being claimed twice meanwhile.
    for (const message of owed) {
      this.context.background(
        'delivering an owed message',
        (async () => {
          try {
            await this.inTurn(message, () => this.send(message));
            await store.settleOwed(message.id);
          } catch (error) {
            if (differenceInMilliseconds(now(), message.createdAt) >= owedForMs) {
              logger.error('gave up delivering a message after a day', { ...describe(message), attempts: message.attempts, error });
              await store.settleOwed(message.id);
              return;
            }
            await store.deferOwed(message.id, addMilliseconds(now(), retryDelayMs(message.attempts)), problemText(error));
          }
        })(),
      );
    }
    return owed;
  }

  /**
   * Sends a finished request's messages in order; once each is delivered or kept, the request
   * no longer waits to be announced. One neither delivered nor kept (the store down too) leaves
   * it waiting, for a sweep to announce it all again.
   */
  private async announce(request: RequestRecord, steps: (() => Promise<boolean>)[]): Promise<void> {
    let settled = true;
    for (const step of steps) settled = (await step()) && settled;
    if (!settled) return;
    await this.context.store.markAnnounced(request.id).catch((error: unknown) => {
      this.context.logger.warn('could not record that a request was announced; it may be announced again', { requestId: request.id, error });
    });
  }

  /** The announcement of a finished request, from what the store holds of it. */
  private announceAgain(request: RequestRecord): Promise<void> {
    switch (request.status) {
      case 'denied':
      case 'cancelled':
        return this.closed(request, request.status, request.closedBy ?? systemActor);
      case 'expired':
        return this.expired(request);
      default:
        return request.results?.length ? this.executed({ request, secrets: [] }) : this.lost(request);
    }
  }

  /**
   * A request's news: its card updated and the message in its thread, or, without a card, the
   * message in its channel; through `replies` when Slack will not post it there.
   */
  private onCardOrInChannel(request: RequestRecord, message: Message, replies?: Replies): (() => Promise<boolean>)[] {
    const fallback = replies && (() => replies.toChannel(message));
    if (!request.card) return [() => this.deliver({ kind: 'post', requestId: request.id, channelId: request.channelId, message }, fallback)];
    return [() => this.refreshCard(request.id), () => this.inThread(request, message, fallback)];
  }

  private async inThread(request: RequestRecord, message: Message | string, fallback?: () => Promise<void>): Promise<boolean> {
    if (!request.card) return true;
    const model: Message = typeof message === 'string' ? { summary: message, tone: 'info', body: [message] } : message;
    return this.deliver({ kind: 'post', requestId: request.id, channelId: request.channelId, threadOf: request.card, message: model }, fallback);
  }

  private tellRequester(request: RequestRecord, message: Message): Promise<boolean> {
    return this.deliver({ kind: 'dm', requestId: request.id, userId: request.requesterId, message });
  }

  /**
   * Sends a message now, or else through `fallback`; one that cannot be delivered is kept, to be
   * tried again by the sweep. False only when it could be neither delivered nor kept.
   */
  private async deliver(delivery: OwedDelivery, fallback?: () => Promise<void>): Promise<boolean> {
    const { store, now, logger } = this.context;
    try {
      await this.inTurn(delivery, () => this.send(delivery));
      return true;
    } catch (error) {
      const what = describe(delivery);
      if (fallback) {
        const delivered = await fallback().then(
          () => true,
          (fallbackError: unknown) => {
            logger.warn(`could not ${what.action}, nor post it through the click`, { requestId: delivery.requestId, error: fallbackError });
            return false;
          },
        );
        if (delivered) {
          logger.warn(`could not ${what.action}; posted it through the click instead`, { requestId: delivery.requestId, error });
          return true;
        }
      }
      logger.warn(`could not ${what.action}; it is kept to be tried again`, { requestId: delivery.requestId, error });
      const at = now();
      return store.owe(delivery, at, addMilliseconds(at, retryDelayMs(1)), problemText(error)).then(
        () => true,
        (storeError: unknown) => {
          logger.error(`could not ${what.action}, nor keep it to try again`, { requestId: delivery.requestId, error: storeError });
          return false;
        },
      );
    }
  }

  private async send(delivery: OwedDelivery): Promise<void> {
    const { messenger, store } = this.context;
    switch (delivery.kind) {
      case 'card': {
        const request = await store.getRequest(delivery.requestId);
        if (request?.card) await messenger.update(request.card, this.cardOf(request));
        return;
      }
      case 'post':
        await messenger.post(delivery.channelId, delivery.message, { threadOf: delivery.threadOf });
        return;
      case 'dm':
        await messenger.notify(delivery.userId, delivery.message);
    }
  }

  /**
   * Runs card updates of one request one after another, each rendering the latest stored state,
   * so that a slow update can never overwrite a newer one; other messages go at once.
   */
  private inTurn(delivery: OwedDelivery, send: () => Promise<void>): Promise<void> {
    if (delivery.kind !== 'card') return send();
    const { requestId } = delivery;
    const next = (this.cardUpdates.get(requestId) ?? Promise.resolve()).catch(() => undefined).then(send);
    this.cardUpdates.set(requestId, next);
    void next
      .finally(() => {
        if (this.cardUpdates.get(requestId) === next) this.cardUpdates.delete(requestId);
      })
      .catch(() => undefined);
    return next;
  }
}

// An owed message is tried again after half a minute, then less and less often, for a day.
const firstRetryMs = 30_000;
const longestRetryMs = 10 * 60_000;
const owedForMs = 24 * 60 * 60_000;
// Long enough for a Slack call's tries; a replica that stops mid-delivery leaves it due again after this.
// The same for an announcement claimed again.
const owedLeaseMs = 2 * 60_000;
const owedBatch = 20;

function retryDelayMs(attempts: number): number {
  return Math.min(longestRetryMs, firstRetryMs * 2 ** Math.max(0, attempts - 1));
}

/** What an owed message is, for the log. */
function describe(delivery: OwedDelivery): { action: string; requestId?: string } {
  const action =
    delivery.kind === 'card'
      ? 'update an approval card'
      : delivery.kind === 'dm'
        ? 'send a direct message'
        : delivery.threadOf
          ? 'reply in a card thread'
          : 'post in a channel';
  return { action, requestId: delivery.requestId };
}

/** An error as one line for the store: never a token, which the logger's redaction also removes. */
function problemText(error: unknown): string {
  return String(redact(error instanceof Error ? error.message : String(error))).slice(0, 500);
}
