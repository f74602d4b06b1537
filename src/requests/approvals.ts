import { differenceInMilliseconds } from 'date-fns/differenceInMilliseconds';
import { cancelledInsteadMessage, type CardAction, closedReason, noSuchRequestMessage } from '../messages/card';
import { refusalMessage } from '../messages/results';
import { requestAuditEntry, requestSubject, systemActor } from '../model/audit';
import type { Actor, Replies } from '../model/ports';
import type { RequestRecord } from '../model/request';
import { operationOf } from '../operations/catalog';
import {
  alreadyApproved,
  decideApproval,
  decideExecution,
  type ExecutionDecision,
  mayCancel,
  mayClickHere,
  mayDeny,
  type Refusal,
  type RequestRef,
} from '../policy/access';
import type { Announcer, Closing } from './announcer';
import type { BreakGlass } from './break-glass';
import type { CoreContext } from './context';
import { accountRefusalOf, refuse } from './refusals';
import { runApproved } from './runner';

/**
 * The two-person rule (PRODUCT.md §3): approval cards, clicks, expiry and recovery. Every
 * change is a transition in the store, guarded there; who may make it is the policy's
 * decision; what is said about it is the announcer's.
 */
export class ApprovalFlow {
  constructor(
    private readonly context: CoreContext,
    private readonly announcer: Announcer,
    private readonly breakGlass: BreakGlass,
  ) {}

  /** Posts the card of a new pending request; without a card nobody could approve it, so it is then cancelled. */
  async open(request: RequestRecord, replies: Replies): Promise<void> {
    const { store, now, logger } = this.context;
    try {
      const status = await store.attachCard(request.id, await this.announcer.postCard(request));
      // Changed while its card was on its way (an expiry at once, say): the card catches up now.
      if (status !== 'pending') await this.announcer.refreshCard(request.id);
    } catch (error) {
      logger.warn('could not post an approval card', { requestId: request.id, error });
      const why = 'the approval card could not be posted';
      const cancelled = await store.transition(request.id, 'cancel', {
        at: now(),
        closedBy: request.requesterId,
        closedReason: why,
        audit: { event: 'cancelled', actorId: request.requesterId, detail: why },
        // Told to the requester below, the only one who knew of it.
        announced: true,
      });
      this.context.observer.requestFinished(cancelled ?? request, 'cancelled');
      await replies.toUser(
        refusalMessage(
          'twokey could not post the approval card in this channel (is it a member? `/invite @twokey`), so the request was cancelled. Invite it and run the command again.',
        ),
      );
    }
  }

  async click(action: Exclude<CardAction, 'review'>, requestId: string, actor: Actor, replies: Replies, reason?: string): Promise<void> {
    const request = await this.context.store.getRequest(requestId);
    if (!request) {
      await replies.toUser(noSuchRequestMessage(requestId));
      return;
    }
    const place = mayClickHere(request, actor.channelId);
    if (!place.allowed) return this.refuse(request, actor, place, replies);
    if (action === 'approve') return this.approve(request, actor, replies);
    if (action === 'deny') return this.deny(request, actor, replies, reason);
    return this.cancel(request, actor, replies);
  }

  /**
   * Expires every overdue request; with several replicas each is handled once. Each is announced
   * on its own, so that one slow chat call never holds back another request's notice, nor the next sweep.
   */
  async expireDue(): Promise<RequestRecord[]> {
    const { store, now } = this.context;
    const expired = await store.expireDue(now(), { event: 'expired', actorId: systemActor });
    for (const request of expired) {
      this.context.observer.requestFinished(request, request.status);
      this.context.background('announcing an expiry', this.announcer.expired(request));
    }
    return expired;
  }

