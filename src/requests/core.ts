import { subMilliseconds } from 'date-fns/subMilliseconds';
import { cardActionOf } from '../messages/card';
import { internalErrorMessage, storeUnavailableMessage } from '../messages/help';
import { type Actor, type Invocation, type Replies, StoreUnavailableError } from '../model/ports';
import type { OwedMessage } from '../model/owed';
import type { ListedTarget } from '../operations/listing';
import type { RequestRecord } from '../model/request';
import { listingActions, listingChoiceSchema } from '../messages/listing';
import { refusalMessage } from '../messages/results';
import { findOperation, operationOf, operations, umbrellaCommand } from '../operations/catalog';
import { reasonProblem } from '../operations/grammar';
import type { PolicyReload } from '../policy/load';
import type { Policy } from '../policy/schema';
import { Announcer } from './announcer';
import { ApprovalFlow } from './approvals';
import { AuditChannel } from './audit-channel';
import { BreakGlass } from './break-glass';
import { type CoreOptions, coreContext, type CoreContext, observeAll } from './context';
import { type Home, homeOf } from './home';
import { Reminders } from './reminders';
import { RequestService } from './service';
import { Umbrella } from './umbrella';

/** Every slash command twokey answers. */
export const slashCommands: readonly string[] = [...operations.map((op) => op.command), umbrellaCommand];

// A delivery is remembered for a day: far longer than Slack's signing window or its retries.
const deliveryMemoryMs = 24 * 60 * 60_000;
// An approved request starts within milliseconds; one still waiting after this never will by itself.
const stalledApprovalMs = 30_000;

/** What one sweep did. */
export interface Sweep {
  expired: RequestRecord[];
  started: RequestRecord[];
  lost: RequestRecord[];
  /** Owed messages tried again. */
  redelivered: OwedMessage[];
  /** Finished requests announced again: their announcement was cut short. */
  reannounced: RequestRecord[];
  /** Waiting requests whose approvers were reminded. */
  reminded: RequestRecord[];
  /** Waiting requests that escalated, their new approvers told. */
  escalated: RequestRecord[];
}

/** The core, whatever chat drives it: slash commands, card clicks, and the sweep. */
export class Twokey {
  private readonly context: CoreContext;
  private readonly announcer: Announcer;
  private readonly auditChannel: AuditChannel;
  private readonly approvals: ApprovalFlow;
  private readonly breakGlass: BreakGlass;
  private readonly reminders: Reminders;
  private readonly requests: RequestService;
  private readonly umbrella: Umbrella;
  /** Work under way, so that a stop can let it finish and record its outcome. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: CoreOptions) {
    this.context = coreContext(options, (what, work) => {
      this.track(work.catch((error: unknown) => this.context.logger.error(`${what} failed`, { error })));
    });
    this.announcer = new Announcer(this.context);
    // The audit channel posts through the announcer, which is built on the context: it joins the observers last.
    this.auditChannel = new AuditChannel(this.context, this.announcer);
    this.context.observer = observeAll([this.context.observer, this.auditChannel]);
    this.breakGlass = new BreakGlass(this.context, this.announcer);
    this.approvals = new ApprovalFlow(this.context, this.announcer, this.breakGlass);
    this.reminders = new Reminders(this.context, this.announcer);
    this.requests = new RequestService(this.context, this.approvals, this.breakGlass, this.announcer);
    this.umbrella = new Umbrella(this.context, this.approvals);
  }

  async handle(command: string, invocation: Invocation, replies: Replies): Promise<void> {
    await this.guard(replies, { command, userId: invocation.userId }, async () => {
      if (await this.seenBefore(invocation.deliveryId)) return;
      const operation = findOperation(command);
      if (operation) return this.requests.run(operation, invocation, replies);
      if (command === umbrellaCommand) return this.umbrella.run(invocation, replies);
      throw new Error(`no handler for ${command}`);
    });
  }

  /**
   * Puts `policy` in force for the next command, click and execution: every part of the core
   * reads the policy from the shared context when it decides, never a copy of its own.
   */
  usePolicy(policy: Policy): void {
    this.context.policy = policy;
    this.context.roles.usePolicy(policy);
  }

  /** What a reload of the policy file did, posted to the audit channel of the policy in force after it. */
  policyReloaded(reload: PolicyReload): void {
    this.auditChannel.policyReloaded(reload);
  }

  /** The policy in force now, for a form to offer its choices (aliases) and ask what it requires (a reason). */
  get policy(): Policy {
    return this.context.policy;
  }

  /** A click on a card's or a notice's button; `actionId` and `requestId` come from the button; a Deny may carry the denier's reason. */
  async click(actionId: string, requestId: string, actor: Actor, replies: Replies, reason?: string): Promise<void> {
    await this.guard(replies, { actionId, requestId, userId: actor.userId }, async () => {
      if (await this.seenBefore(actor.deliveryId)) return;
      const action = cardActionOf(actionId);
      if (!action) throw new Error(`unknown action ${actionId}`);
      if (action === 'review') return this.breakGlass.review(requestId, actor, replies);
      const problem = reason === undefined ? undefined : reasonProblem(reason);
      if (problem) return replies.toUser(refusalMessage(problem, 'The request is still open.'));
      await this.approvals.click(action, requestId, actor, replies, reason?.trim() || undefined);
    });
  }

