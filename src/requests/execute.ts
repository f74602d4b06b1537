import type { StoredTargetResult } from '../model/request';
import type { Operation, TargetSuccess } from '../operations/catalog';
import { VendorError } from '../vendors/errors';
import type { VendorClients, VendorCall } from '../vendors/types';

export type TargetOutcome =
  | { targetId: string; call: VendorCall; status: 'succeeded'; success: TargetSuccess }
  | { targetId: string; call: VendorCall; status: 'failed' | 'unknown'; error: VendorError };

export type ExecutionOutcome = 'succeeded' | 'failed' | 'partially_failed';

/** What an execution acts on: a parsed command, or the stored request it became. */
export interface ExecutionPlan {
  operation: Operation;
  parentId?: string;
  targetIds: readonly string[];
}

/**
 * Runs one vendor call per target, at most `concurrency` at once, and never throws:
 * every target ends with an outcome, so no failure can lose the others' results.
 */
export async function executeTargets(
  plan: ExecutionPlan,
  vendors: VendorClients,
  concurrency: number,
): Promise<TargetOutcome[]> {
  const { operation } = plan;
  return mapWithConcurrency(plan.targetIds, concurrency, async (targetId): Promise<TargetOutcome> => {
    const call = operation.call(plan.parentId, targetId);
    try {
      const response = await vendors[call.vendor].send(call);
      try {
        return { targetId, call, status: 'succeeded', success: operation.interpret(response) };
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
      return { targetId, status: error.outcome, error, call };
    }
  });
}

export function overallOutcome(outcomes: readonly TargetOutcome[]): ExecutionOutcome {
  const succeeded = outcomes.filter((outcome) => outcome.status === 'succeeded').length;
  if (succeeded === outcomes.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partially_failed';
}

/** What is kept of each target's outcome: never the secret a call returned. */
export function storedResults(outcomes: readonly TargetOutcome[]): StoredTargetResult[] {
  return outcomes.map((outcome) => {
    if (outcome.status === 'succeeded') {
      return { targetId: outcome.targetId, status: 'succeeded', summary: outcome.success.summary, idempotent: outcome.call.idempotent };
    }
    const { vendor, kind, message, status, code, traceId, docUrl, retryable, outcome: known, attempts } = outcome.error;
    return {
      targetId: outcome.targetId,
      status: outcome.status,
      error: { vendor, kind, message, status, code, traceId, docUrl, retryable, outcome: known, attempts },
      idempotent: outcome.call.idempotent,
    };
  });
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
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
