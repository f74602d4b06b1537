import { PostgresStore, searchPathSchemas } from '../../../src/store/postgres';
import { postgresMigrations } from '../../../src/store/migrations';
import { dropSchema, schemaName, schemaUrl, testDatabaseUrl, withAdmin as admin } from '../../support/postgres';
import { describeStore } from './store-suite';

/**
 * The store suite against PostgreSQL, at TEST_DATABASE_URL (CI sets
 * postgres://postgres@127.0.0.1:5432/test). Each store gets a schema of its own, dropped after.
 */
const url = testDatabaseUrl;

if (!url) {
  // Reported as skipped, with why, rather than passing silently.
  test.skip('PostgreSQL store suite (skipped: TEST_DATABASE_URL is not set; e.g. postgres://postgres@127.0.0.1:5432/test)', () => undefined);
} else {
  describeStore('PostgresStore', async () => {
    const schema = schemaName();
    const store = await PostgresStore.connect(url, { schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });

  describe('PostgresStore, what only PostgreSQL has', () => {
    let schema: string;
    beforeEach(() => {
      schema = schemaName();
    });
    afterEach(() => dropSchema(schema));

    test('replicas starting together migrate once, taking turns under the advisory lock', async () => {
      const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.connect(url, { schema })));
      await Promise.all(stores.map((store) => store.close()));
      const { rows } = await admin((client) => client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`));
      expect(rows).toEqual(postgresMigrations.map(({ version }) => ({ version })));
    });

    test('the audit log refuses updates and deletes', async () => {
      const store = await PostgresStore.connect(url, { schema });
      await store.appendAudit({ at: new Date(), event: 'refused', actorId: 'U1', targets: [] });
      await store.close();
      await admin(async (client) => {
        await expect(client.query(`UPDATE ${schema}.audit SET actor_id = 'U2'`)).rejects.toThrow('append-only');
        await expect(client.query(`DELETE FROM ${schema}.audit`)).rejects.toThrow('append-only');
      });
    });

    test('a schema named by the URL\'s search_path is created when missing, and the tables go there', async () => {
      const store = await PostgresStore.connect(schemaUrl(schema));
      await store.appendAudit({ at: new Date(), event: 'refused', actorId: 'U1', targets: [] });
      await store.close();
      const { rows } = await admin((client) => client.query(`SELECT count(*)::int AS entries FROM ${schema}.audit`));
      expect(rows).toEqual([{ entries: 1 }]);
    });

    test('search_path settings are read as PostgreSQL reads them', () => {
      expect(searchPathSchemas('"$user", public')).toEqual(['$user', 'public']);
      expect(searchPathSchemas('Ops,"My ""odd"" schema" , x')).toEqual(['ops', 'My "odd" schema', 'x']);
      expect(searchPathSchemas('')).toEqual([]);
    });

    test('an unreachable database is a clear start-up error', async () => {
      await expect(PostgresStore.connect('postgres://postgres@127.0.0.1:1/test')).rejects.toThrow(/ECONNREFUSED/);
    });
  });
}
