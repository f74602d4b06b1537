import { cardMessage, closedReason, threadLines, type CardAction } from '../messages/card';
import { refusalMessage, resultMessage, secretMessage } from '../messages/results';
import { noticeMessage } from '../messages/notices';
import type { Message } from '../messages/model';
import { decideApproval, mayDeny } from '../policy/access';
import { type AuditNote, type RequestRecord, requestAuditEntry, systemActor } from '../store/store';
import type { CoreContext, Replies } from './context';
import { operationOf } from './records';
import { type Execution, runApproved } from './runner';

/** Who acts on a request; where is always the request's own channel. */
export interface Actor {
  userId: string;
}

/** The role whose holders may cancel anyone's request. */
export const adminRole = 'admin';

/**
 * The two-person rule (PRODUCT.md §3): approval cards, clicks, expiry and recovery. Every
 * decision is a conditional update in the store; this class only decides what to say.
 */
export class ApprovalFlow {
  // Card updates for one request run one after another, each rendering the latest stored
  // state, so a slow update can never overwrite a newer one.
  private readonly cardUpdates = new Map<string, Promise<void>>();

  constructor(private readonly context: CoreContext) {}

  /** Posts the card of a new pending request; without a card nobody could approve it, so it is then cancelled. */
  async open(request: RequestRecord, replies: Replies): Promise<void> {
    const { messenger, store, now, logger } = this.context;
    try {
      const card = await messenger.post(request.channelId, cardMessage(request, now()));
      await store.attachCard(request.id, card);
    } catch (error) {
      logger.warn('could not post an approval card', { requestId: request.id, error });
      await store.transition(request.id, 'cancel', {
        at: now(),
        closedBy: request.requesterId,
        audit: { event: 'cancelled', actorId: request.requesterId, detail: 'the approval card could not be posted' },
      });
      this.context.observer.requestFinished(request.operation, 'cancelled');
      await replies.toUser(
        refusalMessage(
          'twokey could not post the approval card in this channel (is it a member? `/invite @twokey`), so the request was cancelled. Invite it and run the command again.',
        ),
      );
    }
  }

  async click(action: CardAction, requestId: string, actor: Actor, replies: Replies): Promise<void> {
    const request = await this.context.store.getRequest(requestId);
    if (!request) {
      await replies.toUser(refusalMessage(`There is no request ${requestId}.`));
      return;
    }
    if (action === 'approve') return this.approve(request, actor, replies);
    if (action === 'deny') return this.deny(request, actor, replies);
    return this.cancel(request, actor, replies);
  }

  /** Expires every overdue request and says so on its card; with several replicas each is handled once. */
  async sweep(): Promise<RequestRecord[]> {
    const { store, now, messenger } = this.context;
    const expired = await store.expireDue(now(), { event: 'expired', actorId: systemActor });
    for (const request of expired) {
      this.context.observer.requestFinished(request.operation, request.status);
      await this.refreshCard(request.id);
      await this.inThread(request, threadLines.expired());
      await this.tellRequester(request, noticeMessage(request, 'expired before it had enough approvals; nothing was run', messenger));
    }
    return expired;
  }

  /** Reports executions a previous process started but never finished: their outcome is unknown, and they are never re-run. */
  async recoverInterrupted(startedBefore: Date): Promise<RequestRecord[]> {
    const { store, now, messenger } = this.context;
    // twokey, not the requester, finds that an execution was cut off.
    const lost = await store.loseInterrupted(startedBefore, now(), {
      event: 'executed',
      actorId: systemActor,
      outcome: 'outcome_unknown',
      detail: 'twokey stopped while the vendor calls were under way',
    });
    for (const request of lost) {
      this.context.observer.requestFinished(request.operation, request.status);
      if (request.card) {
        await this.refreshCard(request.id);
        await this.inThread(request, resultMessage(request));
      } else {
        await messenger.post(request.channelId, resultMessage(request));
      }
      await this.tellRequester(request, noticeMessage(request, 'has an unknown outcome: twokey stopped while it ran', messenger));
    }
    return lost;
  }

  /** Reports the outcome of an execution that ran from a card. */
  async reportExecution({ request, secrets }: Execution): Promise<void> {
    const { messenger, logger } = this.context;
    await this.refreshCard(request.id);
    await this.inThread(request, resultMessage(request));
    await this.tellRequester(request, noticeMessage(request, `finished: ${resultMessage(request).summary}`, messenger));
    if (this.context.policy.revealPassword !== 'requester') return;
    for (const { targetId, secret } of secrets) {
      const message = secretMessage(operationOf(request), targetId, secret.label, secret.value);
      await messenger.whisper(request.channelId, request.requesterId, message).catch(async (error: unknown) => {
        logger.warn('could not show a secret to the requester', { requestId: request.id, error });
        await this.tellRequester(request, {
          summary: 'A new password could not be shown to you',
          tone: 'warning',
          body: [`twokey could not show you the new ${secret.label} for \`${targetId}\` in the channel (are you still in it?). It is not stored anywhere.`],
        });
      });
    }
  }

