import { cardMessage, threadLines } from '../messages/card';
import { escapeText, mention } from '../messages/format';
import { noticeMessage } from '../messages/notices';
import { resultMessage, secretMessage } from '../messages/results';
import type { Message, MessageRef } from '../model/message';
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
 * message that cannot be delivered is logged; it never undoes the change it reports.
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
   * directly; failing that too, the outcome stays in the log and the audit log, never as an error.
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
    await this.context.messenger.notify(request.requesterId, undelivered).catch((error: unknown) => {
      this.context.logger.error('could not deliver a result to anyone', { requestId: request.id, outcome: request.status, error });
    });
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
    const { store, messenger, now, logger } = this.context;
    const previous = this.cardUpdates.get(requestId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const request = await store.getRequest(requestId);
      if (!request?.card) return;
      await messenger.update(request.card, cardMessage(request, now())).catch((error: unknown) => {
        logger.warn('could not update an approval card', { requestId, error });
      });
    });
    this.cardUpdates.set(requestId, next);
    void next.finally(() => {
      if (this.cardUpdates.get(requestId) === next) this.cardUpdates.delete(requestId);
    });
    return next;
  }

  /** A request's news: its card updated and the message in its thread, or, without a card, the message in its channel. */
  private async onCardOrInChannel(request: RequestRecord, message: Message): Promise<void> {
    if (!request.card) {
      await this.context.messenger.post(request.channelId, message);
      return;
    }
    await this.refreshCard(request.id);
    await this.inThread(request, message);
  }

  private async inThread(request: RequestRecord, message: Message | string): Promise<void> {
    if (!request.card) return;
    const model: Message = typeof message === 'string' ? { summary: message, tone: 'info', body: [message] } : message;
    await this.context.messenger.post(request.channelId, model, { threadOf: request.card }).catch((error: unknown) => {
      this.context.logger.warn('could not reply in a card thread', { requestId: request.id, error });
    });
  }

  private async tellRequester(request: RequestRecord, message: Message): Promise<void> {
    await this.context.messenger.notify(request.requesterId, message).catch((error: unknown) => {
      this.context.logger.warn('could not tell the requester', { requestId: request.id, error });
    });
  }
}
