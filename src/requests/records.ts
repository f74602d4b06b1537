import { findOperation, type Operation } from '../operations/catalog';
import type { ParsedCommand } from '../operations/grammar';
import type { RequestRecord, StoredTargetResult } from '../store/store';
import type { TargetOutcome } from './execute';

export function operationOf(request: Pick<RequestRecord, 'operation'>): Operation {
  const operation = findOperation(request.operation);
  if (!operation) throw new Error(`request names an operation twokey does not know: ${request.operation}`);
  return operation;
}

/** The command a stored request runs. */
export function commandOf(request: RequestRecord): ParsedCommand {
  return {
    operation: operationOf(request),
    parentId: request.parentId,
    targetIds: request.targetIds,
    reason: request.reason,
    dryRun: false,
  };
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
