/**
 * PostgresStore when PostgreSQL fails under it, caused for real: backends terminated with
 * pg_terminate_backend (what a failover does), connections reset, and a database that accepts
 * connections but never answers (a paused TCP proxy). Needs TEST_DATABASE_URL.
 */
import type { NewRequest } from '../../../src/model/request';
import { CommitOutcomeUnknownError, DatabaseTimeoutError, PostgresStore, type PostgresStoreOptions } from '../../../src/store/postgres';
import { createLogger } from '../../../src/lib/logger';
import { backendCount, createSchema, dropSchema, schemaName, schemaUrl, terminateBackends, testDatabaseUrl } from '../../support/postgres';
import { TcpProxy } from '../../support/tcp-proxy';
import { waitFor } from '../../support/wait';

function newRequest(id: string): NewRequest {
  const createdAt = new Date();
  return {
    id,
    operation: 'revoke-access',
    requesterId: 'U0ONCALL1',
    channelId: 'C0INCIDENT1',
    parentId: 'site-1',
    targetIds: ['session-1'],
    reason: 'drill',
    approvalsRequired: 0,
    status: 'approved',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 60_000),
  };
}

const requested = { event: 'requested', actorId: 'U0ONCALL1' } as const;

const describeWithPostgres = testDatabaseUrl ? describe : describe.skip;
// Without TEST_DATABASE_URL these are reported as skipped (CI sets it), never passed silently.
describeWithPostgres('PostgresStore under database faults', () => {
  let schema: string;
  let proxy: TcpProxy;
  let logs: string[];
  const stores: PostgresStore[] = [];

  /** A store whose connections go through the proxy, named after the schema in pg_stat_activity. */
  async function connect(options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
    const store = await PostgresStore.connect(proxy.proxiedUrl(schemaUrl(schema)), { logger, ...options });
    stores.push(store);
    return store;
  }

  /** Ends the store's connections while the proxy holds what it sent last, then lets it all through. */
  async function terminateWhileHeld(): Promise<void> {
    await waitFor(() => proxy.heldBytes > 0, { description: 'a statement held by the paused proxy' });
    expect(await terminateBackends(schema)).toBeGreaterThan(0);
    await waitFor(async () => (await backendCount(schema)) === 0, { description: 'the backends to end' });
    proxy.resume();
  }

  beforeEach(async () => {
    schema = schemaName();
    logs = [];
    await createSchema(schema);
    proxy = await TcpProxy.forUrl(testDatabaseUrl!);
  });

  afterEach(async () => {
    proxy.resume();
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await proxy.close();
    await dropSchema(schema);
  });

  test('a backend terminated under a transaction: the transaction runs again on a fresh connection, once', async () => {
    const store = await connect();
    await store.appendAudit({ at: new Date(), event: 'refused', actorId: 'U1', targets: [] });
    proxy.pause();
    const creating = store.createRequest(newRequest('R-TERM01'), requested);
    await terminateWhileHeld();

    expect(await creating).toMatchObject({ id: 'R-TERM01', status: 'approved' });
    expect(await store.getRequest('R-TERM01')).toMatchObject({ id: 'R-TERM01' });
    expect((await store.listAudit()).filter((entry) => entry.event === 'requested')).toHaveLength(1);
    expect(logs.some((line) => line.includes('a database connection dropped'))).toBe(true);
  });

  test('a read whose connection is reset runs again and answers', async () => {
    const store = await connect();
    await store.createRequest(newRequest('R-RESET1'), requested);
    proxy.pause();
    const reading = store.getRequest('R-RESET1');
    await waitFor(() => proxy.heldBytes > 0, { description: 'the read held by the paused proxy' });
    proxy.resetAll();
    proxy.resume();
    expect(await reading).toMatchObject({ id: 'R-RESET1' });
  });

  test('a connection lost during COMMIT is not run again: the error says the outcome is unknown', async () => {
    const store = await connect();
    await store.appendAudit({ at: new Date(), event: 'refused', actorId: 'U1', targets: [] });
    proxy.pauseOn('COMMIT');
    const creating = store.createRequest(newRequest('R-LOST01'), requested);
    const failed = expect(creating).rejects.toThrow(CommitOutcomeUnknownError);
    await terminateWhileHeld();
    await failed;
    await expect(creating).rejects.toThrow('the change may or may not have been saved');
    // This COMMIT never reached the server (the proxy held it), so nothing was saved, and nothing ran twice.
    expect(await store.getRequest('R-LOST01')).toBeUndefined();
    expect(logs.some((line) => line.includes('a database connection dropped'))).toBe(false);
  });

  test('a database that never answers fails each call within its bounds, and serves again once it answers', async () => {
    const store = await connect({ timeouts: { connectMs: 300, statementMs: 300 }, maxConnections: 1 });
    await store.createRequest(newRequest('R-HANG01'), requested);
    proxy.pause();

    const started = Date.now();
    // The read waits for its answer (statement_timeout, plus a second for a live server to cancel it
    // itself); the transaction behind it waits for the only connection, and gives up first.
    const reading = store.getRequest('R-HANG01').catch((error: unknown) => ({ error, ms: Date.now() - started }));
    const writing = store.appendAudit({ at: new Date(), event: 'refused', actorId: 'U1', targets: [] }).catch((error: unknown) => ({
      error,
      ms: Date.now() - started,
    }));
    const [read, write] = await Promise.all([reading, writing]);
    expect(read).toMatchObject({ error: expect.any(DatabaseTimeoutError) });
    expect(String((read as { error: unknown }).error)).toContain('PostgreSQL did not answer within 1300 ms');
    expect(write).toMatchObject({ error: expect.any(DatabaseTimeoutError) });
    expect(String((write as { error: unknown }).error)).toContain('PostgreSQL did not answer within 300 ms');
    expect((write as { ms: number }).ms).toBeLessThan((read as { ms: number }).ms);

    proxy.resume();
    expect(await store.getRequest('R-HANG01')).toMatchObject({ id: 'R-HANG01' });
  });

  test('connecting to a database that never answers fails within the connect timeout', async () => {
    proxy.pause();
    await expect(connect({ timeouts: { connectMs: 300 } })).rejects.toThrow('PostgreSQL did not answer within 300 ms');
  });
});
