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

export interface AuditQuery {
  /** Newest first, at most this many. */
  limit?: number;
  since?: Date;
  channelId?: string;
}

/**
 * Where twokey keeps its state. Every method is async so that the embedded SQLite store
 * and a PostgreSQL store can share one interface and one test suite.
 */
export interface Store {
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
