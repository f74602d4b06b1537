import { setTimeout as delay } from 'node:timers/promises';
import {
  Client,
  type ClientConfig,
  DatabaseError,
  Pool,
  type PoolClient,
  type PoolConfig,
  type QueryResult,
  type QueryResultRow,
} from 'pg';
import type { Logger } from '../lib/logger';
import { type AuditEntry, type AuditNote, type NewAuditEntry, requestAuditEntry } from '../model/audit';
import type { MessageRef } from '../model/message';
import type { OwedDelivery, OwedMessage } from '../model/owed';
import { type ApprovalInsert, type AuditQuery, type RequestQuery, type Store, StoreUnavailableError, type TransitionOptions } from '../model/ports';
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
import { type Migration, postgresMigrations } from './migrations';
import {
  type ApprovalRow,
  type AuditRow,
  type OwedRow,
  type RequestRow,
  toAuditEntry,
  toOwedMessage,
  toRequestRecord,
} from './rows';

// Any fixed number: every replica takes this advisory lock to migrate, one at a time.
const migrationLock = 7_263_541;

/** Bounds on waiting for PostgreSQL, so that one that accepts connections but never answers fails a step instead of hanging it. */
export interface PostgresTimeouts {
  /** Connecting, and waiting for a pooled connection while all are in use. */
  connectMs: number;
  /** One statement: PostgreSQL cancels it past this (`statement_timeout`). */
  statementMs: number;
}

/**
 * Each of our statements reads or writes a few rows by key and takes milliseconds: seconds mean
 * the database is in trouble, and the command had better fail and say so than hang.
 */
export const defaultPostgresTimeouts: PostgresTimeouts = { connectMs: 5_000, statementMs: 5_000 };

/**
 * How much longer than `statement_timeout` the client waits for an answer. A live server cancels a
 * slow statement itself and the connection stays usable; only a silent one (hung, or cut off by
 * the network) is given up on here, and its connection dropped.
 */
const unansweredMarginMs = 1_000;

/** Migrations may take longer than a command's statements, and wait for another replica's. */
const migrationStatementMs = 60_000;

/** Pauses before running again a step whose connection dropped: one or two retries, each on a fresh connection. */
const retryDelaysMs = [100, 500];

/** Each transition guard as a condition on the request's row, checked at the change's time ($3). */
const guardSql: Record<TransitionGuard, string> = {
  unexpired: 'expires_at > $3',
  approvalsComplete: '(SELECT COUNT(*) FROM approvals WHERE request_id = requests.id) >= approvals_required',
};

export interface PostgresStoreOptions {
  /** A schema of its own (created if missing), e.g. for tests sharing one database. */
  schema?: string;
  /** Most connections this process opens. */
  maxConnections?: number;
  timeouts?: Partial<PostgresTimeouts>;
  /** Where retries after a dropped connection are noted. */
  logger?: Logger;
}

/** PostgreSQL did not answer in time: it hangs, or the network to it does. */
export class DatabaseTimeoutError extends StoreUnavailableError {
  constructor(ms: number, cause: unknown) {
    super(`PostgreSQL did not answer within ${ms} ms`, { cause });
    this.name = 'DatabaseTimeoutError';
  }
}

/**
 * The connection was lost (or went silent) while COMMIT was on its way: the transaction may or
 * may not have been saved. Such a step is not run again: a conditional update would find its own
 * change and report it as someone else's, an insert would find its own row.
 */
export class CommitOutcomeUnknownError extends StoreUnavailableError {
  constructor(cause: unknown) {
    super('the connection to PostgreSQL was lost during COMMIT: the change may or may not have been saved', { cause });
    this.name = 'CommitOutcomeUnknownError';
  }
}

/** The shared store for several replicas: PostgreSQL through a connection pool. */
export class PostgresStore implements Store {
  private constructor(
    private readonly pool: Pool,
    private readonly timeouts: PostgresTimeouts,
    private readonly logger?: Logger,
  ) {}

