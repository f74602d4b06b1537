import type { AuditEntry, AuditEvent } from '../model/audit';
import type { OwedDelivery, OwedMessage } from '../model/owed';
import type { RequestRecord, RequestStatus } from '../model/request';

// Rows as both databases return them: SQLite gives ISO strings and JSON text where
// PostgreSQL gives Date objects and parsed JSONB, so readers accept either.
type Timestamp = string | Date;

export interface AuditRow {
  id: number | string;
  at: Timestamp;
  event: string;
  actor_id: string;
  operation: string | null;
  channel_id: string | null;
  request_id: string | null;
  targets: unknown;
  outcome: string | null;
  detail: string | null;
}

export interface RequestRow {
  id: string;
  operation: string;
  requester_id: string;
  channel_id: string;
  parent_id: string | null;
  target_ids: unknown;
  reason: string;
  approvals_required: number;
  status: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  approved_at: Timestamp | null;
  card_channel_id: string | null;
  /** The card's message ID (the column is named after Slack's `ts`, which it holds in Slack). */
  card_ts: string | null;
  closed_by: string | null;
  closed_reason: string | null;
  started_at: Timestamp | null;
  dispatched: number | null;
  finished_at: Timestamp | null;
  results: unknown;
  next_reminder_at: Timestamp | null;
  escalated_at: Timestamp | null;
  /** 0 or 1 from SQLite, a boolean from PostgreSQL. */
  break_glass: number | boolean;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
}

export interface ApprovalRow {
  request_id: string;
  user_id: string;
  at: Timestamp;
}

export interface OwedRow {
  id: number | string;
  delivery: unknown;
  created_at: Timestamp;
  next_attempt_at: Timestamp;
  attempts: number;
  last_error: string | null;
}

export function toOwedMessage(row: OwedRow): OwedMessage {
  return {
    ...json<OwedDelivery>(row.delivery),
    id: Number(row.id),
    createdAt: new Date(row.created_at),
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
  };
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function optionalDate(value: Timestamp | null): Date | undefined {
  return value === null ? undefined : new Date(value);
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: new Date(row.at),
    event: row.event as AuditEvent,
    actorId: row.actor_id,
    operation: row.operation ?? undefined,
    channelId: row.channel_id ?? undefined,
    requestId: row.request_id ?? undefined,
    targets: json<string[]>(row.targets),
    outcome: row.outcome ?? undefined,
    detail: row.detail ?? undefined,
  };
}

/** A request with its approvals (any order of rows; those of other requests are ignored). */
export function toRequestRecord(row: RequestRow, approvals: readonly ApprovalRow[]): RequestRecord {
  return {
    id: row.id,
    operation: row.operation,
    requesterId: row.requester_id,
    channelId: row.channel_id,
    parentId: row.parent_id ?? undefined,
    targetIds: json<string[]>(row.target_ids),
    reason: row.reason,
    approvalsRequired: row.approvals_required,
    status: row.status as RequestStatus,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    approvedAt: optionalDate(row.approved_at),
    approvals: approvals
      .filter((approval) => approval.request_id === row.id)
      .map((approval) => ({ userId: approval.user_id, at: new Date(approval.at) })),
    card: row.card_channel_id && row.card_ts ? { channelId: row.card_channel_id, messageId: row.card_ts } : undefined,
    closedBy: row.closed_by ?? undefined,
    closedReason: row.closed_reason ?? undefined,
    startedAt: optionalDate(row.started_at),
    dispatched: row.dispatched ?? undefined,
    finishedAt: optionalDate(row.finished_at),
    results: row.results === null ? undefined : json<RequestRecord['results']>(row.results),
    nextReminderAt: optionalDate(row.next_reminder_at),
    escalatedAt: optionalDate(row.escalated_at),
    breakGlass: row.break_glass ? true : undefined,
    review: row.reviewed_by && row.reviewed_at ? { userId: row.reviewed_by, at: new Date(row.reviewed_at) } : undefined,
  };
}
