import type { AuditSubject } from '../model/audit';
import type { Replies } from '../model/ports';
import { accessRefusalMessage } from '../messages/results';
import { type AccountAct, accountRefusal, type Refusal } from '../policy/access';
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

/**
 * Why `userId`'s chat account may not `act`, if it may not. Asked only once the policy allows the
 * click, so nobody refused anyway costs a chat call. The lookup logs its own failure, which
 * refuses (`account_unverified`): a failed lookup never grants.
 */
export async function accountRefusalOf(context: CoreContext, userId: string, act: AccountAct): Promise<Refusal<string> | undefined> {
  const standing = await context.accounts(userId).catch(() => undefined);
  return accountRefusal(standing, act);
}
