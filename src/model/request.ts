/**
 * The request lifecycle as data (PRODUCT.md §3):
 *
 *     pending → approved → executing → succeeded | failed | partially_failed | outcome_unknown
 *     pending → denied | cancelled | expired
 *
 * Every change is a conditional update in the store (`… WHERE status IN (from)`), so that
 * concurrent clicks, retried deliveries and several replicas cannot apply one twice.
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

export const transitions = {
  /** Enough distinct approvals were counted. */
  complete: { from: ['pending'], to: 'approved' },
  deny: { from: ['pending'], to: 'denied' },
  cancel: { from: ['pending'], to: 'cancelled' },
  expire: { from: ['pending'], to: 'expired' },
  /** Exactly one caller wins this one and runs the operation. */
  start: { from: ['approved'], to: 'executing' },
  succeed: { from: ['executing'], to: 'succeeded' },
  fail: { from: ['executing'], to: 'failed' },
  partiallyFail: { from: ['executing'], to: 'partially_failed' },
  /** The process died while the vendor calls were under way: never re-run, report instead. */
  lose: { from: ['executing'], to: 'outcome_unknown' },
} as const satisfies Record<string, { from: readonly RequestStatus[]; to: RequestStatus }>;

export type TransitionName = keyof typeof transitions;

/** Statuses no transition leaves: the request is over. */
export const finishedStatuses: readonly RequestStatus[] = requestStatuses.filter(
  (status) => !Object.values(transitions).some(({ from }) => (from as readonly RequestStatus[]).includes(status)),
);

export function isFinished(status: RequestStatus): boolean {
  return finishedStatuses.includes(status);
}
