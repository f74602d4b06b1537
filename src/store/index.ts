import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';
import type { Store } from './store';

export type DatabaseSetting = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Opens the store that DATABASE_URL names. */
export async function openStore(database: DatabaseSetting): Promise<Store> {
  if (database.kind === 'sqlite') return new SqliteStore(database.path);
  return PostgresStore.connect(database.url);
}

export type { Store } from './store';
export * from './store';
