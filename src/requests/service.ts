import { addMilliseconds } from 'date-fns/addMilliseconds';
import { dryRunMessage, usageErrorMessage } from '../messages/results';
import { auditTargets } from '../model/audit';
import type { Invocation, Replies } from '../model/ports';
import type { ListedTarget } from '../operations/listing';
import { type Operation, usageLine } from '../operations/catalog';
import { parseCommand } from '../operations/grammar';
import { decideBreakGlass, decideRequest } from '../policy/access';
import type { Announcer } from './announcer';
import type { ApprovalFlow } from './approvals';
import type { BreakGlass } from './break-glass';
import type { CoreContext } from './context';
import { newRequestId } from './ids';
import { TargetFinder } from './listing';
import { refuse } from './refusals';
import { runApproved } from './runner';

/**
 * Runs an operation command: parse, authorise, then run it at once or open an approval card. A
 * command naming no targets shows its listing instead, or with `--all` names every target listed.
 */
export class RequestService {
  private readonly finder: TargetFinder;

  constructor(
    private readonly context: CoreContext,
    private readonly approvals: ApprovalFlow,
    private readonly breakGlass: BreakGlass,
    private readonly announcer: Announcer,
  ) {
    this.finder = new TargetFinder(context);
  }

  /**
   * The targets `invocation.text` (a parent and perhaps filters, as typed after the command)
   * lists for its user, under the same checks as a listing command, for a form to offer them.
   * What stands in the way — a slip in the text, the policy, the vendor — is said through `replies`.
   */
  async find(operation: Operation, invocation: Invocation, replies: Replies, audit: boolean): Promise<ListedTarget[] | undefined> {
    const { policy, roles } = this.context;
    const parsed = parseCommand(operation, invocation.text);
    if (!parsed.ok) {
      await replies.toUser(usageErrorMessage(parsed.error, parsed.usage));
      return undefined;
    }
    const command = parsed.command;
    const decision = decideRequest(policy, await roles.resolve(invocation.userId), operation.name, invocation.channel);
    if (!decision.allowed) {
      const subject = { operation: operation.name, channelId: invocation.channel.id, targets: auditTargets(command) };
      await refuse(this.context, replies, invocation.userId, subject, decision);
      return undefined;
    }
    return this.finder.find(command, invocation, replies, audit);
  }

  async run(operation: Operation, invocation: Invocation, replies: Replies): Promise<void> {
    const { policy, roles, store, vendors, now } = this.context;
    const parsed = parseCommand(operation, invocation.text, policy.aliases);
    if (!parsed.ok) return replies.toUser(usageErrorMessage(parsed.error, parsed.usage));
    let command = parsed.command;
    const requestId = newRequestId();
    this.context.observer.received({
      requestId,
      operation: operation.name,
      requesterId: invocation.userId,
      channelId: invocation.channel.id,
      targets: command.targetIds.length,
      dryRun: command.dryRun,
    });

    const who = await roles.resolve(invocation.userId);
    const decision = command.breakGlass
      ? decideBreakGlass(policy, who, operation.name, invocation.channel, command.reason)
      : decideRequest(policy, who, operation.name, invocation.channel);
    if (!decision.allowed) {
      const subject = { operation: operation.name, channelId: invocation.channel.id, targets: auditTargets(command) };
      return refuse(this.context, replies, invocation.userId, subject, decision, requestId);
    }
    const { rule } = decision;
    const waits = rule.approvals > 0 && !command.breakGlass;
    // A listing is looked at, not acted on: it needs the role to request, not yet a reason.
    if (command.targetIds.length === 0 && !command.all) return this.finder.show(command, invocation, replies);
    if (rule.reasonRequired && !command.reason) {
      return replies.toUser(usageErrorMessage(`A reason is required for ${operation.command}.`, usageLine(operation)));
    }
    if (command.all) {
      const targetIds = await this.finder.every(command, invocation, replies);
      if (!targetIds) return;
      command = { ...command, targetIds };
    }
    if (command.dryRun) return replies.toUser(dryRunMessage(command, vendors, invocation.userId));

    const createdAt = now();
    const request = await store.createRequest(
      {
        id: requestId,
        operation: operation.name,
        requesterId: invocation.userId,
        channelId: invocation.channel.id,
        parentId: command.parentId,
        targetIds: command.targetIds,
        reason: command.reason,
        approvalsRequired: rule.approvals,
        status: waits ? 'pending' : 'approved',
        createdAt,
        expiresAt: addMilliseconds(createdAt, rule.expiresMs),
        nextReminderAt: waits && rule.remindMs ? addMilliseconds(createdAt, rule.remindMs) : undefined,
        ...(command.breakGlass && { breakGlass: true }),
      },
      { event: command.breakGlass ? 'break_glass' : 'requested', actorId: invocation.userId, detail: command.reason || undefined },
    );
    if (request.breakGlass) return this.breakGlass.run(request, replies);
    if (request.status === 'pending') {
      this.context.observer.pending(request);
      return this.approvals.open(request, replies);
    }

    const execution = await runApproved(this.context, request);
    if (!execution) return;
    await this.announcer.result(execution, replies);
    await this.announcer.revealSecrets(execution, (message) => replies.toUser(message));
  }
}
