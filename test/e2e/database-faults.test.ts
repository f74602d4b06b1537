/**
 * The bot on PostgreSQL when the database fails under it, caused for real: its backends
 * terminated (what a failover does) and a database that accepts connections but never answers
 * (a paused TCP proxy between the bot and PostgreSQL). Needs TEST_DATABASE_URL.
 */
import { Harness, ids, incidentChannel, messageText } from '../support/harness';
import { createSchema, dropSchema, schemaName, schemaUrl, terminateBackends, testDatabaseUrl } from '../support/postgres';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

const describeWithPostgres = testDatabaseUrl ? describe : describe.skip;
// Without TEST_DATABASE_URL these are reported as skipped (CI sets it), never passed silently.
describeWithPostgres('the bot on PostgreSQL under database faults', () => {
  let schema: string;
  let proxy: TcpProxy;
  let harness: Harness;

  beforeEach(async () => {
    schema = schemaName('twokey_faults');
    await createSchema(schema);
    proxy = await TcpProxy.forUrl(testDatabaseUrl!);
    harness = await Harness.start({
      env: { DATABASE_URL: proxy.proxiedUrl(schemaUrl(schema)) },
      // Short bounds keep the test short; no sweeps, so that the only statements are the test's.
      bot: { databaseTimeouts: { connectMs: 1_000, statementMs: 1_000 }, sweepIntervalMs: 600_000 },
    });
  });

  afterEach(async () => {
    proxy.resume();
    await harness.stop();
    await proxy.close();
    await dropSchema(schema);
  });

  /** Runs a revocation and resolves with its result in the channel. */
  async function revoke(session: number, reason: string) {
    await harness.command('/revoke-access', `${ids.site} ${ids.session(session)} ${reason}`);
    return harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(session)));
  }

  const readyz = () => fetch(`http://127.0.0.1:${harness.bot.port}/readyz`, { signal: AbortSignal.timeout(5_000) });

  test('connections terminated under a command: the command runs again on a fresh connection, and the bot goes on', async () => {
    expect(messageText(await revoke(1, 'warm-up'))).toContain('done for 1 session');

    // The command's first statement is held on its way, its backend ends, then the answer comes: the end.
    proxy.pause();
    await harness.command('/revoke-access', `${ids.site} ${ids.session(2)} during a failover`);
    await waitFor(() => proxy.heldBytes > 0, { description: "the command's first statement at the paused proxy" });
    expect(await terminateBackends(schema)).toBeGreaterThan(0);
    proxy.resume();

    const result = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(2)));
    expect(messageText(result)).toContain('done for 1 session');
    expect(harness.simulator.state.hasSession(ids.site, ids.session(2))).toBe(false);
    expect(harness.logs.some((line) => line.includes('a database connection dropped'))).toBe(true);

    // And every connection ended while idle: the next command gets fresh ones.
    expect(await terminateBackends(schema)).toBeGreaterThan(0);
    expect(messageText(await revoke(3, 'after the failover'))).toContain('done for 1 session');
  });

  test('/readyz answers 503 within a couple of seconds while the database hangs, and 200 once it answers again', async () => {
    expect((await readyz()).status).toBe(200);
    proxy.pause();
    const started = Date.now();
    const response = await readyz();
    expect({ status: response.status, body: await response.text() }).toEqual({
      status: 503,
      body: 'not ready:\nthe database does not answer',
    });
    expect(Date.now() - started).toBeLessThan(3_000);

    proxy.resume();
    await waitFor(async () => (await readyz()).status === 200, { description: '/readyz to answer 200 again' });
  });

  test('a command while the database hangs is told privately, within the statement timeout, that the database did not answer', async () => {
    proxy.pause();
    const started = Date.now();
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(4)} while the database hangs`);
    const [response] = await harness.waitForResponses(responseUrlId, 1, 5_000);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(response.body).toMatchObject({ response_type: 'ephemeral' });
    expect(messageText(response)).toContain('could not reach its database');
    expect(messageText(response)).not.toContain('internal error');
    // No answer to a statement (1 s and a second's grace), or no connection (1 s), whichever it met.
    expect(harness.logs.some((line) => /PostgreSQL did not answer within (2000|1000) ms/.test(line))).toBe(true);
    // Nothing was recorded, so nothing ran.
    expect(harness.simulator.state.hasSession(ids.site, ids.session(4))).toBe(true);

    proxy.resume();
    expect(messageText(await revoke(4, 'once it answers'))).toContain('done for 1 session');
  });
});
