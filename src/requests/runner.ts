import type { RevealableSecret } from '../operations/catalog';
import type { RequestRecord } from '../store/store';
import type { CoreContext } from './context';
import { executeTargets, overallOutcome } from './execute';
import type { TransitionName } from './lifecycle';
import { commandOf, storedResults } from './records';

export interface Execution {
  request: RequestRecord;
  /** Secrets the calls returned, for the requester's eyes only; never stored or logged. */
  secrets: { targetId: string; secret: RevealableSecret }[];
}

const finishing: Record<ReturnType<typeof overallOutcome>, TransitionName> = {
  succeeded: 'succeed',
  failed: 'fail',
  partially_failed: 'partiallyFail',
};

/**
 * Runs an approved request if this caller wins the `approved → executing` transition, which
 * happens once per request however many clicks or replicas race for it. Audited before and
 * after the vendor calls, so a failure never loses the request or its record.
 */
export async function runApproved(context: CoreContext, requestId: string): Promise<Execution | undefined> {
  const { store, vendors, concurrency, logger, now } = context;
  const started = await store.transition(requestId, 'start', { at: now() });
  if (!started) return undefined;
  const audit = {
    actorId: started.requesterId,
    operation: started.operation,
    channelId: started.channelId,
    requestId,
    targets: auditTargets(started),
  };
  await store.appendAudit({ ...audit, at: now(), event: 'execution_started' });

  const outcomes = await executeTargets(commandOf(started), vendors, concurrency);
  const overall = overallOutcome(outcomes);
  const finished = await store.transition(requestId, finishing[overall], { at: now(), results: storedResults(outcomes) });
  const failures = outcomes.flatMap((outcome) =>
    outcome.status === 'succeeded'
      ? []
      : [`${outcome.targetId}: ${outcome.status} (${[outcome.error.status, outcome.error.code, outcome.error.message].filter(Boolean).join(' ')})`],
  );
  await store.appendAudit({
    ...audit,
    at: now(),
    event: 'executed',
    outcome: overall,
    detail: failures.length ? failures.join('\n') : undefined,
  });
  logger.info('operation executed', { requestId, operation: started.operation, outcome: overall, targets: outcomes.length });
  context.observer.requestFinished(started.operation, overall);

  const secrets = outcomes.flatMap((outcome) =>
    outcome.status === 'succeeded' && outcome.success.secret ? [{ targetId: outcome.targetId, secret: outcome.success.secret }] : [],
  );
  // Only a replica that declared this execution lost could have moved it on; report what we saw.
  return { request: finished ?? { ...started, results: storedResults(outcomes) }, secrets };
}

/** What an audit entry names: the parent ID first where the operation has one, then the targets. */
export function auditTargets(request: Pick<RequestRecord, 'parentId' | 'targetIds'>): string[] {
  return request.parentId ? [request.parentId, ...request.targetIds] : request.targetIds;
}
