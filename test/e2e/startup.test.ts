/**
 * The process as an admin meets it: `node dist/index.js` (what `npm start` runs) spawned with
 * an environment the test sets in full (nothing inherited, working directory a fresh temp dir
 * so no stray `.env` is read), its stdout, stderr and exit code collected with deadlines.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createSimulator, type Simulator } from '../../src/simulator';
import { FakeSlack } from '../support/fake-slack';
import { ids, immediatePolicy, incidentChannel, messageText, users } from '../support/harness';
import { BotProcess, botEntry, freePort, killAllProcesses, npmCli, parseJsonLine, type ProcessExit } from '../support/process';
import { runShell } from '../support/shell';
import { postToSlackEndpoint, slashCommandBody } from '../support/signing';

const secrets = {
  botToken: 'xoxb-startup-bot-token-4d9e2a',
  signingSecret: 'startup-signing-secret-8c31f7',
  altostratToken: 'startup-altostrat-token-51be0c',
  aitronosToken: 'startup-aitronos-token-a7d3e6',
  appToken: 'xapp-1-startup-app-token-0b72c4',
};

let slack: FakeSlack;
let simulator: Simulator;
let vendorUrl: string;
let dir: string;

beforeAll(async () => {
  slack = new FakeSlack({ botToken: secrets.botToken, appToken: secrets.appToken, usergroups: { S0ONCALL1: [] } });
  await slack.start();
  simulator = createSimulator({
    seed: {
      sites: [{ id: ids.site, name: 'Test site', sessions: [ids.session(1), ids.session(2)] }],
      vpnInstances: [],
      organizations: [],
    },
    tokens: { altostrat: secrets.altostratToken, aitronos: secrets.aitronosToken },
  });
  vendorUrl = await simulator.start(0);
});

afterAll(async () => {
  await killAllProcesses();
  await simulator?.stop();
  await slack?.stop();
});

beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-startup-')));
});

afterEach(async () => {
  // Even when a test failed half-way, no bot process outlives it.
  await killAllProcesses();
  slack.reset();
  simulator.reset();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A complete, valid HTTP-mode environment pointing at the fakes; `undefined` in `changes` removes a variable. */
function environment(changes: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    SLACK_BOT_TOKEN: secrets.botToken,
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ALTOSTRAT_API_URL: vendorUrl,
    ALTOSTRAT_API_TOKEN: secrets.altostratToken,
    AITRONOS_API_URL: vendorUrl,
    AITRONOS_API_TOKEN: secrets.aitronosToken,
    POLICY_FILE: path.join(dir, 'policy.yml'),
    DATABASE_URL: path.join(dir, 'twokey.db'),
    ...changes,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function writePolicy(text: string = immediatePolicy): void {
  fs.writeFileSync(path.join(dir, 'policy.yml'), text);
}

/** Roles for the approval checks: oncall requests; approver is one user, plus `approverGroup` when given. */
function oneApproverPolicy(actions: string, approverGroup?: string): string {
  const group = approverGroup ? `\n    usergroups: [${approverGroup}]` : '';
  return `
roles:
  oncall:
    users: [${users.oncall}]
  approver:
    users: [${users.approver}]${group}
actions:${actions}
`;
}

/** Starts the bot with `env`, expects it to refuse to start, and returns how it ended. */
async function failedStart(env: Record<string, string>): Promise<ProcessExit> {
  const exit = await BotProcess.spawn({ cwd: dir, env }).waitForExit(10_000);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null });
  return exit;
}

/** What an admin must be able to read: one message, no stack trace, nothing on stdout. */
function expectOneCleanMessage(exit: ProcessExit): void {
  expect(exit.stderr.match(/twokey cannot start/g)).toHaveLength(1);
  expect(exit.stderr.startsWith('twokey cannot start')).toBe(true);
  expect(exit.stderr).not.toMatch(/^\s+at /m);
  expect(exit.stderr).not.toMatch(/Error:|ZodError|node:internal/);
  expect(exit.stdout).toBe('');
}

