import Database from 'better-sqlite3';
import type { RequestStatus } from '../../src/model/request';

/**
 * Makes every write that moves a request into `status` fail in the bot's SQLite file, as a
 * failing or full disk would fail it, until the returned function is called.
 */
export function failWritesInto(file: string, status: RequestStatus): () => void {
  const trigger = `test_fail_into_${status}`;
  const db = new Database(file);
  try {
    db.exec(`CREATE TRIGGER ${trigger} BEFORE UPDATE OF status ON requests WHEN NEW.status = '${status}'
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected by the test)'); END;`);
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
