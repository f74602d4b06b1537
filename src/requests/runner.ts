import { setTimeout as delay } from 'node:timers/promises';
import { type AuditNote, requestAuditEntry } from '../model/audit';
import type { TransitionOptions } from '../model/ports';
import { type RequestRecord, type TransitionName, transitions } from '../model/request';
import { operationOf, type RevealableSecret } from '../operations/catalog';
import type { CoreContext } from './context';
import { type ExecutionOutcome, executeTargets, outcomeDetail, overallOutcome, storedResults } from './execute';

export interface Execution {
  request: RequestRecord;
  /** Secrets the calls returned, for the requester's eyes only; never stored or logged. */
  secrets: { targetId: string; secret: RevealableSecret }[];
}

const finishing: Record<ExecutionOutcome, TransitionName> = {
  succeeded: 'succeed',
  failed: 'fail',
  partially_failed: 'partiallyFail',
  outcome_unknown: 'endUnknown',
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

  const marks = dispatchMarks((count) => store.recordDispatched(started.id, count), started.targetIds.length, concurrency);
  const outcomes = await executeTargets({ ...started, operation: operationOf(started) }, vendors, concurrency, marks);
  const overall = overallOutcome(outcomes);
  const results = storedResults(outcomes);
  const executed: AuditNote = { event: 'executed', actorId, outcome: overall, detail: outcomeDetail(results) };
  const at = now();
  const record = (announced: boolean) => recordOutcome(context, started, finishing[overall], { at, results, audit: executed, announced });
  // The outcome is known whatever the store says: when it cannot be recorded now, it is still
  // reported, and recorded as soon as the store answers (as announced: it is being, now).
  const finished = await record(false).catch((error: unknown) => {
    logger.error('could not record an outcome; reporting it, and recording it once the store answers', { requestId: request.id, error });
    context.background('recording an outcome', retryUntilRecorded(context, () => record(true)));
    const known: RequestRecord = { ...started, status: transitions[finishing[overall]].to, results, finishedAt: at };
    return known;
  });
  context.observer.requestFinished(finished, overall);

  const secrets = outcomes.flatMap((outcome) =>
    outcome.status === 'succeeded' && outcome.success.secret ? [{ targetId: outcome.targetId, secret: outcome.success.secret }] : [],
  );
  return { request: finished, secrets };
}

/**
 * Before the call of each target: makes sure the store knows that this target's call may have
 * been sent, so that after a crash the targets beyond are reported as not run, never as unknown
 * (nor, worse, the other way round). One write covers a wave of `step` calls; a call whose
 * mark cannot be written is not made.
 */
function dispatchMarks(record: (count: number) => Promise<void>, total: number, step: number): (index: number) => Promise<void> {
  let marked = 0;
  let written: Promise<void> = Promise.resolve();
  return (index) => {
    if (index >= marked) {
      marked = Math.min(total, index + step);
      written = record(marked);
    }
    return written;
  };
}

/** Moves the request to its final status with its audit entry; what ran is audited even when the status had moved on. */
async function recordOutcome(
  context: CoreContext,
  started: RequestRecord,
  name: TransitionName,
  options: Required<Pick<TransitionOptions, 'at' | 'results' | 'audit' | 'announced'>>,
): Promise<RequestRecord> {
  const finished = await context.store.transition(started.id, name, options);
  if (finished) return finished;
  // Only a replica that declared this execution lost could have moved it on.
  await context.store.appendAudit(requestAuditEntry(started, options.audit, options.at));
  return { ...started, results: options.results };
}

// How long a late write waits between tries: soon at first, then no more than every half minute.
const recordRetryDelaysMs = [1_000, 2_000, 5_000, 10_000, 30_000];

/** Tries `record` again until the store answers, for as long as the execution could still count as running. */
async function retryUntilRecorded(context: CoreContext, record: () => Promise<unknown>): Promise<void> {
  const { logger, executionDeadlineMs } = context;
  const started = Date.now();
  for (let attempt = 0; Date.now() - started < executionDeadlineMs; attempt += 1) {
    await delay(recordRetryDelaysMs[Math.min(attempt, recordRetryDelaysMs.length - 1)]);
    try {
      await record();
      return;
    } catch (error) {
      logger.warn('still could not record an outcome', { error });
    }
  }
  throw new Error('gave up recording an outcome: the store did not answer');
}