/** The variables named in a configuration error, one `  - NAME: …` line each. */
function problemVariables(stderr: string): string[] {
  return [...stderr.matchAll(/^\s+- ([A-Z_]+): /gm)].map((match) => match[1]!).sort();
}

describe('a bad environment stops start-up with one message listing every problem', () => {
  test('HTTP mode: missing bot token and signing secret, a port and a URL that do not parse', async () => {
    writePolicy();
    const exit = await failedStart(
      environment({
        SLACK_BOT_TOKEN: undefined,
        SLACK_SIGNING_SECRET: undefined,
        PORT: 'abc',
        ALTOSTRAT_API_URL: 'not a url',
      }),
    );
    expectOneCleanMessage(exit);
    expect(problemVariables(exit.stderr)).toEqual(['ALTOSTRAT_API_URL', 'PORT', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
    expect(exit.stderr).toMatch(/SLACK_SIGNING_SECRET: .*HTTP mode/);
    // Valid secrets given alongside are never echoed.
    for (const secret of [secrets.signingSecret, secrets.altostratToken, secrets.aitronosToken]) {
      expect(exit.stderr).not.toContain(secret);
    }
  });

  test('Socket Mode: malformed tokens and settings are named, their values never printed', async () => {
    writePolicy();
    const exit = await failedStart(
      environment({
        SLACK_BOT_TOKEN: 'not-a-token',
        SLACK_APP_TOKEN: 'sekrit-app-value',
        // In Socket Mode the signing secret is optional: its absence is not a problem.
        SLACK_SIGNING_SECRET: undefined,
        AITRONOS_API_TOKEN: undefined,
        VENDOR_RETRIES: '9',
        LOG_LEVEL: 'verbose',
        DATABASE_URL: 'mysql://twokey:sekrit-db-password@db.internal/twokey',
      }),
    );
    expectOneCleanMessage(exit);
    expect(problemVariables(exit.stderr)).toEqual([
      'AITRONOS_API_TOKEN',
      'DATABASE_URL',
      'LOG_LEVEL',
      'SLACK_APP_TOKEN',
      'SLACK_BOT_TOKEN',
      'VENDOR_RETRIES',
    ]);
    for (const value of ['not-a-token', 'sekrit-app-value', 'sekrit-db-password', secrets.altostratToken]) {
      expect(exit.stderr).not.toContain(value);
    }
  });

  test('a vendor URL in clear text or with credentials in it is refused, the password never shown', async () => {
    writePolicy();
    const password = 'sekrit-url-password-93f1';
    const exit = await failedStart(
      environment({
        ALTOSTRAT_API_URL: 'http://vendor.example.com',
        AITRONOS_API_URL: `https://twokey:${password}@api.aitronos.com`,
      }),
    );
    expectOneCleanMessage(exit);
    expect(problemVariables(exit.stderr)).toEqual(['AITRONOS_API_URL', 'ALTOSTRAT_API_URL']);
    expect(exit.stderr).toMatch(/ALTOSTRAT_API_URL: must be an https:\/\/ URL; http:\/\/ is allowed only to a loopback address/);
    expect(exit.stderr).toMatch(/AITRONOS_API_URL: must not carry a user name or password/);
    expect(exit.stderr).not.toContain(password);
    expect(exit.stderr).not.toContain('vendor.example.com');
  });

  test('a variable set to blanks counts as unset', async () => {
    writePolicy();
    const exit = await failedStart(environment({ SLACK_BOT_TOKEN: '   ' }));
    expectOneCleanMessage(exit);
    expect(problemVariables(exit.stderr)).toEqual(['SLACK_BOT_TOKEN']);
    expect(exit.stderr).toMatch(/SLACK_BOT_TOKEN: is not set/);
  });
});

describe('a bad policy stops start-up', () => {
  test('every problem is named by its path in the file', async () => {
    writePolicy(`
roles:
  oncall:
    users: [U0123ABCD]
  admin:
    users: [U0789IJKL]
actions:
  revoke-access:      { request: [oncall, oncal], approvals: 0 }
  revoke-grant:       { request: [oncall], approvals: 1, approvers: [admin] }
  delete-peer:        { request: [oncall, admin], approvals: -1 }
  reboot-site:        { request: [admin], approvals: 0 }
reveal_password: always
`);
    const exit = await failedStart(environment());
    expectOneCleanMessage(exit);
    expect(exit.stderr).toContain(path.join(dir, 'policy.yml'));
    const problems = exit.stderr.split('\n').filter((line) => /^\s+- /.test(line));
    const paths = problems.map((line) => /^\s+- ([^:]+):/.exec(line)?.[1]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'actions.revoke-access.request.1',
        'actions.revoke-grant.approvers',
        'actions.delete-peer.approvals',
        'actions.reboot-site',
        'reveal_password',
      ]),
    );
    expect(problems.find((line) => line.includes('actions.delete-peer.approvals'))).toMatch(/whole number ≥ 0/);
    expect(problems.find((line) => line.includes('actions.revoke-access.request.1'))).toMatch(/unknown role "oncal"/);
  });

  test('an expires over 7 days and an approval rule nobody could satisfy are named by their paths', async () => {
    writePolicy(
      oneApproverPolicy(`
  rotate-credentials: { request: [oncall], approvals: 1, approve: [approver], expires: 3000000d }
  delete-peer:        { request: [oncall], approvals: 2, approve: [approver] }`),
    );
    const exit = await failedStart(environment());
    expectOneCleanMessage(exit);
    const problems = exit.stderr.split('\n').filter((line) => /^\s+- /.test(line));
    expect(problems.map((line) => line.trim())).toEqual([
      '- actions.rotate-credentials.expires: expected a duration of at most 7d, got "3000000d" (line 8)',
      '- actions.delete-peer.approvals: needs 2 approvers besides the requester, but the roles in approve (approver) list 1 user; add users to those roles or lower approvals (line 9)',
    ]);
  });

  test('YAML that does not parse is reported with its line, not a stack trace', async () => {
    writePolicy('roles:\n  oncall: [U0123ABCD\nactions: {}\n');
    const exit = await failedStart(environment());
    expectOneCleanMessage(exit);
    expect(exit.stderr).toContain(path.join(dir, 'policy.yml'));
    expect(exit.stderr).toMatch(/line \d+, column \d+/);
  });

  test('a missing policy file is named with its full path (the default ./policy.yml in the working directory)', async () => {
    const exit = await failedStart(environment({ POLICY_FILE: undefined }));
    expectOneCleanMessage(exit);
    expect(exit.stderr).toContain(`no file at ${path.join(dir, 'policy.yml')}`);
    expect(exit.stderr).toContain('POLICY_FILE');
  });
});

