import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * One process per SQLite file. Two bots on one file (a rolling restart that starts the new one
 * before the old one has stopped) would both sweep, run and report the same requests, and post
 * contradictory outcomes.
 *
 * The lock is a write transaction held open on a small SQLite database beside the file,
 * `<file>-lock`. SQLite's locks are the kernel's (POSIX advisory locks): they go with the process
 * however it ends, so a crash leaves no stale lock, and the file may stay. Readers of the
 * database itself (`npm run audit`) are not affected. The holder writes who it is there before
 * taking the lock for good, so that a process refused can say who holds it.
 */

/** Another process holds the file. */
export class DatabaseInUseError extends Error {
  constructor(file: string, owner: string | undefined) {
    super(
      `another twokey process${owner ? ` (${owner})` : ''} is using ${file}; stop it before starting this one. ` +
        'One SQLite file serves one process: to run several replicas, give them a PostgreSQL DATABASE_URL.',
    );
    this.name = 'DatabaseInUseError';
  }
}

export interface FileLock {
  release(): void;
}

/** Takes the lock on `file` for this process until `release()` or its end; throws DatabaseInUseError when another holds it. */
export function lockDatabaseFile(file: string): FileLock {
  const absolute = path.resolve(file);
  // No waiting: a holder keeps the lock for as long as it runs.
  const db = new Database(`${absolute}-lock`, { timeout: 0 });
  // Who holds the lock is a courtesy that need not survive a power cut, and syncing it to disk
  // would cost every start 10-20 ms.
  db.pragma('synchronous = OFF');
  try {
    take(db, absolute);
    db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
    db.exec('DELETE FROM owner');
    db.prepare('INSERT INTO owner (pid, host, since) VALUES (?, ?, ?)').run(process.pid, os.hostname(), new Date().toISOString());
    db.exec('COMMIT');
    // Between the two, another process may have taken it: then that one holds it, and this one is refused.
    take(db, absolute);
  } catch (error) {
    db.close();
    throw error;
  }
  return { release: () => db.close() };
}

/** Begins the write transaction that is the lock; SQLite refuses it (SQLITE_BUSY) while another connection holds one. */
function take(db: Database.Database, file: string): void {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseInUseError(file, owner(db));
    throw error;
  }
}

/** Who holds the lock, as its holder wrote it; undefined when that cannot be read (it is being written). */
function owner(db: Database.Database): string | undefined {
  try {
    const row = db.prepare('SELECT pid, host, since FROM owner').get() as { pid: number; host: string; since: string } | undefined;
    return row && `pid ${row.pid} on ${row.host}, since ${row.since}`;
  } catch {
    return undefined;
  }
}
