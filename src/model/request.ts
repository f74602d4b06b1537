import type { VendorFailure } from './failure';
import type { MessageRef } from './message';

/**
 * The request lifecycle as data (PRODUCT.md §3):
 *
 *     pending → approved → executing → succeeded | failed | partially_failed | outcome_unknown
 *     pending → denied | cancelled | expired
 *
 * Every change is a conditional update in the store (`… WHERE status IN (from) AND <guards>`),
 * so that concurrent clicks, retried deliveries and several replicas cannot apply one twice.
 */
export const requestStatuses = [
  'pending',
  'approved',
  'executing',
  'succeeded',
  'failed',
  'partially_failed',
  'outcome_unknown',
  'denied',
  'cancelled',
  'expired',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/**
 * What must also hold, at the moment of the change, for a transition to apply:
 * - `unexpired`: the request's expiry is after the change;
 * - `approvalsComplete`: the counted approvals reach the approvals it needs.
 */
export type TransitionGuard = 'unexpired' | 'approvalsComplete';

interface Transition {
  from: readonly RequestStatus[];
  to: RequestStatus;
  guards?: readonly TransitionGuard[];
}

export const transitions = {
  /** Enough distinct approvals were counted in time. */
  complete: { from: ['pending'], to: 'approved', guards: ['unexpired', 'approvalsComplete'] },
  deny: { from: ['pending'], to: 'denied', guards: ['unexpired'] },
  cancel: { from: ['pending'], to: 'cancelled', guards: ['unexpired'] },
  /** The sweep picks the requests that are due (`Store.expireDue`). */
  expire: { from: ['pending'], to: 'expired' },
  /** Exactly one caller wins this one and runs the operation. */
  start: { from: ['approved'], to: 'executing' },
  succeed: { from: ['executing'], to: 'succeeded' },
  fail: { from: ['executing'], to: 'failed' },
  partiallyFail: { from: ['executing'], to: 'partially_failed' },
  /** The process died while the vendor calls were under way: never re-run, report instead (`Store.loseInterrupted`). */
  lose: { from: ['executing'], to: 'outcome_unknown' },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof transitions;

/** The guards of a transition; none when it has no conditions beyond its `from` statuses. */
export function guardsOf(name: TransitionName): readonly TransitionGuard[] {
  const transition: Transition = transitions[name];
  return transition.guards ?? [];
}

/** Statuses no transition leaves: the request is over. */
export const finishedStatuses: readonly RequestStatus[] = requestStatuses.filter(
  (status) => !Object.values(transitions).some(({ from }) => (from as readonly RequestStatus[]).includes(status)),
);

export function isFinished(status: RequestStatus): boolean {
  return finishedStatuses.includes(status);
}

export interface Approval {
  userId: string;
  at: Date;
}

/** One target's outcome as kept with its request: enough to show it again, never a secret. */
export interface StoredTargetResult {
  targetId: string;
  status: 'succeeded' | 'failed' | 'unknown';
  summary?: string;
  error?: Omit<VendorFailure, 'retryAfterMs'>;
  /** Whether the call may safely be sent again (shapes what an unknown outcome advises). */
  idempotent: boolean;
}

export interface RequestRecord {
  id: string;
  /** The name of an operation in the catalog (`revoke-access`, …). */
  operation: string;
  requesterId: string;
  channelId: string;
  parentId?: string;
  targetIds: string[];
  reason: string;
  approvalsRequired: number;
  status: RequestStatus;
  createdAt: Date;
  expiresAt: Date;
  /** Distinct approvers, in the order they approved. */
  approvals: Approval[];
  /** The approval card, once posted. */
  card?: MessageRef;
  /** Who denied or cancelled it. */
  closedBy?: string;
  startedAt?: Date;
  finishedAt?: Date;
  results?: StoredTargetResult[];
}

export type NewRequest = Pick<
  RequestRecord,
  'id' | 'operation' | 'requesterId' | 'channelId' | 'parentId' | 'targetIds' | 'reason' | 'approvalsRequired' | 'createdAt' | 'expiresAt'
> & { status: 'pending' | 'approved' };
