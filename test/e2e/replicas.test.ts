/**
 * Several replicas on one PostgreSQL database (TEST_DATABASE_URL), as real processes
 * (`node dist/index.js`), and a graceful stop in the middle of a vendor call.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSimulator, type Simulator } from '../../src/simulator';
import { PostgresStore } from '../../src/store/postgres';
import { SqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/model/ports';
import { FakeSlack } from '../support/fake-slack';
import { approvalPolicy, ids, immediatePolicy, incidentChannel, messageText, users } from '../support/harness';
import { createSchema, dropSchema, schemaName, schemaUrl, testDatabaseUrl } from '../support/postgres';
import { BotProcess, freePort, killAllProcesses } from '../support/process';
import { blockActionsBody, blockActionsPayload, postToSlackEndpoint, slashCommandBody } from '../support/signing';

const signingSecret = 'replica-signing-secret';
const approvers = Array.from({ length: 20 }, (_, i) => `U0APPR${String(i).padStart(2, '0')}`);

let slack: FakeSlack;
let simulator: Simulator;
let vendorUrl: string;
let dir: string;

beforeAll(async () => {
  slack = new FakeSlack();
  await slack.start();
  simulator = createSimulator({
    seed: {
      sites: [{ id: ids.site, sessions: [ids.session(1)] }],
      vpnInstances: [{ id: ids.instance, peers: [ids.peer(1), ids.peer(2)] }],
      organizations: [{ id: ids.organization, grants: [ids.grant(1), ids.grant(2)] }],
    },
  });
  vendorUrl = await simulator.start(0);
});

afterAll(async () => {
  await killAllProcesses();
  await simulator.stop();
  await slack.stop();
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-replicas-'));
});

afterEach(async () => {
  await killAllProcesses();
  slack.reset();
  simulator.reset();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function spawnBot(databaseUrl: string, policy: string, logLevel = 'info'): Promise<{ bot: BotProcess; events: string }> {
  fs.writeFileSync(path.join(dir, 'policy.yml'), policy);
  const port = await freePort();
  const bot = BotProcess.spawn({
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      ALTOSTRAT_API_URL: vendorUrl,
      ALTOSTRAT_API_TOKEN: simulator.tokens.altostrat,
      AITRONOS_API_URL: vendorUrl,
      AITRONOS_API_TOKEN: simulator.tokens.aitronos,
      POLICY_FILE: path.join(dir, 'policy.yml'),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: logLevel,
    },
  });
  await bot.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
  return { bot, events: `http://127.0.0.1:${port}/slack/events` };
}

async function command(events: string, text: string, name = '/revoke-grant') {
  const body = slashCommandBody({
    command: name,
    text,
    user_id: users.oncall,
    channel_id: incidentChannel.id,
    channel_name: incidentChannel.name,
    response_url: slack.responseUrl(`cmd-${randomBytes(4).toString('hex')}`, { channel: incidentChannel.id, user: users.oncall }),
  });
  expect((await postToSlackEndpoint(events, body, signingSecret)).status).toBe(200);
}

async function withStore<T>(store: Store, work: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const describeWithPostgres = testDatabaseUrl ? describe : describe.skip;
// Without TEST_DATABASE_URL these are reported as skipped (CI sets it), never passed silently.
describeWithPostgres('two replicas on one PostgreSQL database', () => {
  let schema: string;
  let databaseUrl: string;

  beforeEach(async () => {
    schema = schemaName('twokey_replicas');
    await createSchema(schema);
    databaseUrl = schemaUrl(schema);
  });

  afterEach(async () => {
    await killAllProcesses();
    await dropSchema(schema);
  });

  test('the same signed command delivered to both replicas at once rotates once', async () => {
    const [a, b] = await Promise.all([spawnBot(databaseUrl, immediatePolicy), spawnBot(databaseUrl, immediatePolicy)]);
    // A delivery Slack sent twice, landing on each replica: the same body, trigger_id and signature.
    const body = slashCommandBody({
      command: '/rotate-credentials',
      text: `${ids.site} leaked`,
      user_id: users.oncall,
      channel_id: incidentChannel.id,
      channel_name: incidentChannel.name,
      trigger_id: '5555.6666.replicas',
      response_url: slack.responseUrl('replayed-to-both', { channel: incidentChannel.id, user: users.oncall }),
    });
    const posts = await Promise.all([a.events, b.events, a.events, b.events].map((events) => postToSlackEndpoint(events, body, signingSecret)));
    expect(posts.map((post) => post.status)).toEqual([200, 200, 200, 200]);

    await slack.waitFor(() => slack.messages(incidentChannel.id).find((m) => messageText(m).includes('Rotate API credentials')), {
      description: 'the result',
      timeoutMs: 8000,
    });
    const ignored = () =>
      [a.bot, b.bot].flatMap((replica) => replica.stdoutLines()).filter((line) => line.includes('ignored a delivery handled before'));
    await slack.waitFor(() => ignored().length === 3, { description: 'three repeats ignored across the replicas', timeoutMs: 8000 });
    expect(simulator.calls.count({ method: 'POST' })).toBe(1);
    expect(slack.messages(incidentChannel.id)).toHaveLength(1);
  });

  test('approve clicks sent to both at once run the operation exactly once', async () => {
    const policy = approvalPolicy.replace(`users: [${users.approver}, U0APPROVER2, U0APPROVER3]`, `users: [${approvers.join(', ')}]`);
    const [a, b] = await Promise.all([spawnBot(databaseUrl, policy), spawnBot(databaseUrl, policy)]);
    simulator.latencyMs = 50;
    await command(a.events, `${ids.instance} ${ids.peer(1)} two replicas`, '/delete-peer');
    const card = await slack.waitFor(() => slack.messages(incidentChannel.id)[0], { description: 'the card', timeoutMs: 8000 });

    const clicks = approvers.map((approver, i) => {
      const responseUrl = slack.responseUrl(`click-${i}`, { channel: card.channel, user: approver, messageTs: card.ts });
      const payload = blockActionsPayload(card, 'Approve', { user: { id: approver }, responseUrl });
      return postToSlackEndpoint(i % 2 === 0 ? a.events : b.events, blockActionsBody(payload), signingSecret);
    });
    expect((await Promise.all(clicks)).map((click) => click.status)).toEqual(approvers.map(() => 200));

    await slack.waitFor(() => slack.message(card.channel, card.ts)?.text?.includes('done for 1 peer'), {
      description: 'the final card',
      timeoutMs: 8000,
    });
    // Every click has been answered (an approval in the thread or a private refusal) before counting.
    await slack.waitFor(
      () => slack.responses().filter((r) => r.id.startsWith('click-')).length + slack.threadReplies(card.channel, card.ts).length > approvers.length,
      { description: 'every click answered', timeoutMs: 8000 },
    );
    const audit = await withStore(await PostgresStore.connect(databaseUrl), (store) => store.listAudit());
    const started = audit.filter((entry) => entry.event === 'execution_started');
    // Printed for the record: how the race was decided.
    console.log(
      `two replicas, ${approvers.length} clicks: vendor calls ${simulator.calls.count()}, executions started ${started.length}, approvals counted ${audit.filter((e) => e.event === 'approved').length}`,
    );
    expect(simulator.calls.count()).toBe(1);
    expect(started).toHaveLength(1);
    expect(audit.filter((e) => e.event === 'approved')).toHaveLength(2);
  });

  test('each expired request is finalised once, not once per replica', async () => {
    const policy = approvalPolicy.replace('approvals: 1, approve: [approver, admin] }', 'approvals: 1, approve: [approver, admin], expires: 1s }');
    const replicas = await Promise.all([spawnBot(databaseUrl, policy, 'debug'), spawnBot(databaseUrl, policy, 'debug')]);
    const [a] = replicas;
    await command(a.events, `${ids.organization} ${ids.grant(2)} expiring`);
    const card = await slack.waitFor(() => slack.messages(incidentChannel.id)[0], { description: 'the card', timeoutMs: 8000 });
    await slack.waitFor(() => slack.message(card.channel, card.ts)?.text?.startsWith('Expired'), {
      description: 'the expired card',
      timeoutMs: 12_000,
    });
    // Both sweepers have had a turn after the expiry (they run every 5 s) before counting.
    const expiredAt = new Date().toISOString();
    await Promise.all(
      replicas.map(({ bot }) => bot.waitForLog((entry) => entry.msg === 'swept' && String(entry.time) > expiredAt, 12_000)),
    );
    const audit = await withStore(await PostgresStore.connect(databaseUrl), (store) => store.listAudit());
    expect(audit.filter((entry) => entry.event === 'expired')).toHaveLength(1);
    expect(slack.threadReplies(card.channel, card.ts).filter((reply) => messageText(reply).includes('expired'))).toHaveLength(1);
  }, 30_000);
});

test('SIGTERM during a slow vendor call: the call finishes, its outcome is recorded and posted, exit 0', async () => {
  const databaseFile = path.join(dir, 'twokey.db');
  const { bot, events } = await spawnBot(databaseFile, immediatePolicy);
  simulator.faults.add({ method: 'DELETE', action: { type: 'delay', ms: 1500 } });
  await command(events, `${ids.site} ${ids.session(1)} drill`, '/revoke-access');
  await simulator.calls.waitFor(() => true, 5000);
  bot.signal('SIGTERM');
  const exit = await bot.waitForExit(15_000);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  const result = slack.messages(incidentChannel.id).find((m) => messageText(m).includes(ids.session(1)));
  expect(result && messageText(result)).toContain('done for 1 session');
  expect(simulator.state.hasSession(ids.site, ids.session(1))).toBe(false);
  const executed = await withStore(new SqliteStore(databaseFile), (store) => store.listAudit());
  expect(executed.find((entry) => entry.event === 'executed')).toMatchObject({ outcome: 'succeeded' });
});
