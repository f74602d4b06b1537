import { addMilliseconds } from 'date-fns/addMilliseconds';
import { differenceInMilliseconds } from 'date-fns/differenceInMilliseconds';
import { redact } from '../lib/logger';
import { cardMessage, threadLines } from '../messages/card';
import { escapeText, mention } from '../messages/format';
import { noticeMessage } from '../messages/notices';
import { resultMessage, secretMessage } from '../messages/results';
import type { Message, MessageRef } from '../model/message';
import type { OwedDelivery, OwedMessage } from '../model/owed';
import type { Replies } from '../model/ports';
import type { RequestRecord } from '../model/request';
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
 */
export class Announcer {
  // Card updates for one request run one after another, each rendering the latest stored
  // state, so a slow update can never overwrite a newer one.
  private readonly cardUpdates = new Map<string, Promise<void>>();

  constructor(private readonly context: CoreContext) {}

  /** Posts the card of a new pending request; throws when it cannot be posted. */
  postCard(request: RequestRecord): Promise<MessageRef> {
    return this.context.messenger.post(request.channelId, cardMessage(request, this.context.now()));
  }

  approved(request: RequestRecord, approverId: string): Promise<void> {
    return this.inThread(request, threadLines.approved(request, approverId));
  }

  /** A request denied or cancelled by `actorId`: the card, its thread, and the requester unless they did it. */
  async closed(request: RequestRecord, how: Closing, actorId: string): Promise<void> {
    const reason = request.closedReason;
    await this.refreshCard(request.id);
    await this.inThread(request, how === 'denied' ? threadLines.denied(actorId, reason) : threadLines.cancelled(actorId, reason));
    if (actorId !== request.requesterId) {
      const why = reason ? ` (${escapeText(reason)})` : '';
      await this.tellRequester(request, noticeMessage(request, `was ${how} by ${mention(actorId)}; nothing was run${why}`, this.context.messenger));
    }
  }

  async expired(request: RequestRecord): Promise<void> {
    await this.refreshCard(request.id);
    await this.inThread(request, threadLines.expired());
    await this.tellRequester(request, noticeMessage(request, 'expired before it had enough approvals; nothing was run', this.context.messenger));
  }

  /** An execution a stopped process left unfinished: its outcome is unknown. */
  async lost(request: RequestRecord): Promise<void> {
    await this.onCardOrInChannel(request, resultMessage(request));
    await this.tellRequester(request, noticeMessage(request, 'has an unknown outcome: twokey stopped while it ran', this.context.messenger));
  }

  /** The outcome of an execution, on its card and in its thread (in the channel, for a request that had no card). */
  async executed(execution: Execution): Promise<void> {
    const { request } = execution;
    await this.onCardOrInChannel(request, resultMessage(request));
    await this.tellRequester(request, noticeMessage(request, `finished: ${resultMessage(request).summary}`, this.context.messenger));
    await this.revealSecrets(execution);
  }

  /**
   * The outcome of a command that ran at once, in the channel it was typed in. Whoever ran an
   * operation hears its outcome: when the channel cannot be reached, the requester is told
   * directly, now or, failing that, when Slack takes the message again.
   */
  async result({ request }: Execution, replies: Replies): Promise<void> {
    const message = resultMessage(request);
    try {
      await replies.toChannel(message);
      return;
    } catch (error) {
      this.context.logger.warn('could not post a result in its channel; telling the requester directly', { requestId: request.id, error });
    }
    const undelivered = { ...message, notes: [...(message.notes ?? []), 'twokey could not post this result in the channel.'] };
    await this.tellRequester(request, undelivered);
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
      await deliver(secretMessage(operationOf(request), targetId, secret.label, secret.value)).catch(async (error: unknown) => {
        logger.warn('could not show a secret to the requester', { requestId: request.id, error });
        await this.tellRequester(request, {
          summary: 'A new password could not be shown to you',
          tone: 'warning',
          body: [`twokey could not show you the new ${secret.label} for \`${targetId}\` in the channel (are you still in it?). It is not stored anywhere.`],
        });
      });
    }
  }

  /** Re-renders a request's card from the latest stored state. */
  refreshCard(requestId: string): Promise<void> {
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

  /** A request's news: its card updated and the message in its thread, or, without a card, the message in its channel. */
  private async onCardOrInChannel(request: RequestRecord, message: Message): Promise<void> {
    if (!request.card) {
      await this.deliver({ kind: 'post', requestId: request.id, channelId: request.channelId, message });
      return;
    }
    await this.refreshCard(request.id);
    await this.inThread(request, message);
  }

  private async inThread(request: RequestRecord, message: Message | string): Promise<void> {
    if (!request.card) return;
    const model: Message = typeof message === 'string' ? { summary: message, tone: 'info', body: [message] } : message;
    await this.deliver({ kind: 'post', requestId: request.id, channelId: request.channelId, threadOf: request.card, message: model });
  }

  private tellRequester(request: RequestRecord, message: Message): Promise<void> {
    return this.deliver({ kind: 'dm', requestId: request.id, userId: request.requesterId, message });
  }

  /** Sends a message now; one that cannot be delivered is kept, to be tried again by the sweep. */
  private async deliver(delivery: OwedDelivery): Promise<void> {
    const { store, now, logger } = this.context;
    try {
      await this.inTurn(delivery, () => this.send(delivery));
    } catch (error) {
      const what = describe(delivery);
      logger.warn(`could not ${what.action}; it is kept to be tried again`, { requestId: delivery.requestId, error });
      const at = now();
      await store.owe(delivery, at, addMilliseconds(at, retryDelayMs(1)), problemText(error)).catch((storeError: unknown) => {
        logger.error(`could not ${what.action}, nor keep it to try again`, { requestId: delivery.requestId, error: storeError });
      });
    }
  }

  private async send(delivery: OwedDelivery): Promise<void> {
    const { messenger, store, now } = this.context;
    switch (delivery.kind) {
      case 'card': {
        const request = await store.getRequest(delivery.requestId);
        if (request?.card) await messenger.update(request.card, cardMessage(request, now()));
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
