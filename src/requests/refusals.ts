import type { AuditSubject } from '../model/audit';
import type { Replies } from '../model/ports';
import { accessRefusalMessage } from '../messages/results';
import type { Refusal } from '../policy/access';
import type { CoreContext } from './context';

/**
 * The one path for a refused attempt, whatever was refused (a command, a click): the audit
 * log records who tried what and why not, and only they are told. `requestId` names the attempt
 * in the log: a refused command's, which no request and no audit entry carries.
 */
export async function refuse(
  context: CoreContext,
  replies: Replies,
  actorId: string,
  subject: AuditSubject,
  refusal: Refusal<string>,
  requestId = subject.requestId,
): Promise<void> {
  context.observer.refused({ operation: subject.operation, requestId, actorId, reason: refusal.reason });
  await context.store.appendAudit({
    at: context.now(),
    event: 'refused',
    actorId,
    ...subject,
    outcome: refusal.reason,
    detail: refusal.message,
  });
  await replies.toUser(accessRefusalMessage(refusal.message));
}
