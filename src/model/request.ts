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
  /** No target was done and some may have been: the calls ended without a known outcome. */
  endUnknown: { from: ['executing'], to: 'outcome_unknown' },
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

/**
 * How long the process that finished a request has to announce it (card, thread, DMs) before
 * the sweep of any replica does it instead: a crash between the change and its announcement
 * delays the news by this much, and never loses it.
 */
export const announceGraceMs = 60_000;

/** When a request finished at `at` is overdue for its announcement. */
export function announceAfter(at: Date): Date {
  return new Date(at.getTime() + announceGraceMs);
}

export interface Approval {
  userId: string;
  at: Date;
}

/**
 * How one target's call ended (PRODUCT.md §8):
 * - `succeeded`: done, also when a retry found the target gone after an attempt that may have removed it;
 * - `already_gone`: a removal whose target did not exist on the first try (404): nothing was left to do;
 * - `failed`: the vendor refused or was never reached; nothing was changed;
 * - `unknown`: the call may have reached the vendor (a timeout, a broken connection, a 5xx).
 */
export type TargetResultStatus = 'succeeded' | 'already_gone' | 'failed' | 'unknown';

/** A vendor failure as kept with a request. */
export type StoredFailure = Omit<VendorFailure, 'retryAfterMs'>;

/** One target's outcome as kept with its request: enough to show it again, never a secret. */
export interface StoredTargetResult {
  targetId: string;
  status: TargetResultStatus;
  summary?: string;
  /** What the vendor answered when the target did not simply succeed: the failure, or the 404 of one already gone. */
  error?: StoredFailure;
  /** On a success: what the attempt before the retry that found the target gone met; that attempt removed it. */
  earlierFailure?: StoredFailure;
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
  /** When it was approved (at creation, for one that needs no approval). */
  approvedAt?: Date;
  /** Distinct approvers, in the order they approved. */
  approvals: Approval[];
  /** The approval card, once posted. */
  card?: MessageRef;
  /** Who denied or cancelled it (`twokey` when it cancelled the request itself). */
  closedBy?: string;
  /** Why it was denied or cancelled, when that was said. */
  closedReason?: string;
  startedAt?: Date;
  /**
   * Of an execution, how many targets, in order, may have had their call sent; the calls of
   * those after were not. Absent when not known (nothing has run, or it ran before this was kept).
   */
  dispatched?: number;
  finishedAt?: Date;
  results?: StoredTargetResult[];
  /** While it waits for approvals, when its approvers are next reminded; absent when they never are. */
  nextReminderAt?: Date;
  /** When those its rule escalates to were told they may now approve it. */
  escalatedAt?: Date;
  /** Run at once without approval, by a holder of a `break_glass` role (PRODUCT.md §10). */
  breakGlass?: boolean;
  /** Of a break-glass use: the approver who reviewed it afterwards, and when; absent until one has. */
  review?: Approval;
}

export type NewRequest = Pick<
  RequestRecord,
  | 'id'
  | 'operation'
  | 'requesterId'
  | 'channelId'
  | 'parentId'
  | 'targetIds'
  | 'reason'
  | 'approvalsRequired'
  | 'createdAt'
  | 'expiresAt'
  | 'nextReminderAt'
  | 'breakGlass'
> & { status: 'pending' | 'approved' };
