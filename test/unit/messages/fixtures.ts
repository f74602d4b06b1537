import type { RequestRecord, RequestStatus, StoredTargetResult } from '../../../src/model/request';
import { findOperation, type Operation } from '../../../src/operations/catalog';

/** What the message tests are about: operations, a site, its sessions, and finished requests on them. */
export const op = (name: string) => findOperation(name) as Operation;
export const site = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
export const session = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const revoked = (id: string): StoredTargetResult => ({ targetId: id, status: 'succeeded', summary: 'revoked', idempotent: true });

/** A request of `operation` that ended in `status` with `results`. */
export function finished(
  status: RequestStatus,
  results: StoredTargetResult[] | undefined,
  operation = 'revoke-access',
  targetIds = (results ?? []).map((result) => result.targetId),
): RequestRecord {
  return {
    id: 'R-TEST01',
    operation,
    requesterId: 'U0ONCALL1',
    channelId: 'C0INCIDENT1',
    parentId: operation === 'rotate-credentials' ? undefined : site,
    targetIds,
    reason: 'incident',
    approvalsRequired: 0,
    status,
    createdAt: new Date(0),
    expiresAt: new Date(60_000),
    approvals: [],
    results,
  };
}