  private async approve(request: RequestRecord, actor: Actor, replies: Replies): Promise<void> {
    const { store, roles, policy, now } = this.context;
    if (request.status !== 'pending' || request.expiresAt <= now()) return this.notOpen(request, replies);
    const who = await roles.resolve(actor.userId);
    const decision = decideApproval(policy, who, {
      operation: request.operation,
      requesterId: request.requesterId,
      approverIds: request.approvals.map((approval) => approval.userId),
    });
    if (!decision.counts) return this.refuse(request, actor, decision.reason, decision.message, replies);

    const inserted = await store.addApproval(request.id, actor.userId, now());
    if (inserted === 'duplicate') return this.refuse(request, actor, 'already_approved', 'You have already approved this request; each approver counts once.', replies);
    if (inserted === 'not_open') return this.notOpen((await store.getRequest(request.id)) ?? request, replies);

    this.context.observer.approvalCounted(request.operation);
    const counted = (await store.getRequest(request.id)) ?? request;
    await this.audit(counted, { event: 'approved', actorId: actor.userId, detail: `${counted.approvals.length} of ${counted.approvalsRequired}` });
    const said = this.inThread(counted, threadLines.approved(counted, actor.userId));
    const complete = await store.transition(request.id, 'complete', { at: now(), approvalsComplete: true, unexpired: true });
    // The vendor calls start at once; Slack hears of the approval meanwhile, and of the outcome after.
    const running = complete ? runApproved(this.context, complete) : undefined;
    // Awaited below; marked handled now so a failure meanwhile is not an unhandled rejection.
    running?.catch(() => undefined);
    await said;
    await this.refreshCard(request.id);
    const execution = await running;
    if (execution) await this.reportExecution(execution);
  }

  private async deny(request: RequestRecord, actor: Actor, replies: Replies): Promise<void> {
    const { policy, roles } = this.context;
    const decision = mayDeny(policy, await roles.resolve(actor.userId), { operation: request.operation, requesterId: request.requesterId });
    if (!decision.allowed) return this.refuse(request, actor, decision.reason, decision.message, replies);
    await this.close(request, 'deny', actor, replies);
  }

  private async cancel(request: RequestRecord, actor: Actor, replies: Replies): Promise<void> {
    if (actor.userId !== request.requesterId) {
      const who = await this.context.roles.resolve(actor.userId);
      if (!who.roles.has(adminRole)) {
        return this.refuse(request, actor, 'not_requester', 'Only the requester or an admin may cancel a request.', replies);
      }
    }
    await this.close(request, 'cancel', actor, replies);
  }

  private async close(request: RequestRecord, how: 'deny' | 'cancel', actor: Actor, replies: Replies): Promise<void> {
    const { store, now, messenger } = this.context;
    const event = how === 'deny' ? 'denied' : 'cancelled';
    const closed = await store.transition(request.id, how, {
      at: now(),
      closedBy: actor.userId,
      unexpired: true,
      audit: { event, actorId: actor.userId },
    });
    if (!closed) return this.notOpen((await store.getRequest(request.id)) ?? request, replies);
    this.context.observer.requestFinished(closed.operation, closed.status);
    await this.refreshCard(closed.id);
    await this.inThread(closed, how === 'deny' ? threadLines.denied(actor.userId) : threadLines.cancelled(actor.userId));
    if (actor.userId !== closed.requesterId) {
      await this.tellRequester(closed, noticeMessage(closed, `was ${event} by <@${actor.userId}>; nothing was run`, messenger));
    }
  }

  private async notOpen(request: RequestRecord, replies: Replies): Promise<void> {
    // An overdue request is expired now rather than at the next sweep, so its card says so.
    if (request.status === 'pending') await this.sweep();
    await replies.toUser(refusalMessage(closedReason(request, this.context.now())));
  }

  private async refuse(request: RequestRecord, actor: Actor, reason: string, message: string, replies: Replies): Promise<void> {
    await this.audit(request, { event: 'refused', actorId: actor.userId, outcome: reason, detail: message });
    await replies.toUser(refusalMessage(message));
  }

  private async audit(request: RequestRecord, note: AuditNote): Promise<void> {
    await this.context.store.appendAudit(requestAuditEntry(request, note, this.context.now()));
  }

  /** Re-renders a request's card from the latest stored state. */
  private refreshCard(requestId: string): Promise<void> {
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
