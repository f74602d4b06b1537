import Database from 'better-sqlite3';
import type { RequestStatus } from '../../src/model/request';

/**
 * Makes every write that moves a request into `status` fail in the bot's SQLite file, as a
 * failing or full disk would fail it, until the returned function is called.
 */
export function failWritesInto(file: string, status: RequestStatus): () => void {
  return withTrigger(file, `test_fail_into_${status}`, `BEFORE UPDATE OF status ON requests WHEN NEW.status = '${status}'`);
}

/** Adds a trigger that fails the writes `when` selects, as a failing or full disk would; the returned function drops it. */
function withTrigger(file: string, trigger: string, when: string): () => void {
  const db = new Database(file);
  try {
    db.exec(`CREATE TRIGGER ${trigger} ${when} BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected by the test)'); END;`);
  } finally {
    db.close();
  }
  return () => {
    const cure = new Database(file);
    try {
      cure.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
    } finally {
      cure.close();
    }
  };
}

/** Makes every insert into `table` of the bot's SQLite file fail, until the returned function is called. */
export function failInsertsInto(file: string, table: string): () => void {
  return withTrigger(file, `test_fail_insert_${table}`, `BEFORE INSERT ON ${table}`);
}