test('an approval rule only user groups could satisfy starts the bot, with a warning naming the rule', async () => {
  writePolicy(oneApproverPolicy('\n  delete-peer: { request: [oncall], approvals: 2, approve: [approver] }', 'S0ONCALL1'));
  const bot = BotProcess.spawn({ cwd: dir, env: environment() });
  const warning = await bot.waitForLog((entry) => entry.msg === 'policy warning');
  expect(warning).toMatchObject({
    level: 'warn',
    warning:
      'actions.delete-peer.approvals: needs 2 approvers besides the requester, but the roles in approve (approver) list 1 user; it can be met only through user groups (S0ONCALL1), whose members are known only at run time (line 9)',
  });
  await bot.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
});

test('a bot token Slack rejects stops start-up with one message, not a crash', async () => {
  writePolicy();
  const exit = await failedStart(environment({ SLACK_BOT_TOKEN: 'xoxb-revoked-token-123' }));
  expectOneCleanMessage(exit);
  expect(exit.stderr).toContain('Slack answered "invalid_auth" when twokey checked its tokens; check SLACK_BOT_TOKEN');
  expect(exit.stderr).not.toContain('xoxb-revoked-token-123');
});

test('a port already in use stops start-up with a message naming it', async () => {
  writePolicy();
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, () => resolve()));
  try {
    const port = (holder.address() as { port: number }).port;
    const exit = await failedStart(environment({ PORT: String(port) }));
    expect(exit.stderr).toMatch(new RegExp(`twokey cannot start: .*EADDRINUSE.*${port}`));
    expect(exit.stderr).not.toMatch(/^\s+at /m);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});

