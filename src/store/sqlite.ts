import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Migration, sqliteMigrations } from './migrations';
import type { AuditEntry, AuditEvent, AuditQuery, NewAuditEntry, Store } from './store';

interface AuditRow {
  id: number;
  at: string;
  event: string;
  actor_id: string;
  operation: string | null;
  channel_id: string | null;
  request_id: string | null;
  targets: string;
  outcome: string | null;
  detail: string | null;
}

/** The embedded store: one SQLite file in WAL mode, for a single replica. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;

  constructor(file: string, migrations: readonly Migration[] = sqliteMigrations) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db, migrations);
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const result = this.db
      .prepare(
        `INSERT INTO audit (at, event, actor_id, operation, channel_id, request_id, targets, outcome, detail)
         VALUES (@at, @event, @actorId, @operation, @channelId, @requestId, @targets, @outcome, @detail)`,
      )
      .run({
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

  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit
         WHERE (@since IS NULL OR at >= @since) AND (@channelId IS NULL OR channel_id = @channelId)
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({
        since: query.since?.toISOString() ?? null,
        channelId: query.channelId ?? null,
        limit: query.limit ?? -1,
      }) as AuditRow[];
    return rows.map(toAuditEntry);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at),
    event: row.event as AuditEvent,
    actorId: row.actor_id,
    operation: row.operation ?? undefined,
    channelId: row.channel_id ?? undefined,
    requestId: row.request_id ?? undefined,
    targets: JSON.parse(row.targets) as string[],
    outcome: row.outcome ?? undefined,
    detail: row.detail ?? undefined,
  };
}

/** Applies every migration newer than the recorded version, each in its own transaction. */
function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = row.version ?? 0;
  for (const migration of migrations.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
}
