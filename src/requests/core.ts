import { cardActionOf } from './messages/card';
import { helpMessage, internalErrorMessage, unknownSubcommandMessage } from './messages/help';
import { refusalMessage } from './messages/results';
import { auditMessage, pendingMessage } from './messages/umbrella';
import { whoamiMessage } from './messages/whoami';
import { findOperation, operations, umbrellaCommand } from './operations/catalog';
import { describeUser } from './policy/access';
import { adminRole, type Actor, ApprovalFlow } from './requests/approvals';
import { type CoreContext, type CoreOptions, coreContext, type Invocation, type Replies } from './requests/context';
import { RequestService } from './requests/service';
import type { RequestRecord } from './store/store';

/** Every slash command twokey answers. */
export const slashCommands: readonly string[] = [...operations.map((op) => op.command), umbrellaCommand];

const defaultAuditCount = 10;
const maxAuditCount = 50;

/** The core, whatever chat drives it: slash commands, card clicks, and the expiry sweep. */
export class Twokey {
  private readonly context: CoreContext;
  private readonly approvals: ApprovalFlow;
  private readonly requests: RequestService;
  /** Work under way, so that a stop can let it finish and record its outcome. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: CoreOptions) {
    this.context = coreContext(options);
    this.approvals = new ApprovalFlow(this.context);
    this.requests = new RequestService(this.context, this.approvals);
  }

  async handle(command: string, invocation: Invocation, replies: Replies): Promise<void> {
    await this.guard(replies, { command, userId: invocation.userId }, async () => {
      const operation = findOperation(command);
      if (operation) return this.requests.run(operation, invocation, replies);
      if (command === umbrellaCommand) return this.umbrella(invocation, replies);
      throw new Error(`no handler for ${command}`);
    });
  }

  /** A click on a card button; `actionId` and `requestId` come from the button. */
  async click(actionId: string, requestId: string, actor: Actor, replies: Replies): Promise<void> {
    await this.guard(replies, { actionId, requestId, userId: actor.userId }, async () => {
      const action = cardActionOf(actionId);
      if (!action) throw new Error(`unknown action ${actionId}`);
      await this.approvals.click(action, requestId, actor, replies);
    });
  }

  /** Expires overdue requests; run on a timer. */
  sweep(): Promise<RequestRecord[]> {
    return this.track(this.approvals.sweep());
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

  /** At start-up: executions that a stopped process left unfinished are reported as outcome unknown. */
  recoverInterrupted(startedBefore: Date = this.context.now()): Promise<RequestRecord[]> {
    return this.approvals.recoverInterrupted(startedBefore);
  }

  private guard(replies: Replies, what: Record<string, string>, work: () => Promise<void>): Promise<void> {
    return this.track(
      work().catch(async (error: unknown) => {
        this.context.logger.error('handling failed', { ...what, error });
        await replies.toUser(internalErrorMessage()).catch(() => undefined);
      }),
    );
  }

  private async umbrella(invocation: Invocation, replies: Replies): Promise<void> {
    const { policy, roles, store, messenger, now } = this.context;
    const [subcommand = 'help', ...args] = invocation.text.trim().split(/\s+/).filter(Boolean);
    switch (subcommand.toLowerCase()) {
      case 'help':
        return replies.toUser(helpMessage());
      case 'whoami':
        return replies.toUser(whoamiMessage(describeUser(policy, await roles.resolve(invocation.userId), invocation.channel)));
      case 'pending': {
        const open = await store.listRequests({ channelId: invocation.channel.id, statuses: ['pending'] });
        return replies.toUser(pendingMessage(open.filter((request) => request.expiresAt > now()), now(), messenger));
      }
      case 'cancel': {
        if (!args[0]) return replies.toUser(refusalMessage('Name the request to cancel: `/twokey cancel R-XXXXXX`.'));
        return this.approvals.click('cancel', args[0].toUpperCase(), { userId: invocation.userId }, replies);
      }
      case 'audit':
        return this.audit(invocation, args[0], replies);
      default:
        return replies.toUser(unknownSubcommandMessage(subcommand));
    }
  }

  /** Admins see every channel's entries; anyone else holding a role sees this channel's. */
  private async audit(invocation: Invocation, countText: string | undefined, replies: Replies): Promise<void> {
    const count = countText === undefined ? defaultAuditCount : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > maxAuditCount) {
      return replies.toUser(refusalMessage(`\`/twokey audit [n]\` takes a whole number from 1 to ${maxAuditCount}.`));
    }
    const who = await this.context.roles.resolve(invocation.userId);
    if (who.roles.size === 0) return replies.toUser(refusalMessage('Only people who hold a twokey role may read the audit log.'));
    const everywhere = who.roles.has(adminRole);
    const entries = await this.context.store.listAudit({ limit: count, channelId: everywhere ? undefined : invocation.channel.id });
    return replies.toUser(auditMessage(entries, everywhere ? 'in every channel' : 'in this channel'));
  }
}
