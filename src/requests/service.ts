import { addMilliseconds } from 'date-fns/addMilliseconds';
import { type Operation, usageLine } from '../operations/catalog';
import { type ParsedCommand, parseCommand } from '../operations/grammar';
import { dryRunMessage, refusalMessage, resultMessage, secretMessage, usageErrorMessage } from '../messages/results';
import { decideRequest } from '../policy/access';
import { auditTargets } from '../store/store';
import type { ApprovalFlow } from './approvals';
import type { CoreContext, Invocation, Replies } from './context';
import { newRequestId } from './ids';
import { runApproved } from './runner';

/** Runs an operation command: parse, authorise, then run it at once or open an approval card. */
export class RequestService {
  constructor(
    private readonly context: CoreContext,
    private readonly approvals: ApprovalFlow,
  ) {}

  async run(operation: Operation, invocation: Invocation, replies: Replies): Promise<void> {
    const { policy, roles, store, vendors, now } = this.context;
    const parsed = parseCommand(operation, invocation.text);
    if (!parsed.ok) return replies.toUser(usageErrorMessage(parsed.error, parsed.usage));
    const command = parsed.command;

    const who = await roles.resolve(invocation.userId);
    const decision = decideRequest(policy, who, operation.name, invocation.channel);
    if (!decision.allowed) return this.refuse(command, invocation, replies, decision.reason, decision.message);
    const { rule } = decision;
    if (rule.reasonRequired && !command.reason) {
      return replies.toUser(usageErrorMessage(`A reason is required for ${operation.command}.`, usageLine(operation)));
    }
    if (command.dryRun) return replies.toUser(dryRunMessage(command, vendors, invocation.userId));

    const createdAt = now();
    const request = await store.createRequest(
      {
        id: newRequestId(),
        operation: operation.name,
        requesterId: invocation.userId,
        channelId: invocation.channel.id,
        parentId: command.parentId,
        targetIds: command.targetIds,
        reason: command.reason,
        approvalsRequired: rule.approvals,
        status: rule.approvals === 0 ? 'approved' : 'pending',
        createdAt,
        expiresAt: addMilliseconds(createdAt, rule.expiresMs),
      },
      { event: 'requested', actorId: invocation.userId, detail: command.reason || undefined },
    );
    if (request.status === 'pending') return this.approvals.open(request, replies);

    const execution = await runApproved(this.context, request);
    if (!execution) return;
    await replies.toChannel(resultMessage(execution.request));
    if (policy.revealPassword !== 'requester') return;
    for (const { targetId, secret } of execution.secrets) {
      await replies.toUser(secretMessage(operation, targetId, secret.label, secret.value));
    }
  }

  private async refuse(command: ParsedCommand, invocation: Invocation, replies: Replies, reason: string, message: string) {
    await this.context.store.appendAudit({
      at: this.context.now(),
      event: 'refused',
      actorId: invocation.userId,
      operation: command.operation.name,
      channelId: invocation.channel.id,
      targets: auditTargets(command),
      outcome: reason,
      detail: message,
    });
    await replies.toUser(refusalMessage(message));
  }
}
