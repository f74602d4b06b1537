import type { RequestRecord } from './request';

/** What happened, as the audit log records it. */
export const auditEvents = [
  'requested',
  'refused',
  /** Targets looked up with a vendor's list call (PRODUCT.md §9). */
  'listed',
  'approved',
  'denied',
  'cancelled',
  'expired',
  'execution_started',
  'executed',
  /** A request run at once without approval under `--break-glass` (PRODUCT.md §10): made and approved in one. */
  'break_glass',
  /** An approver reviewed a break-glass use. */
  'reviewed',
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

/** What an audit entry is about: an operation on targets in a channel, and the request once there is one. */
export type AuditSubject = Pick<NewAuditEntry, 'operation' | 'channelId' | 'requestId' | 'targets'>;

/** What an audit entry names: the parent ID first where the operation has one, then the targets. */
export function auditTargets(request: Pick<RequestRecord, 'parentId' | 'targetIds'>): string[] {
  return request.parentId ? [request.parentId, ...request.targetIds] : request.targetIds;
}

/** What an audit entry about `request` is about. */
export function requestSubject(request: RequestRecord): AuditSubject {
  return { operation: request.operation, channelId: request.channelId, requestId: request.id, targets: auditTargets(request) };
}

/** The audit entry about `request` that `note` describes. */
export function requestAuditEntry(request: RequestRecord, note: AuditNote, at: Date): NewAuditEntry {
  return { ...note, at, ...requestSubject(request) };
}
