import { cardMessage, threadLines } from '../messages/card';
import { noticeMessage } from '../messages/notices';
import { resultMessage, secretMessage } from '../messages/results';
import type { Message, MessageRef } from '../model/message';
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
    await this.refreshCard(request.id);
    await this.inThread(request, how === 'denied' ? threadLines.denied(actorId) : threadLines.cancelled(actorId));
    if (actorId !== request.requesterId) {
      await this.tellRequester(request, noticeMessage(request, `was ${how} by <@${actorId}>; nothing was run`, this.context.messenger));
    }
  }

  async expired(request: RequestRecord): Promise<void> {
    await this.refreshCard(request.id);
    await this.inThread(request, threadLines.expired());
    await this.tellRequester(request, noticeMessage(request, 'expired before it had enough approvals; nothing was run', this.context.messenger));
  }

  /** An execution a stopped process left unfinished: its outcome is unknown. */
  async lost(request: RequestRecord): Promise<void> {
    if (request.card) {
      await this.refreshCard(request.id);
      await this.inThread(request, resultMessage(request));
    } else {
      await this.context.messenger.post(request.channelId, resultMessage(request));
    }
    await this.tellRequester(request, noticeMessage(request, 'has an unknown outcome: twokey stopped while it ran', this.context.messenger));
  }

  /** The outcome of an execution that ran from a card. */
  async executed(execution: Execution): Promise<void> {
    const { request } = execution;
    await this.refreshCard(request.id);
    await this.inThread(request, resultMessage(request));
    await this.tellRequester(request, noticeMessage(request, `finished: ${resultMessage(request).summary}`, this.context.messenger));
    await this.revealSecrets(execution);
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
