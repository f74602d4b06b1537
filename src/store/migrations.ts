/** Versioned schema changes, applied in order at start-up; never edit one that has shipped. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'append-only audit log',
    sql: `
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        operation TEXT,
        channel_id TEXT,
        request_id TEXT,
        targets TEXT NOT NULL,
        outcome TEXT,
        detail TEXT
      );
      CREATE INDEX audit_at ON audit (at);
      CREATE INDEX audit_request ON audit (request_id);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'requests and approvals',
    sql: `
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        requester_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        parent_id TEXT,
        target_ids TEXT NOT NULL,
        reason TEXT NOT NULL,
        approvals_required INTEGER NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        card_channel_id TEXT,
        card_ts TEXT,
        closed_by TEXT,
        started_at TEXT,
        finished_at TEXT,
        results TEXT
      );
      CREATE INDEX requests_status_expiry ON requests (status, expires_at);
      CREATE INDEX requests_channel ON requests (channel_id, status);
      CREATE TABLE approvals (
        request_id TEXT NOT NULL REFERENCES requests (id),
        user_id TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (request_id, user_id)
      );
    `,
  },
  {
    version: 3,
    name: 'when a request was approved, and why one was closed',
    sql: `
      ALTER TABLE requests ADD COLUMN approved_at TEXT;
      ALTER TABLE requests ADD COLUMN closed_reason TEXT;
      CREATE INDEX requests_approved ON requests (status, approved_at);
    `,
  },
  {
    version: 4,
    name: 'deliveries seen',
    sql: `
      CREATE TABLE deliveries (id TEXT PRIMARY KEY, at TEXT NOT NULL);
      CREATE INDEX deliveries_at ON deliveries (at);
    `,
  },
  {
    version: 5,
    name: 'messages owed',
    sql: `
      CREATE TABLE owed_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery TEXT NOT NULL,
        created_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT
      );
      CREATE INDEX owed_messages_due ON owed_messages (next_attempt_at);
    `,
  },
  {
    version: 6,
    name: 'how far an execution got',
    sql: `ALTER TABLE requests ADD COLUMN dispatched INTEGER;`,
  },
  {
    version: 7,
    name: 'finished requests not yet announced',
    // Requests finished before this migration were announced, or their messages are owed.
    sql: `
      ALTER TABLE requests ADD COLUMN announce_after TEXT;
      CREATE INDEX requests_unannounced ON requests (announce_after) WHERE announce_after IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'reminders and escalation of waiting requests',
    sql: `
      ALTER TABLE requests ADD COLUMN next_reminder_at TEXT;
      ALTER TABLE requests ADD COLUMN escalated_at TEXT;
      CREATE INDEX requests_reminder ON requests (next_reminder_at) WHERE status = 'pending';
    `,
  },
  {
    version: 9,
    name: 'break-glass uses and their review',
    // SQLite has no boolean: 1 marks a break-glass use.
    sql: `
      ALTER TABLE requests ADD COLUMN break_glass INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE requests ADD COLUMN reviewed_by TEXT;
      ALTER TABLE requests ADD COLUMN reviewed_at TEXT;
      CREATE INDEX requests_awaiting_review ON requests (created_at) WHERE break_glass AND reviewed_at IS NULL;
    `,
  },
];

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'append-only audit log',
    sql: `
      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL,
        event TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        operation TEXT,
        channel_id TEXT,
        request_id TEXT,
        targets JSONB NOT NULL,
        outcome TEXT,
        detail TEXT
      );
      CREATE INDEX audit_at ON audit (at);
      CREATE INDEX audit_request ON audit (request_id);
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
      CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    `,
  },
  {
    version: 2,
    name: 'requests and approvals',
    sql: `
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        requester_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        parent_id TEXT,
        target_ids JSONB NOT NULL,
        reason TEXT NOT NULL,
        approvals_required INTEGER NOT NULL,
        status TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        card_channel_id TEXT,
        card_ts TEXT,
        closed_by TEXT,
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        results JSONB
      );
      CREATE INDEX requests_status_expiry ON requests (status, expires_at);
      CREATE INDEX requests_channel ON requests (channel_id, status);
      CREATE TABLE approvals (
        seq BIGSERIAL,
        request_id TEXT NOT NULL REFERENCES requests (id),
        user_id TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (request_id, user_id)
      );
    `,
  },
  {
    version: 3,
    name: 'when a request was approved, and why one was closed',
    sql: `
      ALTER TABLE requests ADD COLUMN approved_at TIMESTAMPTZ;
      ALTER TABLE requests ADD COLUMN closed_reason TEXT;
      CREATE INDEX requests_approved ON requests (status, approved_at);
    `,
  },
  {
    version: 4,
    name: 'deliveries seen',
    sql: `
      CREATE TABLE deliveries (id TEXT PRIMARY KEY, at TIMESTAMPTZ NOT NULL);
      CREATE INDEX deliveries_at ON deliveries (at);
    `,
  },
  {
    version: 5,
    name: 'messages owed',
    sql: `
      CREATE TABLE owed_messages (
        id BIGSERIAL PRIMARY KEY,
        delivery JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        next_attempt_at TIMESTAMPTZ NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT
      );
      CREATE INDEX owed_messages_due ON owed_messages (next_attempt_at);
    `,
  },
  {
    version: 6,
    name: 'how far an execution got',
    sql: `ALTER TABLE requests ADD COLUMN dispatched INTEGER;`,
  },
  {
    version: 7,
    name: 'finished requests not yet announced',
    // Requests finished before this migration were announced, or their messages are owed.
    sql: `
      ALTER TABLE requests ADD COLUMN announce_after TIMESTAMPTZ;
      CREATE INDEX requests_unannounced ON requests (announce_after) WHERE announce_after IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'reminders and escalation of waiting requests',
    sql: `
      ALTER TABLE requests ADD COLUMN next_reminder_at TIMESTAMPTZ;
      ALTER TABLE requests ADD COLUMN escalated_at TIMESTAMPTZ;
      CREATE INDEX requests_reminder ON requests (next_reminder_at) WHERE status = 'pending';
    `,
  },
  {
    version: 9,
    name: 'break-glass uses and their review',
    sql: `
      ALTER TABLE requests ADD COLUMN break_glass BOOLEAN NOT NULL DEFAULT false;
      ALTER TABLE requests ADD COLUMN reviewed_by TEXT;
      ALTER TABLE requests ADD COLUMN reviewed_at TIMESTAMPTZ;
      CREATE INDEX requests_awaiting_review ON requests (created_at) WHERE break_glass AND reviewed_at IS NULL;
    `,
  },
];
