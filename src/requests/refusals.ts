import type { AuditSubject } from '../model/audit';
import type { Replies } from '../model/ports';
import { refusalMessage } from '../messages/results';
import type { Refusal } from '../policy/access';
import type { CoreContext } from './context';

/**
 * The one path for a refused attempt, whatever was refused (a command, a click): the audit
 * log records who tried what and why not, and only they are told.
 */
export async function refuse(
  context: CoreContext,
  replies: Replies,
  actorId: string,
  subject: AuditSubject,
  refusal: Refusal<string>,
): Promise<void> {
  await context.store.appendAudit({
    at: context.now(),
    event: 'refused',
    actorId,
    ...subject,
    outcome: refusal.reason,
    detail: refusal.message,
  });
  await replies.toUser(refusalMessage(refusal.message));
}
