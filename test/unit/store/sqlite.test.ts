import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../../src/store/sqlite';

describe('SQLite store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('appends audit entries and lists them newest first, filtered', async () => {
    const store = new SqliteStore(path.join(dir, 'nested', 'twokey.db'));
    const at = new Date('2026-11-23T10:00:00Z');
    await store.appendAudit({ at, event: 'refused', actorId: 'U1', operation: 'revoke-access', channelId: 'C1', targets: ['a'], outcome: 'no_role' });
    await store.appendAudit({ at: new Date('2026-11-23T11:00:00Z'), event: 'executed', actorId: 'U2', channelId: 'C2', requestId: 'R-ABCDEF', targets: ['b', 'c'], outcome: 'succeeded' });
    const all = await store.listAudit();
    expect(all.map((entry) => entry.event)).toEqual(['executed', 'refused']);
    expect(all[0]).toMatchObject({ actorId: 'U2', requestId: 'R-ABCDEF', targets: ['b', 'c'], outcome: 'succeeded' });
    expect(all[0].at.toISOString()).toBe('2026-11-23T11:00:00.000Z');
    expect(await store.listAudit({ channelId: 'C1' })).toHaveLength(1);
    expect(await store.listAudit({ since: new Date('2026-11-23T10:30:00Z') })).toHaveLength(1);
    expect(await store.listAudit({ limit: 1 })).toHaveLength(1);
    await store.close();
  });

  test('the audit log refuses updates and deletes', async () => {
    const file = path.join(dir, 'twokey.db');
    const store = new SqliteStore(file);
    await store.appendAudit({ at: new Date(), event: 'refused', actorId: 'U1', targets: [] });
    await store.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE audit SET actor_id = 'U2'").run()).toThrow('append-only');
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow('append-only');
    db.close();
  });

  test('migrations run once, are recorded, and the file uses WAL', async () => {
    const file = path.join(dir, 'twokey.db');
    await new SqliteStore(file).close();
    const reopened = new SqliteStore(file);
    await reopened.appendAudit({ at: new Date(), event: 'refused', actorId: 'U1', targets: [] });
    await reopened.close();
    const db = new Database(file);
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
