import { type Operation, usageLine } from '../operations/catalog';
import { type ParsedCommand, parseCommand } from '../operations/grammar';
import type { Logger } from '../logger';
import type { Message } from '../messages/model';
import { dryRunMessage, refusalMessage, resultMessage, secretMessage, usageErrorMessage } from '../messages/results';
import type { Policy } from '../policy/schema';
import type { RoleResolver } from '../policy/roles';
import { decideRequest } from '../policy/access';
import type { Store } from '../store/store';
import type { VendorClients } from '../vendors/types';
import { executeTargets, overallOutcome, type TargetOutcome } from './execute';
import { newRequestId } from './ids';

export interface Channel {
  id: string;
  /** Channel name without `#`, when the transport knows it (name globs in the policy need it). */
  name?: string;
}

/** Who typed a command, where, and what. */
export interface Invocation {
  userId: string;
  channel: Channel;
  text: string;
}

/** How the core talks back; each transport implements it. */
export interface Replies {
  /** A message everyone in the channel sees. */
  toChannel(message: Message): Promise<void>;
  /** A message only the person who typed the command sees. */
  toUser(message: Message): Promise<void>;
}

export interface RequestServiceOptions {
  policy: Policy;
  roles: RoleResolver;
  store: Store;
  vendors: VendorClients;
  /** Most vendor calls one command runs at once. */
  concurrency: number;
  logger: Logger;
  now?: () => Date;
}

/** Runs an operation command: parse, authorise, then execute and report. */
export class RequestService {
  private readonly now: () => Date;

  constructor(private readonly options: RequestServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async run(operation: Operation, invocation: Invocation, replies: Replies): Promise<void> {
    const parsed = parseCommand(operation, invocation.text);
    if (!parsed.ok) {
      await replies.toUser(usageErrorMessage(parsed.error, parsed.usage));
      return;
    }
    const command = parsed.command;
    const who = await this.options.roles.resolve(invocation.userId);
    const decision = decideRequest(this.options.policy, who, operation.name, invocation.channel);
    if (!decision.allowed) {
      await this.refuse(command, invocation, replies, decision.reason, decision.message);
      return;
    }
    if (decision.rule.reasonRequired && !command.reason) {
      await replies.toUser(usageErrorMessage(`A reason is required for ${operation.command}.`, usageLine(operation)));
      return;
    }
    if (command.dryRun) {
      await replies.toUser(dryRunMessage(command, this.options.vendors, invocation.userId));
      return;
    }
    if (decision.rule.approvals > 0) {
      await this.refuse(
        command,
        invocation,
        replies,
        'approval_unavailable',
        `${operation.command} needs ${decision.rule.approvals} approval(s) under the policy, and this version of twokey cannot collect approvals yet; nothing was run.`,
      );
      return;
    }
    await this.execute(command, invocation, replies, newRequestId());
  }

  /** Runs an authorised command and reports it; every step is audited before and after the vendor calls. */
  private async execute(command: ParsedCommand, invocation: Invocation, replies: Replies, requestId: string) {
    const { store, vendors, concurrency, policy, logger } = this.options;
    const base = this.auditBase(command, invocation, requestId);
    await store.appendAudit({ ...base, at: this.now(), event: 'requested', detail: command.reason || undefined });
    await store.appendAudit({ ...base, at: this.now(), event: 'execution_started' });
    const startedAt = this.now();
    const outcomes = await executeTargets(command, vendors, concurrency);
    const finishedAt = this.now();
    const overall = overallOutcome(outcomes);
    await store.appendAudit({ ...base, at: finishedAt, event: 'executed', outcome: overall, detail: failureDetail(outcomes) });
    logger.info('operation executed', { requestId, operation: command.operation.name, outcome: overall, targets: outcomes.length });

    await replies.toChannel(
      resultMessage(command, outcomes, overall, { requesterId: invocation.userId, requestId, startedAt, finishedAt }),
    );
    if (policy.revealPassword !== 'requester') return;
    for (const outcome of outcomes) {
      if (outcome.status === 'succeeded' && outcome.success.secret) {
        const { label, value } = outcome.success.secret;
        await replies.toUser(secretMessage(command.operation, outcome.targetId, label, value));
      }
    }
  }

  private async refuse(command: ParsedCommand, invocation: Invocation, replies: Replies, reason: string, message: string) {
    await this.options.store.appendAudit({
      ...this.auditBase(command, invocation),
      at: this.now(),
      event: 'refused',
      outcome: reason,
      detail: message,
    });
    await replies.toUser(refusalMessage(message));
  }

  private auditBase(command: ParsedCommand, invocation: Invocation, requestId?: string) {
    return {
      actorId: invocation.userId,
      operation: command.operation.name,
      channelId: invocation.channel.id,
      requestId,
      targets: command.parentId ? [command.parentId, ...command.targetIds] : command.targetIds,
    };
  }
}

/** One line per target that did not succeed, for the audit log (vendor words only, never a secret). */
function failureDetail(outcomes: readonly TargetOutcome[]): string | undefined {
  const lines = outcomes.flatMap((outcome) =>
    outcome.status === 'succeeded'
      ? []
      : [`${outcome.targetId}: ${outcome.status} (${[outcome.error.status, outcome.error.code, outcome.error.message].filter(Boolean).join(' ')})`],
  );
  return lines.length ? lines.join('\n') : undefined;
}
