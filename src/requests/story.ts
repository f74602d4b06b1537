import { differenceInMilliseconds } from 'date-fns/differenceInMilliseconds';
import type { Logger } from '../lib/logger';
import type { CoreObserver } from '../model/ports';
import type { RequestRecord, RequestStatus } from '../model/request';

// The final statuses an execution ends in; the other final ones end a request that never ran.
const executionOutcomes: readonly RequestStatus[] = ['succeeded', 'failed', 'partially_failed', 'outcome_unknown'];

/**
 * Each request's story in the log at `info`, one line per step, all keyed by `requestId`:
 * received, refused, pending or break-glass, approved, and then executed, denied, cancelled or
 * expired (and a break-glass use's review). A line
 * holds IDs, counts and named reasons only: never a request's reason text nor what a vendor returned.
 */
export function requestStory(logger: Logger): CoreObserver {
  const about = (request: RequestRecord) => ({ requestId: request.id, operation: request.operation });
  return {
    received({ requestId, operation, requesterId, channelId, targets, dryRun }) {
      logger.info('request received', { requestId, operation, requesterId, channelId, targets, ...(dryRun && { dryRun }) });
    },
    refused({ requestId, operation, actorId, reason }) {
      logger.info('request refused', { requestId, operation, actorId, reason });
    },
    pending(request) {
      logger.info('request pending', {
        ...about(request),
        approvalsNeeded: request.approvalsRequired,
        expiresAt: request.expiresAt.toISOString(),
      });
    },
    approvalCounted(request, approverId) {
      logger.info('request approved', {
        ...about(request),
        approverId,
        approvals: request.approvals.length,
        approvalsNeeded: request.approvalsRequired,
      });
    },
    brokeGlass(request) {
      // Loud in the log too: an operation is running that nobody approved.
      logger.warn('break-glass used', { ...about(request), requesterId: request.requesterId, targets: request.targetIds.length });
    },
    reviewed(request) {
      logger.info('break-glass reviewed', { ...about(request), reviewerId: request.review?.userId });
    },
    listed({ operation, actorId, parentId, outcome, found }) {
      logger.info('targets listed', { operation, actorId, parentId, outcome, found });
    },
    requestFinished(request, status) {
      if (!executionOutcomes.includes(status)) {
        logger.info(`request ${status}`, { ...about(request), by: request.closedBy, why: request.closedReason });
        return;
      }
      const { startedAt, finishedAt } = request;
      const durationMs = startedAt && finishedAt ? differenceInMilliseconds(finishedAt, startedAt) : undefined;
      logger.info('request executed', { ...about(request), outcome: status, targets: request.targetIds.length, durationMs });
    },
  };
}