  /**
   * Starts approved requests whose execution should have started before `approvedBefore` and did
   * not (a crash or a failed write between the approval and the start). Exactly one caller wins
   * each start, so a late start by the approver's own process is never a second run.
   */
  async startStalled(approvedBefore: Date): Promise<RequestRecord[]> {
    const stalled = await this.context.store.listRequests({ statuses: ['approved'], approvedBefore });
    for (const request of stalled) {
      this.context.logger.warn('starting an approved request whose execution never started', { requestId: request.id });
      this.context.background('starting a stalled request', request.breakGlass ? this.breakGlass.resume(request) : this.run(request));
    }
    return stalled;
  }

  /** Reports executions started before `startedBefore` and never finished: their outcome is unknown, and they are never re-run; announced as expiries are. */
  async recoverInterrupted(startedBefore: Date): Promise<RequestRecord[]> {
    const { store, now } = this.context;
    // twokey, not the requester, finds that an execution was cut off.
    const lost = await store.loseInterrupted(startedBefore, now(), {
      event: 'executed',
      actorId: systemActor,
      outcome: 'outcome_unknown',
      detail: 'twokey stopped while the vendor calls were under way',
    });
    for (const request of lost) {
      this.context.observer.requestFinished(request, request.status);
      this.context.background('announcing a lost execution', this.announcer.lost(request));
    }
    return lost;
  }

  private async approve(request: RequestRecord, actor: Actor, replies: Replies): Promise<void> {
    const { store, roles, policy, now } = this.context;
    if (request.status !== 'pending' || request.expiresAt <= now()) return this.notOpen(request, replies);
    const decision = decideApproval(policy, await roles.resolve(actor.userId), {
      ...decisionSubject(request, now()),
      approverIds: request.approvals.map((approval) => approval.userId),
    });
    if (!decision.counts) return this.refuse(request, actor, decision, replies);
    const account = await accountRefusalOf(this.context, actor.userId, 'approve');
    if (account) return this.refuse(request, actor, account, replies);

    const inserted = await store.addApproval(request.id, actor.userId, now());
    if (inserted === 'duplicate') return this.refuse(request, actor, alreadyApproved, replies);
    if (inserted === 'not_open') return this.notOpen((await store.getRequest(request.id)) ?? request, replies);

    const counted = (await store.getRequest(request.id)) ?? request;
    this.context.observer.approvalCounted(counted, actor.userId);
    const detail = `${counted.approvals.length} of ${counted.approvalsRequired}`;
    await store.appendAudit(requestAuditEntry(counted, { event: 'approved', actorId: actor.userId, detail }, now()));
    const said = this.announcer.approved(counted, actor.userId);
    if (counted.approvals.length >= counted.approvalsRequired) {
      const authority = await this.authorityToRun(counted);
      if (!authority.allowed) {
        await said;
        return this.cancelForAuthority(counted, authority, replies);
      }
    }
    const complete = await store.transition(request.id, 'complete', { at: now() });
    // The vendor calls start at once; Slack hears of the approval meanwhile, and of the outcome after.
    const running = complete ? this.run(complete, replies) : undefined;
    // Awaited below; marked handled now so a failure meanwhile is not an unhandled rejection.
    running?.catch(() => undefined);
    await said;
    await this.announcer.refreshCard(request.id);
    await running;
  }

  /** Runs an approved request and announces its outcome, if this caller wins its start; `replies` are the approving click's. */
  private async run(request: RequestRecord, replies?: Replies): Promise<void> {
    const execution = await runApproved(this.context, request);
    if (execution) await this.announcer.executed(execution, replies);
  }

  /** Whether the requester and every counted approver still hold their roles, as the policy and user groups say now. */
  private async authorityToRun(request: RequestRecord): Promise<ExecutionDecision> {
    const { policy, roles, now } = this.context;
    const [requester, ...approvers] = await Promise.all(
      [request.requesterId, ...request.approvals.map((approval) => approval.userId)].map((userId) => roles.resolve(userId)),
    );
    return decideExecution(policy, decisionSubject(request, now()), requester, approvers);
  }

