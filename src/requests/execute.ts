import type { VendorFailure } from '../model/failure';
import type { RequestStatus, StoredFailure, StoredTargetResult, TargetResultStatus } from '../model/request';
import type { Operation, TargetSuccess } from '../operations/catalog';
import { VendorError } from '../vendors/errors';
import { isRemoval, type VendorClients, type VendorCall } from '../vendors/types';

export type TargetOutcome =
  | { targetId: string; call: VendorCall; status: 'succeeded'; success: TargetSuccess; earlierFailure?: VendorFailure }
  | { targetId: string; call: VendorCall; status: 'already_gone' | 'failed' | 'unknown'; error: VendorError };

/** The statuses an execution can end in. */
export type ExecutionOutcome = Extract<RequestStatus, 'succeeded' | 'failed' | 'partially_failed' | 'outcome_unknown'>;

/** What an execution acts on: a parsed command, or the stored request it became. */
export interface ExecutionPlan {
  operation: Operation;
  parentId?: string;
  targetIds: readonly string[];
}

/**
 * Runs one vendor call per target, at most `concurrency` at once, and never throws:
 * every target ends with an outcome, so no failure can lose the others' results. `beforeSend`
 * runs before the call of the target at `index` and may refuse it by throwing: the call is then
 * not made.
 */
export async function executeTargets(
  plan: ExecutionPlan,
  vendors: VendorClients,
  concurrency: number,
  beforeSend: (index: number) => Promise<void> = async () => undefined,
): Promise<TargetOutcome[]> {
  const { operation } = plan;
  return mapWithConcurrency(plan.targetIds, concurrency, async (targetId, index): Promise<TargetOutcome> => {
    const call = operation.call(plan.parentId, targetId);
    try {
      await beforeSend(index);
    } catch (problem) {
      const message = `not sent: ${problem instanceof Error ? problem.message : String(problem)}`;
      const error = new VendorError({ vendor: call.vendor, kind: 'not_sent', message, retryable: false, outcome: 'failed' });
      return { targetId, status: 'failed', error, call };
    }
    try {
      const response = await vendors[call.vendor].send(call);
      try {
        const success = operation.interpret(response);
        return { targetId, call, status: 'succeeded', success, earlierFailure: response.earlierFailure };
      } catch (problem) {
        // The vendor said yes but the answer is unreadable: the change probably happened.
        const error = new VendorError({
          vendor: call.vendor,
          kind: 'invalid_response',
          status: response.status,
          message: problem instanceof Error ? problem.message : String(problem),
          retryable: false,
          outcome: 'unknown',
        });
        return { targetId, status: 'unknown', error, call };
      }
    } catch (problem) {
      const error = problem instanceof VendorError ? problem : unexpected(call, problem);
      // A removal whose target does not exist has nothing left to do: that is no failure.
      const status = isRemoval(call) && error.status === 404 ? 'already_gone' : error.outcome;
      return { targetId, status, error, call };
    }
  });
}

/**
 * What became of the request: done when every target is done or already gone; otherwise partly
 * done when some are; otherwise unknown when any target's outcome is, so that a call that may
 * have gone through is never reported as simply failed.
 */
export function overallOutcome(outcomes: readonly Pick<TargetOutcome, 'status'>[]): ExecutionOutcome {
  const settled = outcomes.filter((outcome) => outcome.status === 'succeeded' || outcome.status === 'already_gone').length;
  if (settled === outcomes.length) return 'succeeded';
  if (settled > 0) return 'partially_failed';
  return outcomes.some((outcome) => outcome.status === 'unknown') ? 'outcome_unknown' : 'failed';
}

/** What is kept of each target's outcome: never the secret a call returned. */
export function storedResults(outcomes: readonly TargetOutcome[]): StoredTargetResult[] {
  return outcomes.map((outcome) => {
    const { targetId, status, call } = outcome;
    if (status === 'succeeded') {
      const { success, earlierFailure } = outcome;
      return {
        targetId,
        status,
        summary: success.summary,
        earlierFailure: earlierFailure && storedFailure(earlierFailure),
        idempotent: call.idempotent,
      };
    }
    return { targetId, status, error: storedFailure(outcome.error), idempotent: call.idempotent };
  });
}

const detailWords: Record<TargetResultStatus, string> = {
  succeeded: 'done',
  already_gone: 'already gone',
  failed: 'failed',
  unknown: 'outcome unknown',
};

/**
 * The audit log's account of every target that did not simply succeed, one line each: what
 * became of it and what the vendor said (`x: outcome unknown (no answer within 15000 ms after 4 attempts)`).
 */
export function outcomeDetail(results: readonly StoredTargetResult[]): string | undefined {
  const lines = results.flatMap((result) => {
    const failure = result.error ?? result.earlierFailure;
    if (!failure) return [];
    const retried = result.earlierFailure ? '; a retry found it gone' : '';
    return [`${result.targetId}: ${detailWords[result.status]} (${facts(failure)}${retried})`];
  });
  return lines.length ? lines.join('\n') : undefined;
}

function facts(failure: StoredFailure): string {
  const attempts = failure.attempts ?? 1;
  const trace = failure.traceId && `trace ${failure.traceId}`;
  return [failure.status, failure.code, failure.message, trace, attempts > 1 && `after ${attempts} attempts`].filter(Boolean).join(' ');
}

function storedFailure(failure: VendorFailure): StoredFailure {
  const { vendor, kind, message, status, code, traceId, docUrl, retryable, outcome, attempts } = failure;
  return { vendor, kind, message, status, code, traceId, docUrl, retryable, outcome, attempts };
}

function unexpected(call: VendorCall, problem: unknown): VendorError {
  return new VendorError({
    vendor: call.vendor,
    kind: 'connection',
    message: problem instanceof Error ? problem.message : String(problem),
    retryable: false,
    outcome: 'unknown',
  });
}

/** Like Promise.all over `items.map(work)`, with at most `limit` pieces of work running at once. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
