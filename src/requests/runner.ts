import { type AuditNote, requestAuditEntry } from '../model/audit';
import type { RequestRecord, TransitionName } from '../model/request';
import { operationOf, type RevealableSecret } from '../operations/catalog';
import type { CoreContext } from './context';
import { type ExecutionOutcome, executeTargets, overallOutcome, storedResults } from './execute';

export interface Execution {
  request: RequestRecord;
  /** Secrets the calls returned, for the requester's eyes only; never stored or logged. */
  secrets: { targetId: string; secret: RevealableSecret }[];
}

const finishing: Record<ExecutionOutcome, TransitionName> = {
  succeeded: 'succeed',
  failed: 'fail',
  partially_failed: 'partiallyFail',
};

/**
 * Runs an approved request if this caller wins the `approved → executing` transition, which
 * happens once per request however many clicks or replicas race for it. Each change of status
 * is audited with it, before and after the vendor calls, so a failure never loses the request
 * or its record.
 */
export async function runApproved(context: CoreContext, request: RequestRecord): Promise<Execution | undefined> {
  const { store, vendors, concurrency, logger, now } = context;
  // An execution acts for its requester.
  const actorId = request.requesterId;
  const started = await store.transition(request.id, 'start', { at: now(), audit: { event: 'execution_started', actorId } });
  if (!started) return undefined;

  const outcomes = await executeTargets({ ...started, operation: operationOf(started) }, vendors, concurrency);
  const overall = overallOutcome(outcomes);
  const failures = outcomes.flatMap((outcome) =>
    outcome.status === 'succeeded'
      ? []
      : [`${outcome.targetId}: ${outcome.status} (${[outcome.error.status, outcome.error.code, outcome.error.message].filter(Boolean).join(' ')})`],
  );
  const executed: AuditNote = { event: 'executed', actorId, outcome: overall, detail: failures.length ? failures.join('\n') : undefined };
  const at = now();
  const finished = await store.transition(request.id, finishing[overall], { at, results: storedResults(outcomes), audit: executed });
  // Only a replica that declared this execution lost could have moved it on; what ran is audited all the same.
  if (!finished) await store.appendAudit(requestAuditEntry(started, executed, at));
  logger.info('operation executed', { requestId: request.id, operation: started.operation, outcome: overall, targets: outcomes.length });
  context.observer.requestFinished(started.operation, overall);

  const secrets = outcomes.flatMap((outcome) =>
    outcome.status === 'succeeded' && outcome.success.secret ? [{ targetId: outcome.targetId, secret: outcome.success.secret }] : [],
  );
  return { request: finished ?? { ...started, results: storedResults(outcomes) }, secrets };
}