test('a PostgreSQL that accepts connections and never answers stops start-up within the connect timeout, saying so', async () => {
  writePolicy();
  // A server that takes connections in and says nothing: what a hung database looks like from outside.
  const connections = new Set<Socket>();
  const silent: Server = createServer((socket) => connections.add(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  try {
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    const exit = await failedStart(environment({ DATABASE_URL: `postgres://twokey:sekrit-db-password@127.0.0.1:${port}/twokey` }));
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(exit.stderr).toBe('twokey cannot start: PostgreSQL did not answer within 5000 ms\n');
  } finally {
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

test('a second process on the same SQLite file refuses to start and says which holds it; readers may read; the hold goes with its holder', async () => {
  writePolicy();
  const file = path.join(dir, 'twokey.db');
  const first = BotProcess.spawn({ cwd: dir, env: environment({ PORT: String(await freePort()) }) });
  await first.waitForLog((entry) => entry.msg === 'twokey is serving Slack');

  const exit = await failedStart(environment());
  expectOneCleanMessage(exit);
  expect(exit.stderr).toContain(`twokey cannot start: another twokey process (pid ${first.pid} on ${os.hostname()}, since `);
  expect(exit.stderr).toContain(`) is using ${file}; stop it before starting this one.`);
  expect(exit.stderr).toContain('to run several replicas, give them a PostgreSQL DATABASE_URL');

  // The shell given the same file is refused alike; \`npm run audit\` only reads, and may.
  const shell = await runShell([], { cwd: dir, env: { PATH: process.env.PATH ?? '', DATABASE_URL: file } });
  expect(shell.code).toBe(1);
  expect(shell.stderr).toContain(`twokey shell cannot start: another twokey process (pid ${first.pid} on `);
  const audit = await promisify(execFile)(process.execPath, [path.resolve(__dirname, '../../dist/audit/main.js')], {
    cwd: dir,
    env: { DATABASE_URL: file },
  });
  expect(audit.stderr).toBe('');

  // The hold is the kernel's: it goes with a process killed outright, and the next one starts.
  first.signal('SIGKILL');
  await first.waitForExit();
  const next = BotProcess.spawn({ cwd: dir, env: environment() });
  await next.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
});

test('a bulk cut off by a crash: the targets whose calls were sent read unknown, the others "not run"', async () => {
  writePolicy();
  const port = await freePort();
  const env = environment({ PORT: String(port) });
  // Every DELETE is held, so the first wave of calls (VENDOR_CONCURRENCY, 8) is under way when the bot dies.
  simulator.faults.add({ method: 'DELETE', action: { type: 'delay', ms: 30_000 } });
  const sessions = Array.from({ length: 50 }, (_, i) => ids.session(i + 1));
  const first = BotProcess.spawn({ cwd: dir, env });
  await first.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
  const body = slashCommandBody({
    command: '/revoke-access',
    text: `${ids.site} ${sessions.join(' ')} offboarding`,
    user_id: users.oncall,
    channel_id: incidentChannel.id,
    channel_name: incidentChannel.name,
    response_url: slack.responseUrl('crash-bulk', { channel: incidentChannel.id, user: users.oncall }),
  });
  expect((await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, body, secrets.signingSecret)).status).toBe(200);
  await slack.waitFor(() => simulator.calls.count({ method: 'DELETE' }) >= 8, { description: 'the first wave of calls sent' });
  first.signal('SIGKILL');
  await first.waitForExit();
  simulator.faults.clear();
  const sent = new Set(simulator.calls.list({ method: 'DELETE' }).map((call) => call.path.split('/').at(-1)));

  const next = BotProcess.spawn({ cwd: dir, env });
  const report = await slack.waitFor(() => slack.messages(incidentChannel.id).find((m) => messageText(m).includes('not run')), {
    timeoutMs: 15_000,
    description: 'the cut-off bulk reported by the next process',
  });
  const text = messageText(report);
  expect(text).toContain('outcome unknown for 8 sessions, 42 not run');
  const notRunLines = (report.blocks as { text?: { text?: string } }[])
    .flatMap((block) => (block.text?.text ?? '').split('\n'))
    .filter((line) => line.includes('not run —'));
  const notRun = sessions.filter((session) => notRunLines.some((line) => line.includes(session)));
  expect(notRun).toHaveLength(42);
  // Nothing reported as not run was in fact sent.
  expect(notRun.filter((session) => sent.has(session))).toEqual([]);
  expect(simulator.calls.count({ method: 'DELETE' })).toBe(sent.size);
  next.signal('SIGTERM');
  await next.waitForExit();
});

test('an outcome cut off by a crash before it was posted is posted by the next process', async () => {
  writePolicy();
  const port = await freePort();
  const env = environment({ PORT: String(port), LOG_LEVEL: 'info' });
  // The result's post hangs: the revocation is done and recorded when the bot dies, and nobody has been told.
  slack.holdMethod('chat.postMessage', 60_000);
  const first = BotProcess.spawn({ cwd: dir, env });
  await first.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
  const body = slashCommandBody({
    command: '/revoke-access',
    text: `${ids.site} ${ids.session(1)} offboarding`,
    user_id: users.oncall,
    channel_id: incidentChannel.id,
    channel_name: incidentChannel.name,
    response_url: slack.responseUrl('crash-result', { channel: incidentChannel.id, user: users.oncall }),
  });
  expect((await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, body, secrets.signingSecret)).status).toBe(200);
  await first.waitForLog((entry) => entry.msg === 'request executed');
  first.signal('SIGKILL');
  await first.waitForExit();
  slack.reset();
  expect(slack.messages(incidentChannel.id)).toEqual([]);

  const next = BotProcess.spawn({ cwd: dir, env });
  const report = await slack.waitFor(() => slack.messages(incidentChannel.id).find((m) => messageText(m).includes('done for 1 session')), {
    timeoutMs: 15_000,
    description: 'the outcome posted by the next process',
  });
  expect(messageText(report)).toContain(ids.session(1));
  expect(simulator.calls.count({ method: 'DELETE' })).toBe(1);
  next.signal('SIGTERM');
  await next.waitForExit();
});

/** A signed `/twokey help`, answered nowhere in particular. */
function helpCommand(): string {
  return slashCommandBody({
    command: '/twokey',
    text: 'help',
    user_id: users.oncall,
    channel_id: incidentChannel.id,
    response_url: slack.responseUrl('help', { user: users.oncall }),
  });
}

test('/readyz answers 503 through start-up and the drain, /healthz 200 throughout; the drain is logged', async () => {
  writePolicy();
  const port = await freePort();
  const env = environment({ PORT: String(port) });
  const probe = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, text: await response.text() };
  };
  // Slack is slow to accept the token: start-up takes a couple of seconds.
  slack.holdMethod('auth.test', 2_000, { times: 1 });
  const bot = BotProcess.spawn({ cwd: dir, env });
  const starting = await slack.waitFor(() => probe('/readyz').catch(() => undefined), { description: 'an answer from /readyz during start-up' });
  expect(starting.status).toBe(503);
  expect(starting.text).toContain('starting');
  expect((await probe('/healthz')).status).toBe(200);
  const early = await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, helpCommand(), secrets.signingSecret);
  expect(early.status).toBe(503);
  await bot.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
  expect(await probe('/readyz')).toEqual({ status: 200, text: 'ready' });

  // A revocation is under way at the vendor when the stop comes.
  simulator.faults.add({ method: 'DELETE', times: 1, action: { type: 'delay', ms: 2_000 } });
  const body = slashCommandBody({
    command: '/revoke-access',
    text: `${ids.site} ${ids.session(2)} drain check`,
    user_id: users.oncall,
    channel_id: incidentChannel.id,
    channel_name: incidentChannel.name,
    response_url: slack.responseUrl('drain', { channel: incidentChannel.id, user: users.oncall }),
  });
  expect((await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, body, secrets.signingSecret)).status).toBe(200);
  await slack.waitFor(() => simulator.calls.count({ method: 'DELETE' }) === 1, { description: 'the vendor call sent' });
  bot.signal('SIGTERM');
  const stopping = await bot.waitForLog((entry) => entry.msg === 'stopping');
  expect(stopping.workUnderWay).toBeGreaterThanOrEqual(1);
  const draining = await probe('/readyz');
  expect(draining.status).toBe(503);
  expect(draining.text).toContain('shutting down');
  expect((await probe('/healthz')).status).toBe(200);
  const late = await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, helpCommand(), secrets.signingSecret);
  expect(late.status).toBe(503);

  // The call under way finishes and is reported before the process ends.
  const exit = await bot.waitForExit(15_000);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  expect(slack.messages(incidentChannel.id).some((m) => messageText(m).includes('done for 1 session'))).toBe(true);
  const messages = bot.stdoutLines().map(parseJsonLine).map((entry) => entry?.msg);
  expect(messages.indexOf('stopped')).toBeGreaterThan(messages.indexOf('stopping'));
});

