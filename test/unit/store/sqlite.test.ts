import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteMigrations } from '../../../src/store/migrations';
import { DatabaseInUseError } from '../../../src/store/file-lock';
import { SqliteStore } from '../../../src/store/sqlite';
import type { NewAuditEntry } from '../../../src/model/audit';
import { waitFor } from '../../support/wait';
import { describeStore } from './store-suite';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-store-'));
}

describeStore('SqliteStore', async () => {
  const dir = tempDir();
  const store = new SqliteStore(path.join(dir, 'twokey.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore, what only SQLite has', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const entry: NewAuditEntry = { at: new Date('2026-11-23T10:00:00Z'), event: 'refused', actorId: 'U1', targets: [] };

  test('creates the directory of its file', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'twokey.db');
    await new SqliteStore(file).close();
    expect(fs.existsSync(file)).toBe(true);
  });

  test('the audit log refuses updates and deletes, even on a raw connection', async () => {
    const file = path.join(dir, 'twokey.db');
    const store = new SqliteStore(file);
    await store.appendAudit(entry);
    await store.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE audit SET actor_id = 'U2'").run()).toThrow('append-only');
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow('append-only');
    expect(db.prepare('SELECT actor_id FROM audit').all()).toEqual([{ actor_id: 'U1' }]);
    db.close();
  });

  describe('checkpoints in the background', () => {
    const fileSize = (file: string) => fs.statSync(file).size;
    const detail = 'x'.repeat(2000);

    test('writes leave the log alone however long it grows; the thread copies it in; close stops the thread', async () => {
      const file = path.join(dir, 'twokey.db');
      // Long enough that the thread does not run during the writes.
      const store = new SqliteStore(file, { checkpointEveryMs: 60_000 });
      const before = fileSize(file);
      // Well past the 1,000 pages at which a write would checkpoint the log itself.
      for (let i = 0; i < 2500; i += 1) await store.appendAudit({ ...entry, detail });
      expect(fileSize(`${file}-wal`)).toBeGreaterThan(5 * 1000 * 4096);
      expect(fileSize(file)).toBe(before);
      await store.close();

      const reopened = new SqliteStore(file);
      expect(await reopened.listAudit({ limit: 3000 })).toHaveLength(2500);
      await reopened.close();
    });

    test('the thread copies the log into the database file while the store is idle', async () => {
      const file = path.join(dir, 'twokey.db');
      const store = new SqliteStore(file, { checkpointEveryMs: 20 });
      const before = fileSize(file);
      for (let i = 0; i < 50; i += 1) await store.appendAudit({ ...entry, detail });
      await waitFor(() => fileSize(file) > before + 50 * 2000, { description: 'the database file to take in the log' });
      await store.close();
    });
  });

  test('held exclusively, the file is refused to a second exclusive opener, who is told who holds it; readers may open it', async () => {
    const file = path.join(dir, 'twokey.db');
    const holder = new SqliteStore(file, { exclusive: true });
    await holder.appendAudit(entry);

    expect(() => new SqliteStore(file, { exclusive: true })).toThrow(DatabaseInUseError);
    expect(() => new SqliteStore(file, { exclusive: true })).toThrow(
      new RegExp(`^another twokey process \\(pid ${process.pid} on .+, since \\d{4}-.+\\) is using ${file}; `),
    );
    const reader = new SqliteStore(file);
    expect(await reader.listAudit()).toHaveLength(1);
    await reader.close();

    // Closing lets go: the next exclusive opener gets the file, and what was written.
    await holder.close();
    const next = new SqliteStore(file, { exclusive: true });
    expect(await next.listAudit()).toHaveLength(1);
    await next.close();
  });

  test('migrations run once each, are recorded, keep data across reopening, and the file uses WAL', async () => {
    const file = path.join(dir, 'twokey.db');
    const first = new SqliteStore(file);
    await first.appendAudit(entry);
    await first.close();
    const reopened = new SqliteStore(file);
    expect(await reopened.listAudit()).toHaveLength(1);
    await reopened.close();

    const db = new Database(file);
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual(
      sqliteMigrations.map(({ version, name }) => ({ version, name })),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
