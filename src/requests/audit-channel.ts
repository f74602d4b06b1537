import { type AuditChannelEvent, auditLine } from '../messages/audit-line';
import type { CoreObserver, RefusedAttempt } from '../model/ports';
import type { RequestRecord, RequestStatus } from '../model/request';
import type { PolicyReload } from '../policy/load';
import type { Announcer } from './announcer';
import type { CoreContext } from './context';

/**
 * The policy's `audit_channel` (PRODUCT.md §10): one line there for every final outcome, refusal,
 * break-glass use, review and policy reload. The channel is read from the policy in force at each event, which a reload
 * may change. A line never holds up the flow that caused it, and one Slack will not take is kept
 * and tried again like every other message twokey owes.
 */
export class AuditChannel implements Pick<CoreObserver, 'refused' | 'requestFinished' | 'brokeGlass' | 'reviewed'> {
  constructor(
    private readonly context: CoreContext,
    private readonly announcer: Announcer,
  ) {}

  refused(attempt: RefusedAttempt): void {
    this.post({ kind: 'refused', attempt }, attempt.requestId);
  }

  requestFinished(request: RequestRecord, status: RequestStatus): void {
    this.post({ kind: 'finished', request, status }, request.id);
  }

  brokeGlass(request: RequestRecord): void {
    this.post({ kind: 'break_glass', request }, request.id);
  }

  reviewed(request: RequestRecord): void {
    this.post({ kind: 'reviewed', request }, request.id);
  }

  policyReloaded(reload: PolicyReload): void {
    this.post({ kind: 'reloaded', reload });
  }

  /** Posts the line about `event` in the audit channel, if the policy has one; nobody waits for it. */
  post(event: AuditChannelEvent, requestId?: string): void {
    const channelId = this.context.policy.auditChannel;
    if (!channelId) return;
    // A line that could neither be posted nor kept is logged by `inChannel`.
    const posted = this.announcer.inChannel(channelId, auditLine(event), requestId).then(() => undefined);
    this.context.background('posting to the audit channel', posted);
  }
}