  /** Connects, then migrates under an advisory lock so that replicas starting together take turns. */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const timeouts = { ...defaultPostgresTimeouts, ...options.timeouts };
    const config: PoolConfig = {
      connectionString: url,
      max: options.maxConnections ?? 10,
      // What pg_stat_activity shows, unless the URL names it (?application_name=…).
      fallback_application_name: 'twokey',
      connectionTimeoutMillis: timeouts.connectMs,
      statement_timeout: timeouts.statementMs,
      query_timeout: timeouts.statementMs + unansweredMarginMs,
    };
    if (options.schema) {
      if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`not a plain schema name: ${options.schema}`);
      config.options = `-c search_path=${options.schema}`;
    }
    const migrating = { ...config, statement_timeout: migrationStatementMs, query_timeout: migrationStatementMs + unansweredMarginMs };
    await explainTimeouts(() => migrate(migrating, postgresMigrations, options.schema), { ...timeouts, statementMs: migrationStatementMs });
    const pool = new Pool(config);
    // A connection that fails emits 'error', and an 'error' nobody listens to ends the process. The
    // pool listens while a connection is idle; this listens while it is in use. Either way the
    // failure is reported where it matters: by the statement it fails.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    return new PostgresStore(pool, timeouts, options.logger);
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    // In a transaction of its own, so that a dropped connection surely left nothing and it can run again.
    return this.inTransaction((client) => insertAudit(client, entry));
  }
  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const { rows } = await this.query<AuditRow>(
      `SELECT * FROM audit
       WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::text IS NULL OR channel_id = $2)
         AND ($4::text IS NULL OR actor_id = $4)
       ORDER BY id DESC LIMIT $3`,
      [query.since ?? null, query.channelId ?? null, query.limit ?? null, query.actorId ?? null],
    );
    return rows.map(toAuditEntry);
  }

  async createRequest(request: NewRequest, audit: AuditNote): Promise<RequestRecord> {
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `INSERT INTO requests (id, operation, requester_id, channel_id, parent_id, target_ids, reason,
           approvals_required, status, created_at, expires_at, approved_at, next_reminder_at, break_glass)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $9 = 'approved' THEN $10::timestamptz END, $12, $13)
         RETURNING *`,
        [
          request.id,
          request.operation,
          request.requesterId,
          request.channelId,
          request.parentId ?? null,
          JSON.stringify(request.targetIds),
          request.reason,
          request.approvalsRequired,
          request.status,
          request.createdAt,
          request.expiresAt,
          request.nextReminderAt ?? null,
          request.breakGlass ?? false,
        ],
      );
      // A new request has no approvals yet.
      const created = toRequestRecord(rows[0], []);
      await insertAudit(client, requestAuditEntry(created, audit, request.createdAt));
      return created;
    });
  }

  async getRequest(id: string): Promise<RequestRecord | undefined> {
    const { rows } = await this.query<RequestRow>('SELECT * FROM requests WHERE id = $1', [id]);
    return (await this.load(rows))[0];
  }

  async listRequests(query: RequestQuery = {}): Promise<RequestRecord[]> {
    const { rows } = await this.query<RequestRow>(
      `SELECT * FROM requests
       WHERE ($1::text IS NULL OR channel_id = $1) AND ($2::text[] IS NULL OR status = ANY($2))
         AND ($4::timestamptz IS NULL OR approved_at < $4)
         AND (NOT $5 OR (break_glass AND reviewed_at IS NULL))
       ORDER BY created_at DESC, id LIMIT $3`,
      [
        query.channelId ?? null,
        query.statuses ? [...query.statuses] : null,
        query.limit ?? null,
        query.approvedBefore ?? null,
        query.awaitingReview ?? false,
      ],
    );
    return this.load(rows);
  }

  async countRequests(statuses: readonly RequestStatus[]): Promise<number> {
    const { rows } = await this.query<{ n: string }>('SELECT COUNT(*) AS n FROM requests WHERE status = ANY($1)', [[...statuses]]);
    return Number(rows[0].n);
  }

  async attachCard(id: string, card: MessageRef): Promise<RequestStatus | undefined> {
    const { rows } = await this.query<{ status: RequestStatus }>(
      'UPDATE requests SET card_channel_id = $2, card_ts = $3 WHERE id = $1 RETURNING status',
      [id, card.channelId, card.messageId],
    );
    return rows[0]?.status;
  }

  async addApproval(id: string, userId: string, at: Date): Promise<ApprovalInsert> {
    // The request's row lock makes approvals of one request take turns, so no more are
    // counted than it needs however many approvers click at once, on however many replicas.
    const added = await this.inTransaction(async (client) => {
      const open = await client.query<{ approvals_required: number }>(
        `SELECT approvals_required FROM requests WHERE id = $1 AND status = 'pending' AND expires_at > $2 FOR UPDATE`,
        [id, at],
      );
      // Counted only once the lock is held: a new statement sees what earlier holders committed.
      const counted = open.rowCount
        ? Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM approvals WHERE request_id = $1', [id])).rows[0].n)
        : Infinity;
      if (counted >= (open.rows[0]?.approvals_required ?? 0)) return false;
      const inserted = await client.query(
        'INSERT INTO approvals (request_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [id, userId, at],
      );
      return inserted.rowCount === 1;
    });
    if (added) return 'added';
    const { rowCount } = await this.query('SELECT 1 FROM approvals WHERE request_id = $1 AND user_id = $2', [id, userId]);
    return rowCount ? 'duplicate' : 'not_open';
  }

  async transition(id: string, name: TransitionName, options: TransitionOptions): Promise<RequestRecord | undefined> {
    const { from, to } = transitions[name];
    // Concurrent updates of one row queue on its lock; a loser re-checks the WHERE clause
    // against the winner's row, no longer finds the status it needs, and changes nothing.
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `UPDATE requests SET
           status = $2,
           closed_by = COALESCE($4, closed_by),
           closed_reason = COALESCE($8, closed_reason),
           results = COALESCE($5::jsonb, results),
           started_at = CASE WHEN $2 = 'executing' THEN $3 ELSE started_at END,
           dispatched = CASE WHEN $2 = 'executing' THEN 0 ELSE dispatched END,
           approved_at = CASE WHEN $2 = 'approved' THEN $3 ELSE approved_at END,
           finished_at = CASE WHEN $6 THEN $3 ELSE finished_at END,
           announce_after = CASE WHEN $6 AND NOT $9 THEN $10 ELSE announce_after END
         WHERE id = $1
           AND status = ANY($7)${guardsOf(name).map((guard) => ` AND ${guardSql[guard]}`).join('')}
         RETURNING *`,
        [
          id,
          to,
          options.at,
          options.closedBy ?? null,
          options.results ? JSON.stringify(options.results) : null,
          finishedStatuses.includes(to),
          [...from],
          options.closedReason ?? null,
          options.announced ?? false,
          announceAfter(options.at),
        ],
      );
      return (await this.recordChanges(client, rows, options.at, options.audit))[0];
    });
  }

  async review(id: string, userId: string, at: Date, audit: AuditNote): Promise<RequestRecord | undefined> {
    // As with a transition, a second reviewer's update waits on the row lock, then finds it reviewed.
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `UPDATE requests SET reviewed_by = $2, reviewed_at = $3
         WHERE id = $1 AND break_glass AND reviewed_at IS NULL
         RETURNING *`,
        [id, userId, at],
      );
      return (await this.recordChanges(client, rows, at, audit))[0];
    });
  }

  async expireDue(at: Date, audit: AuditNote): Promise<RequestRecord[]> {
    return this.transitionWhere('expire', 'expires_at <= $3', at, at, audit);
  }

  async loseInterrupted(startedBefore: Date, at: Date, audit: AuditNote): Promise<RequestRecord[]> {
    return this.transitionWhere('lose', 'started_at < $3', startedBefore, at, audit);
  }

  async claimDelivery(id: string, at: Date): Promise<boolean> {
    return this.inTransaction(async (client) => {
      const { rowCount } = await client.query('INSERT INTO deliveries (id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, at]);
      return rowCount === 1;
    });
  }

  async forgetDeliveries(before: Date): Promise<void> {
    await this.query('DELETE FROM deliveries WHERE at < $1', [before]);
  }

  async recordDispatched(id: string, count: number): Promise<void> {
    await this.query(`UPDATE requests SET dispatched = GREATEST(dispatched, $2) WHERE id = $1 AND status = 'executing'`, [id, count]);
  }

  async owe(delivery: OwedDelivery, at: Date, nextAttemptAt: Date, error: string): Promise<void> {
    await this.inTransaction((client) =>
      client.query(
        'INSERT INTO owed_messages (delivery, created_at, next_attempt_at, attempts, last_error) VALUES ($1, $2, $3, 1, $4)',
        [JSON.stringify(delivery), at, nextAttemptAt, error],
      ),
    );
  }

  async claimOwed(at: Date, leaseUntil: Date, limit: number): Promise<OwedMessage[]> {
    // SKIP LOCKED: replicas sweeping together each take different messages instead of queueing.
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<OwedRow>(
        `UPDATE owed_messages SET next_attempt_at = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM owed_messages WHERE next_attempt_at <= $1 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [at, leaseUntil, limit],
      );
      return rows.map(toOwedMessage).sort((a, b) => a.id - b.id);
    });
  }

  async settleOwed(id: number): Promise<void> {
    await this.query('DELETE FROM owed_messages WHERE id = $1', [id]);
  }

  async deferOwed(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.query('UPDATE owed_messages SET next_attempt_at = $2, last_error = $3 WHERE id = $1', [id, nextAttemptAt, error]);
  }

  async claimUnannounced(dueBy: Date, leaseUntil: Date, limit: number): Promise<RequestRecord[]> {
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `UPDATE requests SET announce_after = $2
         WHERE id IN (SELECT id FROM requests WHERE announce_after <= $1 ORDER BY announce_after LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [dueBy, leaseUntil, limit],
      );
      return this.load(rows, client);
    });
  }

  async markAnnounced(id: string): Promise<void> {
    await this.query('UPDATE requests SET announce_after = NULL WHERE id = $1', [id]);
  }

  async claimReminders(operation: string, at: Date, nextAt: Date, limit: number): Promise<RequestRecord[]> {
    // SKIP LOCKED, as for owed messages: replicas sweeping together each take different requests;
    // one whose claim committed first has moved the due time past `at`, so no other takes it again.
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `UPDATE requests SET next_reminder_at = $3
         WHERE id IN (SELECT id FROM requests
           WHERE status = 'pending' AND operation = $1 AND next_reminder_at <= $2 AND expires_at > $2
           ORDER BY next_reminder_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [operation, at, nextAt, limit],
      );
      return this.load(rows, client);
    });
  }

  async claimEscalations(operation: string, madeBy: Date, at: Date, limit: number): Promise<RequestRecord[]> {
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `UPDATE requests SET escalated_at = $3
         WHERE id IN (SELECT id FROM requests
           WHERE status = 'pending' AND operation = $1 AND escalated_at IS NULL AND created_at <= $2 AND expires_at > $3
           ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [operation, madeBy, at, limit],
      );
      return this.load(rows, client);
    });
  }

  async ping(): Promise<void> {
    // Never retried: a probe reports what it finds.
    await explainTimeouts(() => this.pool.query('SELECT 1'), this.timeouts);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** One statement moves every matching request, so each is returned to exactly one caller, on any replica. */
  private async transitionWhere(
    name: TransitionName,
    condition: string,
    before: Date,
    at: Date,
    audit: AuditNote,
  ): Promise<RequestRecord[]> {
    const { from, to } = transitions[name];
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `UPDATE requests SET status = $1, finished_at = $4, announce_after = $5
         WHERE status = ANY($2) AND ${condition}
         RETURNING *`,
        [to, [...from], before, at, announceAfter(at)],
      );
      return this.recordChanges(client, rows, at, audit);
    });
  }

  /** The changed requests, each with its audit entry written in the transaction `client` holds. */
  private async recordChanges(client: PoolClient, rows: RequestRow[], at: Date, audit: AuditNote | undefined): Promise<RequestRecord[]> {
    const changed = await this.load(rows, client);
    if (audit) for (const request of changed) await insertAudit(client, requestAuditEntry(request, audit, at));
    return changed;
  }

  /**
   * Runs `work` in a transaction. Each of ours is all or nothing, so one whose connection dropped
   * before COMMIT left nothing behind and runs again on a fresh connection. One whose connection
   * was lost during COMMIT may have been saved: it fails with CommitOutcomeUnknownError and is
   * not run again. A database that does not answer fails it at once: waiting again would only
   * keep the user waiting longer.
   */
  private inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let committing = false;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        committing = true;
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        // On a sound connection (a constraint, a cancelled statement) ROLLBACK ends the
        // transaction; a lost or silent one is dropped instead, which ends it on the server.
        const soundConnection = !connectionDropped(error) && !unanswered(error);
        const rolledBack = soundConnection && (await client.query('ROLLBACK').then(() => true, () => false));
        client.release(!rolledBack);
        throw committing && !soundConnection ? new CommitOutcomeUnknownError(error) : error;
      }
    });
  }

  /**
   * One statement outside a transaction, run again when its connection dropped: only for
   * statements that may run twice (reads, and updates that set a value).
   */
  private query<R extends QueryResultRow>(text: string, values: unknown[]): Promise<QueryResult<R>> {
    return this.retrying(() => this.pool.query<R>(text, values));
  }

  /** Runs `step` again, at most twice, while it fails because its connection dropped. */
  private async retrying<T>(step: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry += 1) {
      try {
        return await explainTimeouts(step, this.timeouts);
      } catch (error) {
        if (!connectionDropped(error)) throw error;
        if (retry >= retryDelaysMs.length) throw new StoreUnavailableError('the connection to PostgreSQL kept dropping', { cause: error });
        this.logger?.warn('a database connection dropped; running the step again on a fresh connection', { retry: retry + 1, error });
        await delay(retryDelaysMs[retry]);
      }
    }
  }

  /** The requests of `rows` with their approvals, read in the transaction `client` holds if given. */
  private async load(rows: RequestRow[], client?: PoolClient): Promise<RequestRecord[]> {
    // Approvals are read only for requests that take any.
    if (!rows.some((row) => row.approvals_required > 0)) return rows.map((row) => toRequestRecord(row, []));
    const sql = 'SELECT request_id, user_id, at FROM approvals WHERE request_id = ANY($1) ORDER BY seq';
    const values = [rows.map((row) => row.id)];
    const { rows: approvals } = client ? await client.query<ApprovalRow>(sql, values) : await this.query<ApprovalRow>(sql, values);
    return rows.map((row) => toRequestRecord(row, approvals));
  }
}

