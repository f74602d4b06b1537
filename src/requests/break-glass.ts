import { alreadyReviewedMessage, breakGlassDm, breakGlassNote, reviewRecordedMessage } from '../messages/break-glass';
import { noSuchRequestMessage } from '../messages/card';
import { requestSubject } from '../model/audit';
import type { MessageRef } from '../model/message';
import type { Actor, Replies } from '../model/ports';
import type { RequestRecord } from '../model/request';
import { operationOf } from '../operations/catalog';
import { mayReview } from '../policy/access';
import type { Announcer } from './announcer';
import { decisionSubject } from './approvals';
import type { CoreContext } from './context';
import { accountRefusalOf, refuse } from './refusals';
import { runApproved } from './runner';

/**
 * Break-glass (PRODUCT.md §10): a request that runs at once without approval, and is made loud
 * instead — a notice in its channel, a word to every approver of its action, a line in the audit
 * channel — and reviewed afterwards by one of those approvers, once.
 */
export class BreakGlass {
  constructor(
    private readonly context: CoreContext,
    private readonly announcer: Announcer,
  ) {}

  /**
   * Runs a break-glass request, stored as approved; `replies` are its command's. The notice goes
   * up while the calls run: an emergency waits for no chat call, and the notice is never skipped.
   */
  async run(request: RequestRecord, replies: Replies): Promise<void> {
    this.context.observer.brokeGlass(request);
    const notice = this.postNotice(request, replies);
    this.context.background(
      'telling approvers of a break-glass use',
      notice.then((card) => this.tellApprovers({ ...request, card })),
    );
    const execution = await runApproved(this.context, request);
    const card = await notice;
    if (!execution) return;
    // The outcome goes on the notice, which may have gone up after the execution's record was read.
    const announced = { ...execution, request: { ...execution.request, card } };
    if (card) return this.announcer.executed(announced, replies);
    await this.announcer.result(announced, replies);
    await this.announcer.revealSecrets(announced, (message) => replies.toUser(message));
  }

  /**
   * A break-glass run whose process stopped (or could not record its start) before it started,
   * started by the sweep. Only the replica that wins the start goes on: if the notice never went
   * up as a card, it is posted now, with the outcome, and the approvers are told.
   */
  async resume(request: RequestRecord): Promise<void> {
    const execution = await runApproved(this.context, request);
    if (!execution) return;
    const card = request.card ?? (await this.postNotice(execution.request));
    if (!request.card) await this.tellApprovers({ ...execution.request, card });
    await this.announcer.executed({ ...execution, request: { ...execution.request, card } });
  }

  /** A Review click, from the notice, an approver's DM or the App Home: recorded once, by an approver of the action. */
  async review(requestId: string, actor: Actor, replies: Replies): Promise<void> {
    const { store, roles, policy, now } = this.context;
    const request = await store.getRequest(requestId);
    if (!request) return replies.toUser(noSuchRequestMessage(requestId));
    // No channel is checked: a review is asked for in DMs as well as on the notice, and it runs nothing.
    const decision = mayReview(policy, await roles.resolve(actor.userId), { ...decisionSubject(request, now()), breakGlass: request.breakGlass });
    if (!decision.allowed) return refuse(this.context, replies, actor.userId, requestSubject(request), decision);
    if (request.review) return replies.toUser(alreadyReviewedMessage({ ...request, review: request.review }));
    const account = await accountRefusalOf(this.context, actor.userId, 'review');
    if (account) return refuse(this.context, replies, actor.userId, requestSubject(request), account);

    const reviewed = await store.review(request.id, actor.userId, now(), { event: 'reviewed', actorId: actor.userId });
    if (!reviewed?.review) {
      // Someone else's review landed first.
      const latest = await store.getRequest(request.id);
      if (latest?.review) return replies.toUser(alreadyReviewedMessage({ ...latest, review: latest.review }));
      throw new Error(`the review of ${request.id} was not recorded, and nobody else's was`);
    }
    this.context.observer.reviewed(reviewed);
    await replies.toUser(reviewRecordedMessage(reviewed));
    await this.announcer.reviewed({ ...reviewed, review: reviewed.review });
  }

  /**
   * Posts the notice in the request's channel as its card, where its outcome and review will show.
   * When twokey cannot post there (not a member), the notice goes through the command's own
   * reply, if there is one, which needs no membership; then there is no card to update.
   */
  private async postNotice(request: RequestRecord, replies?: Replies): Promise<MessageRef | undefined> {
    const { store, logger } = this.context;
    let card: MessageRef;
    try {
      card = await this.announcer.postCard(request);
    } catch (error) {
      const unposted = 'could not post a break-glass notice in its channel; its approvers and the audit channel are still told';
      if (!replies) {
        logger.error(unposted, { requestId: request.id, error });
        return undefined;
      }
      logger.warn('could not post a break-glass notice in its channel; posting it through the command', { requestId: request.id, error });
      await replies.toChannel(this.announcer.cardOf(request)).catch((replyError: unknown) => {
        logger.error(unposted, { requestId: request.id, error: replyError });
      });
      return undefined;
    }
    await store.attachCard(request.id, card).catch((error: unknown) => {
      logger.warn('could not record where a break-glass notice was posted', { requestId: request.id, error });
    });
    return card;
  }

  /** Names the action's approvers in the notice's thread (user groups notify their members), and DMs each one. */
  private async tellApprovers(request: RequestRecord): Promise<void> {
    const rule = this.context.policy.actions[operationOf(request).name];
    const holders = await this.context.roles.holders(rule?.approve ?? []);
    const approvers = { ...holders, userIds: holders.userIds.filter((userId) => userId !== request.requesterId) };
    const dm = breakGlassDm(request, this.context.messenger);
    await this.announcer.nudge(
      request,
      breakGlassNote(request, approvers),
      approvers.userIds.map((userId) => ({ userId, message: dm })),
    );
  }
}
