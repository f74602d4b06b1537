import { subMilliseconds } from 'date-fns/subMilliseconds';
import { cardActionOf } from '../messages/card';
import { internalErrorMessage } from '../messages/help';
import type { Actor, Invocation, Replies } from '../model/ports';
import type { OwedMessage } from '../model/owed';
import type { RequestRecord } from '../model/request';
import { findOperation, operations, umbrellaCommand } from '../operations/catalog';
import { Announcer } from './announcer';
import { ApprovalFlow } from './approvals';
import { type CoreOptions, coreContext, type CoreContext } from './context';
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
}

/** The core, whatever chat drives it: slash commands, card clicks, and the sweep. */
export class Twokey {
  private readonly context: CoreContext;
  private readonly announcer: Announcer;
  private readonly approvals: ApprovalFlow;
  private readonly requests: RequestService;
  private readonly umbrella: Umbrella;
  /** Work under way, so that a stop can let it finish and record its outcome. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: CoreOptions) {
    this.context = coreContext(options, (what, work) => {
      this.track(work.catch((error: unknown) => this.context.logger.error(`${what} failed`, { error })));
    });
    this.announcer = new Announcer(this.context);
    this.approvals = new ApprovalFlow(this.context, this.announcer);
    this.requests = new RequestService(this.context, this.approvals, this.announcer);
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

  /** A click on a card button; `actionId` and `requestId` come from the button. */
  async click(actionId: string, requestId: string, actor: Actor, replies: Replies): Promise<void> {
    await this.guard(replies, { actionId, requestId, userId: actor.userId }, async () => {
      if (await this.seenBefore(actor.deliveryId)) return;
      const action = cardActionOf(actionId);
      if (!action) throw new Error(`unknown action ${actionId}`);
      await this.approvals.click(action, requestId, actor, replies);
    });
  }

  /**
   * Expires overdue requests, starts approved ones that never started, reports executions no
   * process could still be running, and tries again the messages owed; run on a timer.
   */
  sweep(): Promise<Sweep> {
    const { store, now, executionDeadlineMs } = this.context;
    return this.track(
      (async () => {
        await store.forgetDeliveries(subMilliseconds(now(), deliveryMemoryMs));
        const [expired, started, lost, redelivered] = await Promise.all([
          this.approvals.expireDue(),
          this.approvals.startStalled(subMilliseconds(now(), stalledApprovalMs)),
          this.approvals.recoverInterrupted(subMilliseconds(now(), executionDeadlineMs)),
          this.announcer.deliverOwed(),
        ]);
        return { expired, started, lost, redelivered };
      })(),
    );
  }

  /** Reports executions started before `startedBefore` and never finished as outcome unknown. */
  recoverInterrupted(startedBefore: Date): Promise<RequestRecord[]> {
    return this.track(this.approvals.recoverInterrupted(startedBefore));
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
        await replies.toUser(internalErrorMessage()).catch(() => undefined);
      }),
    );
  }
}
