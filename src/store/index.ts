import type { Store } from '../model/ports';
import type { PostgresStoreOptions } from './postgres';
import { SqliteStore, type SqliteStoreOptions } from './sqlite';
import type { DatabaseConfig } from './url';

export type StoreOptions = Pick<SqliteStoreOptions, 'checkpointEveryMs' | 'exclusive'> & Pick<PostgresStoreOptions, 'timeouts' | 'logger'>;

/** Opens the store that DATABASE_URL names, with the options that apply to its kind. */
export async function openStore(database: DatabaseConfig, options: StoreOptions = {}): Promise<Store> {
  const { checkpointEveryMs, exclusive, timeouts, logger } = options;
  if (database.kind === 'sqlite') return new SqliteStore(database.path, { checkpointEveryMs, exclusive });
  // Loaded only when asked for: most installations never need the PostgreSQL driver.
  const { PostgresStore } = await import('./postgres');
  return PostgresStore.connect(database.url, { timeouts, logger });
}

export { type DatabaseConfig, parseDatabaseUrl } from './url';
