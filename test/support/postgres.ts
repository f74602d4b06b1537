/**
 * The PostgreSQL that TEST_DATABASE_URL names (CI sets postgres://postgres@127.0.0.1:5432/test):
 * a schema of its own for each test, and its connections ended as a failover or an admin's
 * `pg_terminate_backend` ends them. A schema's URL also names the schema as its connections'
 * `application_name`, which is how its backends are found: PostgreSQL shows no session's
 * search_path to another.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

function requireUrl(): string {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  return testDatabaseUrl;
}

/** Runs `work` on a connection of its own to the test database, closed after. */
export async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: requireUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh schema name, `<prefix>_<12 hex digits>`. */
export function schemaName(prefix = 'twokey_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function createSchema(schema: string): Promise<void> {
  await withAdmin((client) => client.query(`CREATE SCHEMA ${schema}`));
}

export async function dropSchema(schema: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** The test database's URL with its tables in `schema`, and `schema` as its connections' application_name. */
export function schemaUrl(schema: string, url: string = requireUrl()): string {
  const target = new URL(url);
  target.searchParams.set('options', `-c search_path=${schema}`);
  target.searchParams.set('application_name', schema);
  return target.toString();
}

/** Ends every backend of `applicationName` (a schema's, through schemaUrl), as a failover would; resolves with how many. */
export async function terminateBackends(applicationName: string): Promise<number> {
  const { rows } = await withAdmin((client) =>
    client.query<{ ended: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [applicationName],
    ),
  );
  return rows.filter((row) => row.ended).length;
}

/** The backends of `applicationName` open now. */
export async function backendCount(applicationName: string): Promise<number> {
  const { rows } = await withAdmin((client) =>
    client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]),
  );
  return rows[0].n;
}