  /** A request whose authority lapsed before it ran: cancelled by twokey, with the reason on its card. */
  private async cancelForAuthority(request: RequestRecord, refusal: Refusal<string>, replies: Replies): Promise<void> {
    const { store, now } = this.context;
    const closed = await store.transition(request.id, 'cancel', {
      at: now(),
      closedBy: systemActor,
      closedReason: refusal.message,
      audit: { event: 'cancelled', actorId: systemActor, outcome: refusal.reason, detail: refusal.message },
    });
    if (!closed) return this.notOpen((await store.getRequest(request.id)) ?? request, replies);
    this.context.observer.requestFinished(closed, closed.status);
    await this.announcer.closed(closed, 'cancelled', systemActor);
    await replies.toUser(cancelledInsteadMessage(closed));
  }

  /**
   * Whether a Deny by `actor` would go through now: asked before a form asks them why, so that
   * nobody explains a deny that is then refused. Their click asks again, and says why not.
   */
  async mayDenyNow(requestId: string, actor: Actor): Promise<boolean> {
    const request = await this.context.store.getRequest(requestId);
    if (!request || request.status !== 'pending' || request.expiresAt <= this.context.now()) return false;
    return mayClickHere(request, actor.channelId).allowed && (await this.denyRefusal(request, actor.userId)) === undefined;
  }

  private async deny(request: RequestRecord, actor: Actor, replies: Replies, reason?: string): Promise<void> {
    const refusal = await this.denyRefusal(request, actor.userId);
    if (refusal) return this.refuse(request, actor, refusal, replies);
    await this.close(request, 'denied', actor, replies, reason);
  }

  /** Why `userId` may not deny `request`: the policy's no, or their account's; nothing when they may. */
  private async denyRefusal(request: RequestRecord, userId: string): Promise<Refusal<string> | undefined> {
    const { policy, roles, now } = this.context;
    const decision = mayDeny(policy, await roles.resolve(userId), decisionSubject(request, now()));
    if (!decision.allowed) return decision;
    return accountRefusalOf(this.context, userId, 'deny');
  }

  /** No account is checked: a Cancel only ever stops a request, and a failed lookup must not keep anyone from stopping one. */
  private async cancel(request: RequestRecord, actor: Actor, replies: Replies): Promise<void> {
    const decision = mayCancel(await this.context.roles.resolve(actor.userId), request);
    if (!decision.allowed) return this.refuse(request, actor, decision, replies);
    await this.close(request, 'cancelled', actor, replies);
  }

  /** Denies or cancels the request; a deny's reason goes to its card, thread, the requester's DM and the audit log. */
  private async close(request: RequestRecord, how: Closing, actor: Actor, replies: Replies, reason?: string): Promise<void> {
    const { store, now } = this.context;
    const closed = await store.transition(request.id, how === 'denied' ? 'deny' : 'cancel', {
      at: now(),
      closedBy: actor.userId,
      closedReason: reason,
      audit: { event: how, actorId: actor.userId, detail: reason },
    });
    if (!closed) return this.notOpen((await store.getRequest(request.id)) ?? request, replies);
    this.context.observer.requestFinished(closed, closed.status);
    await this.announcer.closed(closed, how, actor.userId);
  }

  private async notOpen(request: RequestRecord, replies: Replies): Promise<void> {
    // An overdue request is expired now rather than at the next sweep, so its card says so.
    if (request.status === 'pending') await this.expireDue();
    await replies.toUser(refusalMessage(closedReason(request, this.context.now())));
  }

  private refuse(request: RequestRecord, actor: Actor, refusal: Refusal<string>, replies: Replies): Promise<void> {
    return refuse(this.context, replies, actor.userId, requestSubject(request), refusal);
  }
}

/** A request as the policy's decisions see it at `at`: its escalation turns on how long it has waited. */
export function decisionSubject(request: RequestRecord, at: Date): RequestRef {
  return { operation: operationOf(request).name, requesterId: request.requesterId, waitedMs: differenceInMilliseconds(at, request.createdAt) };
}
