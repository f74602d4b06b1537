import type { OperationName } from '../operations/catalog';
import type { RequestStatus, TransitionName } from '../requests/lifecycle';
import type { VendorErrorFields } from '../vendors/errors';

/** What happened, as the audit log records it. */
export const auditEvents = [
  'requested',
  'refused',
  'approved',
  'denied',
  'cancelled',
  'expired',
  'execution_started',
  'executed',
] as const;
export type AuditEvent = (typeof auditEvents)[number];

/** The actor of what twokey does by itself, such as expiring a request. */
export const systemActor = 'twokey';

export interface AuditEntry {
  id: number;
  at: Date;
  event: AuditEvent;
  /** Slack user ID of who acted. */
  actorId: string;
  operation?: string;
  channelId?: string;
  requestId?: string;
  /** Target IDs the entry is about (with the parent ID first where the operation has one). */
  targets: string[];
  /** Outcome of an execution or why an attempt was refused. */
  outcome?: string;
  /** Human-readable detail: the reason given, per-target failures. Never a secret. */
  detail?: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** What an audit entry about a request says beyond what the request itself tells. */
export type AuditNote = Pick<NewAuditEntry, 'event' | 'actorId' | 'outcome' | 'detail'>;

/** What an audit entry names: the parent ID first where the operation has one, then the targets. */
export function auditTargets(request: Pick<RequestRecord, 'parentId' | 'targetIds'>): string[] {
  return request.parentId ? [request.parentId, ...request.targetIds] : request.targetIds;
}

/** The audit entry about `request` that `note` describes. */
export function requestAuditEntry(request: RequestRecord, note: AuditNote, at: Date): NewAuditEntry {
  return {
    ...note,
    at,
    operation: request.operation,
    channelId: request.channelId,
    requestId: request.id,
    targets: auditTargets(request),
  };
}

export interface AuditQuery {
  /** Newest first, at most this many. */
  limit?: number;
  since?: Date;
  channelId?: string;
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
  error?: Omit<VendorErrorFields, 'retryAfterMs'>;
  /** Whether the call may safely be sent again (shapes what an unknown outcome advises). */
  idempotent: boolean;
}

/** Where a request's card was posted, so it can be updated in place and replied to in its thread. */
export interface CardRef {
  channelId: string;
  ts: string;
}

export interface RequestRecord {
  id: string;
  operation: OperationName;
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
  card?: CardRef;
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

/** Extra conditions and values of one transition. */
export interface TransitionOptions {
  at: Date;
  /** Only while the request has not expired at `at`. */
  unexpired?: boolean;
  /** Only once the counted approvals reach `approvalsRequired`. */
  approvalsComplete?: boolean;
  closedBy?: string;
  results?: StoredTargetResult[];
  /** Recorded in the same transaction as the change, and only if the change is made. */
  audit?: AuditNote;
}

export type ApprovalInsert = 'added' | 'duplicate' | 'not_open';

export interface RequestQuery {
  channelId?: string;
  statuses?: readonly RequestStatus[];
  limit?: number;
}

/**
 * Where twokey keeps its state. Every state change is one conditional update, so that a
 * change applies once however many clicks, deliveries or replicas race for it; the audit entry
 * a change is given is written in the same transaction, so neither is kept without the other. Every method
 * is async so that the embedded SQLite store and a PostgreSQL store share one interface and
 * one test suite.
 */
export interface Store {
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first (by the order entries were appended). */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;

  createRequest(request: NewRequest, audit: AuditNote): Promise<RequestRecord>;
  getRequest(id: string): Promise<RequestRecord | undefined>;
  /** Newest first, by creation time. */
  listRequests(query?: RequestQuery): Promise<RequestRecord[]>;
  attachCard(id: string, card: CardRef): Promise<void>;
  /**
   * Records one approval per approver, only while the request is pending, unexpired at `at`,
   * and short of the approvals it needs: never more are counted, however many arrive at once.
   */
  addApproval(id: string, userId: string, at: Date): Promise<ApprovalInsert>;
  /** Applies a named transition if the request is in one of its `from` states; the updated record when this call made the change. */
  transition(id: string, name: TransitionName, options: TransitionOptions): Promise<RequestRecord | undefined>;
  /** Expires every pending request whose expiry is at or before `at`; each is returned to exactly one caller. */
  expireDue(at: Date, audit: AuditNote): Promise<RequestRecord[]>;
  /** Marks executions started before `startedBefore` as `outcome_unknown`; each is returned to exactly one caller. */
  loseInterrupted(startedBefore: Date, at: Date, audit: AuditNote): Promise<RequestRecord[]>;

  /** Rejects when the database cannot be reached: the readiness check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