async function insertAudit(client: PoolClient, entry: NewAuditEntry): Promise<AuditEntry> {
  const { rows } = await client.query<AuditRow>(
    `INSERT INTO audit (at, event, actor_id, operation, channel_id, request_id, targets, outcome, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      entry.at,
      entry.event,
      entry.actorId,
      entry.operation ?? null,
      entry.channelId ?? null,
      entry.requestId ?? null,
      JSON.stringify(entry.targets),
      entry.outcome ?? null,
      entry.detail ?? null,
    ],
  );
  return toAuditEntry(rows[0]);
}

/** SQLSTATEs of a connection that PostgreSQL ended or would not open: class 08, and the server shutting down or starting up. */
const droppedConnectionCodes = /^(08...|57P0[123])$/;
/** What pg says of a connection that went away, or of a client whose connection did. */
const droppedConnectionMessages = /^Connection terminated( unexpectedly)?$|is not queryable$/;
const droppedConnectionErrnos = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

/** Whether `error` is a connection that dropped or was refused (a failover, a terminated backend, a reset), not a statement's failure. */
function connectionDropped(error: unknown): boolean {
  if (error instanceof DatabaseError) return droppedConnectionCodes.test(error.code ?? '');
  const { code, message } = errorFields(error);
  return droppedConnectionErrnos.has(code) || droppedConnectionMessages.test(message);
}

/** What pg says when a statement got no answer within `query_timeout`. */
const queryReadTimeout = 'Query read timeout';
/** …and when no connection could be had within `connectionTimeoutMillis`: a client's, the pool's, or a pooled one. */
const connectTimeouts = ['timeout expired', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect'];

/** Whether `error` is PostgreSQL (or the way to it) not answering in time. */
function unanswered(error: unknown): boolean {
  const { message } = errorFields(error);
  return message === queryReadTimeout || connectTimeouts.includes(message);
}

/** An error's code and message, whatever made it (a socket's errors are not always `instanceof Error` here). */
function errorFields(error: unknown): { code: string; message: string } {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return { code: typeof code === 'string' ? code : '', message: typeof message === 'string' ? message : '' };
}

/** `step`, its failure to get an answer in time reported as a DatabaseTimeoutError saying how long it waited. */
async function explainTimeouts<T>(step: () => Promise<T>, timeouts: PostgresTimeouts): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!unanswered(error)) throw error;
    const waitedMs = errorFields(error).message === queryReadTimeout ? timeouts.statementMs + unansweredMarginMs : timeouts.connectMs;
    throw new DatabaseTimeoutError(waitedMs, error);
  }
}

/**
 * Applies every migration newer than the recorded version, each in its own transaction, under the
 * advisory lock, on a connection of its own: its timeouts leave room for slow migrations and for
 * waiting on another replica's, and closing it releases the lock.
 */
async function migrate(config: ClientConfig, migrations: readonly Migration[], schema?: string): Promise<void> {
  const client = new Client(config);
  // A dropped connection fails the statement under way; unheard, its 'error' would end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
    // Inside the lock too: CREATE SCHEMA IF NOT EXISTS is not safe against itself.
    const missing = schema ?? (await missingSearchPathSchema(client));
    if (missing) await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(missing)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`);
    const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    const current = rows[0].version ?? 0;
    for (const migration of migrations.filter((m) => m.version > current)) {
      // A migration that fails is rolled back when the connection closes.
      await client.query('BEGIN');
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [
        migration.version,
        migration.name,
      ]);
      await client.query('COMMIT');
    }
  } finally {
    await client.end();
  }
}

/**
 * The schema a URL's `search_path` (`?options=-c search_path=…`) names first, when none of the
 * path's schemas exists yet: the tables are meant to go there, so it is created rather than left
 * to fail with "no schema has been selected to create in".
 */
async function missingSearchPathSchema(client: Client): Promise<string | undefined> {
  const { rows } = await client.query<{ current: string | null; path: string }>(
    `SELECT current_schema() AS current, current_setting('search_path') AS path`,
  );
  if (rows[0].current !== null) return undefined;
  return searchPathSchemas(rows[0].path).find((name) => name !== '$user');
}

/** The schema names of a `search_path` setting, unquoted: `"$user", Ops, "my schema"` → `$user`, `ops`, `my schema`. */
export function searchPathSchemas(path: string): string[] {
  return [...path.matchAll(/\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)/g)]
    .map(([, quoted, plain]) => (quoted !== undefined ? quoted.replaceAll('""', '"') : plain.toLowerCase()))
    .filter((name) => name.length > 0);
}