  /**
   * Whether a Deny by `actor` would go through now, for a chat to ask them for a reason first only
   * then; false also when it cannot tell (the click that follows says why).
   */
  mayDeny(requestId: string, actor: Actor): Promise<boolean> {
    return this.track(
      this.approvals.mayDenyNow(requestId, actor).catch((error: unknown) => {
        this.context.logger.warn('could not tell whether a deny would go through; not asking for a reason', { requestId, error });
        return false;
      }),
    );
  }

  /** What `userId`'s home shows now: requests waiting for their approval, their own open ones, the audit entries they may see. */
  home(userId: string): Promise<Home> {
    return this.track(homeOf(this.context, userId));
  }

  /**
   * What `command` typed with `invocation.text` (its parent, perhaps filters) could act on now,
   * for a form (a modal) to offer; undefined, and why said through `replies`, when it cannot be
   * listed for this user. Audited as a listing is, unless `audit` is false (a form's type-ahead,
   * which lists again at each keystroke).
   */
  async findTargets(command: string, invocation: Invocation, replies: Replies, options: { audit: boolean } = { audit: true }): Promise<ListedTarget[] | undefined> {
    const operation = findOperation(command);
    if (!operation?.listing) throw new Error(`${command} has no listing`);
    return this.track(this.requests.find(operation, invocation, replies, options.audit));
  }

  /**
   * A listing's button (PRODUCT.md §9): the request it makes is the one typing its IDs would
   * make, under the same policy, approvals and audit. `chosen` is what the listing's picker holds
   * (for "selected"); "all listed" carries the listed IDs itself.
   */
  async pick(actionId: string, value: string, chosen: readonly string[], invocation: Invocation, replies: Replies): Promise<void> {
    await this.guard(replies, { actionId, userId: invocation.userId }, async () => {
      if (await this.seenBefore(invocation.deliveryId)) return;
      const choice = listingChoiceSchema.parse(JSON.parse(value));
      const operation = operationOf(choice);
      const targetIds = actionId === listingActions.all ? (choice.targetIds ?? []) : chosen;
      if (targetIds.length === 0) {
        return replies.toUser(refusalMessage(`No ${operation.target.noun} is picked.`, 'Pick some in the listing first.'));
      }
      const text = [choice.parentId, ...targetIds, choice.reason].filter(Boolean).join(' ');
      await this.requests.run(operation, { ...invocation, text }, replies);
    });
  }

  /**
   * Expires overdue requests, starts approved ones that never started, reports executions no
   * process could still be running, tries again the messages owed, and reminds and escalates
   * waiting requests; run on a timer.
   */
  sweep(): Promise<Sweep> {
    const { store, now, executionDeadlineMs } = this.context;
    return this.track(
      (async () => {
        await store.forgetDeliveries(subMilliseconds(now(), deliveryMemoryMs));
        const [expired, started, lost, redelivered, reannounced, waiting] = await Promise.all([
          this.approvals.expireDue(),
          this.approvals.startStalled(subMilliseconds(now(), stalledApprovalMs)),
          this.approvals.recoverInterrupted(subMilliseconds(now(), executionDeadlineMs)),
          this.announcer.deliverOwed(),
          this.announcer.announceOverdue(),
          this.reminders.sweep(),
        ]);
        return { expired, started, lost, redelivered, reannounced, ...waiting };
      })(),
    );
  }

  /**
   * At start-up: reports the executions a stopped process left unfinished, and announces the
   * requests it finished without announcing. `alone` when this process is the store's only one
   * (SQLite): then all of them are the stopped process's; on a shared store, only those that
   * no running replica could still be busy with.
   */
  recoverAtStart(alone: boolean): Promise<void> {
    const { now, executionDeadlineMs } = this.context;
    return this.track(
      (async () => {
        await this.approvals.recoverInterrupted(alone ? now() : subMilliseconds(now(), executionDeadlineMs));
        await this.announcer.announceOverdue(alone);
      })(),
    );
  }

  /** How many commands, clicks and background jobs are under way: what a stop waits for. */
  workUnderWay(): number {
    return this.inFlight.size;
  }

  /** Resolves once the work under way has finished, or after `timeoutMs`, whichever comes first. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    clearTimeout(timer);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  /** Whether this delivery was handled before (a replay, a retry, a Socket Mode redelivery): then it is ignored, on every replica. */
  private async seenBefore(deliveryId: string | undefined): Promise<boolean> {
    if (deliveryId === undefined || (await this.context.store.claimDelivery(deliveryId, this.context.now()))) return false;
    this.context.logger.info('ignored a delivery handled before', { deliveryId });
    return true;
  }

  private guard(replies: Replies, what: Record<string, string>, work: () => Promise<void>): Promise<void> {
    return this.track(
      work().catch(async (error: unknown) => {
        this.context.logger.error('handling failed', { ...what, error });
        const message = error instanceof StoreUnavailableError ? storeUnavailableMessage() : internalErrorMessage();
        await replies.toUser(message).catch(() => undefined);
      }),
    );
  }
}