test('npm start after npm prune --omit=dev runs the built bot without compiling, and SIGTERM to npm stops the bot', async () => {
  // The package as a production host has it: built, then pruned of devDependencies (TypeScript among them).
  const repo = path.resolve(__dirname, '../..');
  for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(repo, file), path.join(dir, file));
  fs.cpSync(path.join(repo, 'dist'), path.join(dir, 'dist'), { recursive: true });
  await promisify(execFile)('cp', ['-al', path.join(repo, 'node_modules'), path.join(dir, 'node_modules')]);
  await promisify(execFile)(process.execPath, [npmCli, 'prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: dir });
  expect(fs.existsSync(path.join(dir, 'node_modules', 'typescript'))).toBe(false);
  const builtAt = fs.statSync(path.join(dir, 'dist', 'index.js')).mtimeMs;

  writePolicy();
  const port = await freePort();
  const npm = BotProcess.spawnWithNpm({ cwd: dir, env: { ...environment({ PORT: String(port) }), PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` } });
  await npm.waitForLog((entry) => entry.msg === 'twokey is serving Slack', 20_000);
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  expect(fs.statSync(path.join(dir, 'dist', 'index.js')).mtimeMs).toBe(builtAt);

  npm.signal('SIGTERM');
  await npm.waitForExit(10_000);
  await npm.waitForLog((entry) => entry.msg === 'stopped');
  // No bot is left behind: its port is free again.
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
}, 60_000);

test('HTTP mode: serves /healthz and signed commands, keeps secrets out of its logs, and exits 0 on SIGTERM', async () => {
  writePolicy();
  const port = await freePort();
  const env = environment({ PORT: String(port), LOG_LEVEL: 'debug' });
  const bot = BotProcess.spawn({ cwd: dir, env });

  const serving = await bot.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
  expect(serving).toMatchObject({ level: 'info', mode: 'http', port });

  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.text()).toBe('ok');

  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  const command = (name: string, text: string, responseUrlId: string, userId: string = users.oncall) =>
    slashCommandBody({
      command: name,
      text,
      user_id: userId,
      channel_id: incidentChannel.id,
      channel_name: incidentChannel.name,
      response_url: slack.responseUrl(responseUrlId, { channel: incidentChannel.id, user: userId }),
    });

  // /twokey help, for anyone, privately through the response_url.
  const help = await postToSlackEndpoint(eventsUrl, command('/twokey', 'help', 'startup-help', users.stranger), secrets.signingSecret);
  expect(help.status).toBe(200);
  const helpResponse = await slack.waitForResponse('startup-help');
  expect(helpResponse).toMatchObject({ status: 200, body: { response_type: 'ephemeral' } });
  expect(messageText(helpResponse)).toContain('twokey commands');
  expect(slack.ephemerals(users.stranger)).toHaveLength(1);
  expect(slack.messages(incidentChannel.id)).toEqual([]);

  // A request signed with another secret is refused: the process checks with SLACK_SIGNING_SECRET.
  const forged = await postToSlackEndpoint(eventsUrl, command('/twokey', 'help', 'startup-forged'), 'some-other-secret');
  expect(forged.status).toBe(401);

  // An operation reaches the vendor at ALTOSTRAT_API_URL with ALTOSTRAT_API_TOKEN, and the result the channel.
  const revoke = await postToSlackEndpoint(
    eventsUrl,
    command('/revoke-access', `${ids.site} ${ids.session(1)} startup check`, 'startup-revoke'),
    secrets.signingSecret,
  );
  expect(revoke.status).toBe(200);
  await slack.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(1)), { timeoutMs: 8_000 });
  expect(simulator.state.hasSession(ids.site, ids.session(1))).toBe(false);
  expect(simulator.calls.list().map((call) => [call.method, call.authorization])).toEqual([['DELETE', 'valid']]);
  expect(slack.responses('startup-forged')).toEqual([]);
  expect(fs.existsSync(env.DATABASE_URL!)).toBe(true);

  bot.signal('SIGTERM');
  const exit = await bot.waitForExit(10_000);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });

  // Every line on stdout is a structured log line, and none carries a secret.
  const lines = bot.stdoutLines();
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(parseJsonLine(line)).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
  }
  for (const secret of Object.values(secrets)) {
    expect(exit.stdout).not.toContain(secret);
    expect(exit.stderr).not.toContain(secret);
  }
  expect(exit.stderr).toBe('');
});

test('Socket Mode: connects with SLACK_APP_TOKEN, serves a command envelope, and exits 0 on SIGTERM', async () => {
  writePolicy();
  // No signing secret and no port: Socket Mode needs neither.
  const env = environment({ SLACK_APP_TOKEN: secrets.appToken, SLACK_SIGNING_SECRET: undefined, PORT: undefined, LOG_LEVEL: 'debug' });
  const bot = BotProcess.spawn({ cwd: dir, env });

  const serving = await bot.waitForLog((entry) => entry.msg === 'twokey is serving Slack');
  expect(serving).toMatchObject({ level: 'info', mode: 'socket' });
  expect(serving.port).toBeUndefined();
  await slack.waitForConnection();
  expect(slack.recordedCalls('apps.connections.open')).toHaveLength(1);

  const fields = slashCommandBody({
    command: '/twokey',
    text: 'help',
    user_id: users.stranger,
    channel_id: incidentChannel.id,
    channel_name: incidentChannel.name,
    response_url: slack.responseUrl('startup-socket-help', { channel: incidentChannel.id, user: users.stranger }),
  });
  const ack = await slack.sendEnvelope('slash_commands', Object.fromEntries(new URLSearchParams(fields)));
  expect(ack.envelope_id).toEqual(expect.any(String));
  const response = await slack.waitForResponse('startup-socket-help');
  expect(response).toMatchObject({ status: 200, body: { response_type: 'ephemeral' } });
  expect(messageText(response)).toContain('twokey commands');

  bot.signal('SIGTERM');
  const exit = await bot.waitForExit(10_000);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  await slack.waitFor(() => slack.openConnectionCount === 0, { description: 'the bot to close its Socket Mode connection' });
  for (const secret of Object.values(secrets)) {
    expect(exit.stdout).not.toContain(secret);
    expect(exit.stderr).not.toContain(secret);
  }
  expect(exit.stderr).toBe('');
});

test('start-up loads the parts of Bolt twokey runs, not its Express receiver', () => {
  // Every module \`npm start\` loads is loaded before it reads the environment (which here is
  // empty, so it then stops); Express would add ~80 ms to every start.
  const script = `require(${JSON.stringify(botEntry)}); const loaded = Object.keys(require.cache);
    console.log(JSON.stringify({ bolt: loaded.some((f) => f.includes('/@slack/bolt/')), express: loaded.some((f) => f.includes('/node_modules/express/')) }));`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  expect(JSON.parse(run.stdout.split('\n')[0])).toEqual({ bolt: true, express: false });
});
