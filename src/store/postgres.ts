import { Pool, type PoolClient, type PoolConfig } from 'pg';
import {
  finishedStatuses,
  guardsOf,
  type NewRequest,
  type RequestRecord,
  type TransitionGuard,
  type TransitionName,
  transitions,
} from '../model/request';
import { type Migration, postgresMigrations } from './migrations';
import { type ApprovalRow, type AuditRow, type RequestRow, toAuditEntry, toRequestRecord } from './rows';
import { type AuditEntry, type AuditNote, type NewAuditEntry, requestAuditEntry } from '../model/audit';
import type { MessageRef } from '../model/message';
import type { ApprovalInsert, AuditQuery, RequestQuery, Store, TransitionOptions } from '../model/ports';

/** A pooled client or the pool itself: whatever runs the statements of the moment. */
type Queryable = Pick<Pool, 'query'>;

// Any fixed number: every replica takes this advisory lock to migrate, one at a time.
const migrationLock = 7_263_541;

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
}

/** The shared store for several replicas: PostgreSQL through a connection pool. */
export class PostgresStore implements Store {
  private constructor(private readonly pool: Pool) {}

  /** Connects, then migrates under an advisory lock so that replicas starting together take turns. */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const config: PoolConfig = { connectionString: url, max: options.maxConnections ?? 10 };
    if (options.schema) {
      if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`not a plain schema name: ${options.schema}`);
      config.options = `-c search_path=${options.schema}`;
    }
    const pool = new Pool(config);
    // An idle client's connection error must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migrate(client, postgresMigrations, options.schema);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool);
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return insertAudit(this.pool, entry);
  }
  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT * FROM audit
       WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::text IS NULL OR channel_id = $2)
       ORDER BY id DESC LIMIT $3`,
      [query.since ?? null, query.channelId ?? null, query.limit ?? null],
    );
    return rows.map(toAuditEntry);
  }

  async createRequest(request: NewRequest, audit: AuditNote): Promise<RequestRecord> {
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<RequestRow>(
        `INSERT INTO requests (id, operation, requester_id, channel_id, parent_id, target_ids, reason,
           approvals_required, status, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
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
        ],
      );
      // A new request has no approvals yet.
      const created = toRequestRecord(rows[0], []);
      await insertAudit(client, requestAuditEntry(created, audit, request.createdAt));
      return created;
    });
  }

  async getRequest(id: string): Promise<RequestRecord | undefined> {
    const { rows } = await this.pool.query<RequestRow>('SELECT * FROM requests WHERE id = $1', [id]);
    return (await this.load(rows))[0];
  }

  async listRequests(query: RequestQuery = {}): Promise<RequestRecord[]> {
    const { rows } = await this.pool.query<RequestRow>(
      `SELECT * FROM requests
       WHERE ($1::text IS NULL OR channel_id = $1) AND ($2::text[] IS NULL OR status = ANY($2))
       ORDER BY created_at DESC, id LIMIT $3`,
      [query.channelId ?? null, query.statuses ? [...query.statuses] : null, query.limit ?? null],
    );
    return this.load(rows);
  }

  async attachCard(id: string, card: MessageRef): Promise<void> {
    await this.pool.query('UPDATE requests SET card_channel_id = $2, card_ts = $3 WHERE id = $1', [id, card.channelId, card.messageId]);
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
    const { rowCount } = await this.pool.query('SELECT 1 FROM approvals WHERE request_id = $1 AND user_id = $2', [id, userId]);
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
           results = COALESCE($5::jsonb, results),
           started_at = CASE WHEN $2 = 'executing' THEN $3 ELSE started_at END,
           finished_at = CASE WHEN $6 THEN $3 ELSE finished_at END
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
        ],
      );
      return (await this.recordChanges(client, rows, options.at, options.audit))[0];
    });
  }

  async expireDue(at: Date, audit: AuditNote): Promise<RequestRecord[]> {
    return this.transitionWhere('expire', 'expires_at <= $3', at, at, audit);
  }

  async loseInterrupted(startedBefore: Date, at: Date, audit: AuditNote): Promise<RequestRecord[]> {
    return this.transitionWhere('lose', 'started_at < $3', startedBefore, at, audit);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
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
        `UPDATE requests SET status = $1, finished_at = $4
         WHERE status = ANY($2) AND ${condition}
         RETURNING *`,
        [to, [...from], before, at],
      );
      return this.recordChanges(client, rows, at, audit);
    });
  }

  /** The changed requests, each with its audit entry written in the transaction `client` holds. */
  private async recordChanges(client: Queryable, rows: RequestRow[], at: Date, audit: AuditNote | undefined): Promise<RequestRecord[]> {
    const changed = await this.load(rows, client);
    if (audit) for (const request of changed) await insertAudit(client, requestAuditEntry(request, audit, at));
    return changed;
  }

  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  private async load(rows: RequestRow[], client: Queryable = this.pool): Promise<RequestRecord[]> {
    // Approvals are read only for requests that take any.
    if (!rows.some((row) => row.approvals_required > 0)) return rows.map((row) => toRequestRecord(row, []));
    const { rows: approvals } = await client.query<ApprovalRow>(
      'SELECT request_id, user_id, at FROM approvals WHERE request_id = ANY($1) ORDER BY seq',
      [rows.map((row) => row.id)],
    );
    return rows.map((row) => toRequestRecord(row, approvals));
  }
}

async function insertAudit(client: Queryable, entry: NewAuditEntry): Promise<AuditEntry> {
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

/** Applies every migration newer than the recorded version, each in its own transaction, under the advisory lock. */
async function migrate(client: PoolClient, migrations: readonly Migration[], schema?: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
  try {
    // Inside the lock too: CREATE SCHEMA IF NOT EXISTS is not safe against itself.
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`);
    const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    const current = rows[0].version ?? 0;
    for (const migration of migrations.filter((m) => m.version > current)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLock]);
  }
}
