import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type AuditEntry, type AuditNote, type NewAuditEntry, requestAuditEntry } from '../model/audit';
import type { MessageRef } from '../model/message';
import type { OwedDelivery, OwedMessage } from '../model/owed';
import type { ApprovalInsert, AuditQuery, RequestQuery, Store, TransitionOptions } from '../model/ports';
import {
  announceAfter,
  finishedStatuses,
  guardsOf,
  type NewRequest,
  type RequestRecord,
  type RequestStatus,
  type TransitionGuard,
  type TransitionName,
  transitions,
} from '../model/request';
import { type FileLock, lockDatabaseFile } from './file-lock';
import { type Migration, sqliteMigrations } from './migrations';
import {
  type ApprovalRow,
  type AuditRow,
  type OwedRow,
  type RequestRow,
  toAuditEntry,
  toOwedMessage,
  toRequestRecord,
} from './rows';

/** Each transition guard as a condition on the request's row, checked at `@at`. */
const guardSql: Record<TransitionGuard, string> = {
  unexpired: 'expires_at > @at',
  approvalsComplete: '(SELECT COUNT(*) FROM approvals WHERE request_id = requests.id) >= approvals_required',
};

export interface SqliteStoreOptions {
  migrations?: readonly Migration[];
  /**
   * Copy the write-ahead log into the database file from a worker thread, every this many
   * milliseconds, instead of in whichever write fills the log (what a serving bot wants).
   */
  checkpointEveryMs?: number;
  /**
   * Holds the file for this process alone (the bot, the shell): opening it so while another
   * process holds it throws a DatabaseInUseError saying who. Opening it without this (a reader
   * such as `npm run audit`) neither takes nor checks the hold.
   */
  exclusive?: boolean;
}

/** SQLite's own threshold, in pages, for when a write checkpoints the log itself. */
const inlineCheckpointPages = 1000;

/**
 * The checkpointer's thread: a connection of its own that checkpoints PASSIVE (never waiting
 * for, nor blocking, the bot's writes) until told to stop. Plain JavaScript, so it runs the
 * same from the build and under the test runner.
 */
const checkpointerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** The embedded store: one SQLite file in WAL mode, for a single replica. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  // Compiling a statement costs more than running it; each is compiled once.
  private readonly statements = new Map<string, Database.Statement>();
  private readonly checkpointer?: Worker;
  private readonly lock?: FileLock;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    if (options.exclusive && file !== ':memory:') this.lock = lockDatabaseFile(file);
    try {
      this.db = openDatabase(file, options.migrations ?? sqliteMigrations);
    } catch (error) {
      this.lock?.release();
      throw error;
    }
    if (options.checkpointEveryMs !== undefined && file !== ':memory:') {
      // A checkpoint copies pages and syncs the file: 7-20 ms that, done by the write that
      // fills the log, stalled every acknowledgement waiting behind it.
      this.checkpointer = new Worker(checkpointerSource, {
        eval: true,
        workerData: { driver: require.resolve('better-sqlite3'), file: path.resolve(file), everyMs: options.checkpointEveryMs },
      });
      this.db.pragma('wal_autocheckpoint = 0');
      // Should the thread fail, the writes go back to checkpointing the log themselves.
      this.checkpointer.on('error', () => {
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${inlineCheckpointPages}`);
      });
    }
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.insertAudit(entry);
  }

  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const rows = this.statement(
      `SELECT * FROM audit
       WHERE (@since IS NULL OR at >= @since) AND (@channelId IS NULL OR channel_id = @channelId)
         AND (@actorId IS NULL OR actor_id = @actorId)
       ORDER BY id DESC LIMIT @limit`,
    ).all({
      since: query.since?.toISOString() ?? null,
      channelId: query.channelId ?? null,
      actorId: query.actorId ?? null,
      limit: query.limit ?? -1,
    }) as AuditRow[];
    return rows.map(toAuditEntry);
  }

  async createRequest(request: NewRequest, audit: AuditNote): Promise<RequestRecord> {
    return this.inTransaction(() => {
      const row = this.statement(
        `INSERT INTO requests (id, operation, requester_id, channel_id, parent_id, target_ids, reason,
           approvals_required, status, created_at, expires_at, approved_at, next_reminder_at, break_glass)
         VALUES (@id, @operation, @requesterId, @channelId, @parentId, @targetIds, @reason,
           @approvalsRequired, @status, @createdAt, @expiresAt, CASE WHEN @status = 'approved' THEN @createdAt END, @nextReminderAt,
           @breakGlass)
         RETURNING *`,
      ).get({
        ...request,
        parentId: request.parentId ?? null,
        nextReminderAt: request.nextReminderAt?.toISOString() ?? null,
        breakGlass: request.breakGlass ? 1 : 0,
        targetIds: JSON.stringify(request.targetIds),
        createdAt: request.createdAt.toISOString(),
        expiresAt: request.expiresAt.toISOString(),
      }) as RequestRow;
      // A new request has no approvals yet.
      const created = toRequestRecord(row, []);
      this.insertAudit(requestAuditEntry(created, audit, request.createdAt));
      return created;
    });
  }

  async getRequest(id: string): Promise<RequestRecord | undefined> {
    return this.load(this.statement('SELECT * FROM requests WHERE id = ?').all(id) as RequestRow[])[0];
  }

  async listRequests(query: RequestQuery = {}): Promise<RequestRecord[]> {
    const rows = this.statement(
      `SELECT * FROM requests
       WHERE (@channelId IS NULL OR channel_id = @channelId)
         AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
         AND (@approvedBefore IS NULL OR approved_at < @approvedBefore)
         AND (@awaitingReview = 0 OR (break_glass AND reviewed_at IS NULL))
       ORDER BY created_at DESC, id LIMIT @limit`,
    ).all({
      channelId: query.channelId ?? null,
      approvedBefore: query.approvedBefore?.toISOString() ?? null,
      awaitingReview: query.awaitingReview ? 1 : 0,
      statuses: query.statuses ? JSON.stringify(query.statuses) : null,
      limit: query.limit ?? -1,
    }) as RequestRow[];
    return this.load(rows);
  }

  async countRequests(statuses: readonly RequestStatus[]): Promise<number> {
    const row = this.statement('SELECT COUNT(*) AS n FROM requests WHERE status IN (SELECT value FROM json_each(?))').get(
      JSON.stringify(statuses),
    ) as { n: number };
    return row.n;
  }

  async attachCard(id: string, card: MessageRef): Promise<RequestStatus | undefined> {
    const row = this.statement('UPDATE requests SET card_channel_id = ?, card_ts = ? WHERE id = ? RETURNING status').get(
      card.channelId,
      card.messageId,
      id,
    ) as { status: RequestStatus } | undefined;
    return row?.status;
  }

  async addApproval(id: string, userId: string, at: Date): Promise<ApprovalInsert> {
    const added = this.statement(
      `INSERT INTO approvals (request_id, user_id, at)
       SELECT @id, @userId, @at
       WHERE EXISTS (
         SELECT 1 FROM requests WHERE id = @id AND status = 'pending' AND expires_at > @at
           AND (SELECT COUNT(*) FROM approvals WHERE request_id = @id) < approvals_required)
       ON CONFLICT DO NOTHING`,
    ).run({ id, userId, at: at.toISOString() });
    if (added.changes === 1) return 'added';
    const approved = this.statement('SELECT 1 FROM approvals WHERE request_id = ? AND user_id = ?').get(id, userId);
    return approved ? 'duplicate' : 'not_open';
  }

  async transition(id: string, name: TransitionName, options: TransitionOptions): Promise<RequestRecord | undefined> {
    const { from, to } = transitions[name];
    return this.inTransaction(() => {
      const changed = this.statement(
        `UPDATE requests SET
           status = @to,
           closed_by = COALESCE(@closedBy, closed_by),
           closed_reason = COALESCE(@closedReason, closed_reason),
           results = COALESCE(@results, results),
           started_at = CASE WHEN @to = 'executing' THEN @at ELSE started_at END,
           dispatched = CASE WHEN @to = 'executing' THEN 0 ELSE dispatched END,
           approved_at = CASE WHEN @to = 'approved' THEN @at ELSE approved_at END,
           finished_at = CASE WHEN @finished = 1 THEN @at ELSE finished_at END,
           announce_after = CASE WHEN @finished = 1 AND @announced = 0 THEN @announceAfter ELSE announce_after END
         WHERE id = @id
           AND status IN (SELECT value FROM json_each(@from))${guardsOf(name).map((guard) => ` AND ${guardSql[guard]}`).join('')}
         RETURNING *`,
      ).all({
        id,
        to,
        from: JSON.stringify(from),
        at: options.at.toISOString(),
        finished: finishedStatuses.includes(to) ? 1 : 0,
        announced: options.announced ? 1 : 0,
        announceAfter: announceAfter(options.at).toISOString(),
        closedBy: options.closedBy ?? null,
        closedReason: options.closedReason ?? null,
        results: options.results ? JSON.stringify(options.results) : null,
      }) as RequestRow[];
      return this.recordChanges(changed, options.at, options.audit)[0];
    });
  }

  async review(id: string, userId: string, at: Date, audit: AuditNote): Promise<RequestRecord | undefined> {
    return this.inTransaction(() => {
      const changed = this.statement(
        `UPDATE requests SET reviewed_by = @userId, reviewed_at = @at
         WHERE id = @id AND break_glass AND reviewed_at IS NULL
         RETURNING *`,
      ).all({ id, userId, at: at.toISOString() }) as RequestRow[];
      return this.recordChanges(changed, at, audit)[0];
    });
  }

  async expireDue(at: Date, audit: AuditNote): Promise<RequestRecord[]> {
    return this.transitionWhere('expire', 'expires_at <= @at', at, at, audit);
  }

  async loseInterrupted(startedBefore: Date, at: Date, audit: AuditNote): Promise<RequestRecord[]> {
    return this.transitionWhere('lose', 'started_at < @before', startedBefore, at, audit);
  }

  async claimDelivery(id: string, at: Date): Promise<boolean> {
    return this.statement('INSERT INTO deliveries (id, at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(id, at.toISOString()).changes === 1;
  }

  async forgetDeliveries(before: Date): Promise<void> {
    this.statement('DELETE FROM deliveries WHERE at < ?').run(before.toISOString());
  }

  async recordDispatched(id: string, count: number): Promise<void> {
    this.statement(
      `UPDATE requests SET dispatched = MAX(dispatched, @count) WHERE id = @id AND status = 'executing'`,
    ).run({ id, count });
  }

  async owe(delivery: OwedDelivery, at: Date, nextAttemptAt: Date, error: string): Promise<void> {
    this.statement(
      `INSERT INTO owed_messages (delivery, created_at, next_attempt_at, attempts, last_error) VALUES (?, ?, ?, 1, ?)`,
    ).run(JSON.stringify(delivery), at.toISOString(), nextAttemptAt.toISOString(), error);
  }

  async claimOwed(at: Date, leaseUntil: Date, limit: number): Promise<OwedMessage[]> {
    const rows = this.statement(
      `UPDATE owed_messages SET next_attempt_at = @leaseUntil, attempts = attempts + 1
       WHERE id IN (SELECT id FROM owed_messages WHERE next_attempt_at <= @at ORDER BY id LIMIT @limit)
       RETURNING *`,
    ).all({ at: at.toISOString(), leaseUntil: leaseUntil.toISOString(), limit }) as OwedRow[];
    return rows.map(toOwedMessage).sort((a, b) => a.id - b.id);
  }

  async settleOwed(id: number): Promise<void> {
    this.statement('DELETE FROM owed_messages WHERE id = ?').run(id);
  }

  async deferOwed(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    this.statement('UPDATE owed_messages SET next_attempt_at = ?, last_error = ? WHERE id = ?').run(nextAttemptAt.toISOString(), error, id);
  }

  async claimUnannounced(dueBy: Date, leaseUntil: Date, limit: number): Promise<RequestRecord[]> {
    const rows = this.statement(
      `UPDATE requests SET announce_after = @leaseUntil
       WHERE id IN (SELECT id FROM requests WHERE announce_after <= @dueBy ORDER BY announce_after LIMIT @limit)
       RETURNING *`,
    ).all({ dueBy: dueBy.toISOString(), leaseUntil: leaseUntil.toISOString(), limit }) as RequestRow[];
    return this.load(rows);
  }

  async markAnnounced(id: string): Promise<void> {
    this.statement('UPDATE requests SET announce_after = NULL WHERE id = ?').run(id);
  }

  async claimReminders(operation: string, at: Date, nextAt: Date, limit: number): Promise<RequestRecord[]> {
    const rows = this.statement(
      `UPDATE requests SET next_reminder_at = @nextAt
       WHERE id IN (SELECT id FROM requests
         WHERE status = 'pending' AND operation = @operation AND next_reminder_at <= @at AND expires_at > @at
         ORDER BY next_reminder_at LIMIT @limit)
       RETURNING *`,
    ).all({ operation, at: at.toISOString(), nextAt: nextAt.toISOString(), limit }) as RequestRow[];
    return this.load(rows);
  }

  async claimEscalations(operation: string, madeBy: Date, at: Date, limit: number): Promise<RequestRecord[]> {
    const rows = this.statement(
      `UPDATE requests SET escalated_at = @at
       WHERE id IN (SELECT id FROM requests
         WHERE status = 'pending' AND operation = @operation AND escalated_at IS NULL AND created_at <= @madeBy AND expires_at > @at
         ORDER BY created_at LIMIT @limit)
       RETURNING *`,
    ).all({ operation, madeBy: madeBy.toISOString(), at: at.toISOString(), limit }) as RequestRow[];
    return this.load(rows);
  }

  async ping(): Promise<void> {
    this.statement('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.checkpointer && this.checkpointer.threadId !== -1) {
      const exited = once(this.checkpointer, 'exit');
      this.checkpointer.postMessage('stop');
      await exited;
    }
    // The last connection to close checkpoints what is left and removes the log.
    this.db.close();
    this.lock?.release();
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** One statement moves every matching request, so each is returned to exactly one caller. */
  private transitionWhere(name: TransitionName, condition: string, before: Date, at: Date, audit: AuditNote): RequestRecord[] {
    const { from, to } = transitions[name];
    return this.inTransaction(() => {
      const rows = this.statement(
        `UPDATE requests SET status = @to, finished_at = @at, announce_after = @announceAfter
         WHERE status IN (SELECT value FROM json_each(@from)) AND ${condition}
         RETURNING *`,
      ).all({
        to,
        from: JSON.stringify(from),
        at: at.toISOString(),
        before: before.toISOString(),
        announceAfter: announceAfter(at).toISOString(),
      }) as RequestRow[];
      return this.recordChanges(rows, at, audit);
    });
  }

  /** The changed requests, each with its audit entry written (inside the caller's transaction). */
  private recordChanges(rows: RequestRow[], at: Date, audit: AuditNote | undefined): RequestRecord[] {
    const changed = this.load(rows);
    if (audit) for (const request of changed) this.insertAudit(requestAuditEntry(request, audit, at));
    return changed;
  }

  private insertAudit(entry: NewAuditEntry): AuditEntry {
    const result = this.statement(
      `INSERT INTO audit (at, event, actor_id, operation, channel_id, request_id, targets, outcome, detail)
       VALUES (@at, @event, @actorId, @operation, @channelId, @requestId, @targets, @outcome, @detail)`,
    ).run({
      at: entry.at.toISOString(),
      event: entry.event,
      actorId: entry.actorId,
      operation: entry.operation ?? null,
      channelId: entry.channelId ?? null,
      requestId: entry.requestId ?? null,
      targets: JSON.stringify(entry.targets),
      outcome: entry.outcome ?? null,
      detail: entry.detail ?? null,
    });
    return { ...entry, id: Number(result.lastInsertRowid) };
  }

  private inTransaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  private load(rows: RequestRow[]): RequestRecord[] {
    // Approvals are read only for requests that take any.
    if (!rows.some((row) => row.approvals_required > 0)) return rows.map((row) => toRequestRecord(row, []));
    const approvals = this.statement(
      `SELECT * FROM approvals WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY at, rowid`,
    ).all(JSON.stringify(rows.map((row) => row.id))) as ApprovalRow[];
    return rows.map((row) => toRequestRecord(row, approvals));
  }
}



/** The file in WAL mode, migrated. */
function openDatabase(file: string, migrations: readonly Migration[]): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // With WAL, NORMAL syncs at checkpoints rather than on every commit: the file stays
    // consistent, and each write no longer blocks the event loop on an fsync.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Applies every migration newer than the recorded version. Reading the version and applying
 * the migrations is one IMMEDIATE transaction, so processes opening a new file together take
 * turns instead of racing to create the same tables.
 */
function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
    for (const migration of migrations.filter((m) => m.version > (row.version ?? 0))) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }
  }).immediate();
}
