import type { Store } from '../model/ports';
import { SqliteStore, type SqliteStoreOptions } from './sqlite';
import type { DatabaseConfig } from './url';

/** Opens the store that DATABASE_URL names; the options apply to SQLite. */
export async function openStore(database: DatabaseConfig, options: Pick<SqliteStoreOptions, 'checkpointEveryMs'> = {}): Promise<Store> {
  if (database.kind === 'sqlite') return new SqliteStore(database.path, options);
  // Loaded only when asked for: most installations never need the PostgreSQL driver.
  const { PostgresStore } = await import('./postgres');
  return PostgresStore.connect(database.url);
}

export { type DatabaseConfig, parseDatabaseUrl } from './url';
