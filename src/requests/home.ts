import type { AuditEntry } from '../model/audit';
import type { RequestRecord } from '../model/request';
import { decideApproval, mayReadAudit, mayReview } from '../policy/access';
import { decisionSubject } from './approvals';
import type { CoreContext } from './context';

/** How many audit entries a home shows. */
export const homeAuditEntries = 10;
/** How many unreviewed break-glass uses a home looks through for those its user may review. */
const maxToReview = 50;

/** What one user's home shows (PRODUCT.md §10 "App Home"), whatever chat draws it. */
export interface Home {
  userId: string;
  /** When it was taken, by the core's clock: what "expires in" is counted from. */
  at: Date;
  /** Pending requests whose Approve would count if this user pressed it now, oldest first. */
  waiting: RequestRecord[];
  /** Break-glass uses nobody has reviewed yet that this user may review, newest first. */
  toReview: RequestRecord[];
  /** This user's own requests still open (pending, or approved and not yet run), newest first. */
  own: RequestRecord[];
  /** The newest audit entries this user may see: every one for an admin, otherwise only their own. */
  audit: { scope: 'everywhere' | 'own'; entries: AuditEntry[] };
}

/**
 * What `userId`'s home shows now. The waiting list asks the policy exactly what an Approve click
 * would ask, so that every request listed there is one the user's click counts for.
 */
export async function homeOf(context: CoreContext, userId: string): Promise<Home> {
  const { store, roles, policy, now } = context;
  const [who, open, unreviewed] = await Promise.all([
    roles.resolve(userId),
    store.listRequests({ statuses: ['pending', 'approved', 'executing'] }),
    store.listRequests({ awaitingReview: true, limit: maxToReview }),
  ]);
  const at = now();
  const waiting = open.filter(
    (request) =>
      request.status === 'pending' &&
      request.expiresAt > at &&
      decideApproval(policy, who, {
        ...decisionSubject(request, at),
        approverIds: request.approvals.map((approval) => approval.userId),
      }).counts,
  );
  const toReview = unreviewed.filter((request) => mayReview(policy, who, { ...decisionSubject(request, at), breakGlass: request.breakGlass }).allowed);
  const own = open.filter((request) => request.requesterId === userId && (request.status !== 'pending' || request.expiresAt > at));
  const read = mayReadAudit(who);
  const scope = read.allowed && read.scope === 'everywhere' ? 'everywhere' : 'own';
  const entries = await store.listAudit({ limit: homeAuditEntries, ...(scope === 'own' ? { actorId: userId } : {}) });
  return { userId, at, waiting: waiting.reverse(), toReview, own, audit: { scope, entries } };
}
