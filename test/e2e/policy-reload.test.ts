/**
 * PRODUCT.md §11: the policy is reloaded on SIGHUP and when its file changes. A valid file is in
 * force for the next command, click and execution; a bad one leaves the policy in force as it
 * was and is logged, problem by problem. SIGHUP is sent to the real process; the file-change and
 * approval cases run the bot in-process, where clicks are easier to drive.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSimulator, type Simulator } from '../../src/simulator';
import { FakeSlack } from '../support/fake-slack';
import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { BotProcess, freePort, killAllProcesses, parseJsonLine } from '../support/process';
import { postToSlackEndpoint, slashCommandBody } from '../support/signing';
import { waitFor } from '../support/wait';

const leaver = 'U0LEAVER1';
const joiner = 'U0JOINER1';

/** revoke-access runs at once for the on-call role's `oncall` users and user groups. */
function onCallPolicy(oncall: { users?: string[]; usergroups?: string[] }): string {
  return `
roles:
  oncall:
    users: [${(oncall.users ?? []).join(', ')}]
    usergroups: [${(oncall.usergroups ?? []).join(', ')}]
channels: [${incidentChannel.id}]
actions:
  revoke-access: { request: [oncall], approvals: 0 }
`;
}

// Two problems, on lines 4 and 7.
const badPolicy = `
roles:
  oncall:
    users: [${joiner}, not-a-user-id]
channels: [${incidentChannel.id}]
actions:
  revoke-access: { request: [on-call], approvals: 0 }
`;
const badPolicyProblems = [
  'roles.oncall.users.1: expected a Slack user ID such as U0123ABCD, got "not-a-user-id" (line 4)',
  'actions.revoke-access.request.0: unknown role "on-call"; defined roles: oncall (line 7)',
];

/** Writes `text` as editors do: a new file renamed over the old one. */
function replaceFile(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

describe('SIGHUP to the running bot', () => {
  let slack: FakeSlack;
  let simulator: Simulator;
  let vendorUrl: string;
  let dir: string;

  beforeAll(async () => {
    slack = new FakeSlack({ usergroups: {} });
    await slack.start();
    simulator = createSimulator({
      seed: { sites: [{ id: ids.site, name: 'Test site', sessions: [1, 2, 3, 4].map(ids.session) }], vpnInstances: [], organizations: [] },
    });
    vendorUrl = await simulator.start(0);
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-sighup-')));
  });
  afterAll(async () => {
    await killAllProcesses();
    await simulator?.stop();
    await slack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('puts a changed policy in force for the next command, keeps the old one on a bad file, and never stops the bot', async () => {
    // POLICY_FILE is a symlink into another directory, where the file changes in place: nothing
    // happens in the watched directory, so only the signal can reload it.
    const real = path.join(dir, 'policies', 'policy.yml');
    const file = path.join(dir, 'etc', 'policy.yml');
    fs.mkdirSync(path.dirname(real));
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(real, onCallPolicy({ users: [users.oncall, leaver] }));
    fs.symlinkSync(real, file);
    const port = await freePort();
    const bot = BotProcess.spawn({
      cwd: dir,
      env: {
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: 'sighup-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        ALTOSTRAT_API_URL: vendorUrl,
        ALTOSTRAT_API_TOKEN: simulator.tokens.altostrat,
        AITRONOS_API_URL: vendorUrl,
        AITRONOS_API_TOKEN: simulator.tokens.aitronos,
        POLICY_FILE: file,
        DATABASE_URL: path.join(dir, 'twokey.db'),
      },
    });
    await bot.waitForLog((entry) => entry.msg === 'twokey is serving Slack');

    let commands = 0;
    const revoke = async (userId: string, session: number) => {
      const responseUrlId = `sighup-${(commands += 1)}`;
      const body = slashCommandBody({
        command: '/revoke-access',
        text: `${ids.site} ${ids.session(session)} offboarding`,
        user_id: userId,
        channel_id: incidentChannel.id,
        channel_name: 'inc-sighup',
        response_url: slack.responseUrl(responseUrlId, { channel: incidentChannel.id, user: userId }),
      });
      expect((await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, body, 'sighup-signing-secret')).status).toBe(200);
      return responseUrlId;
    };
    const revoked = (session: number) =>
      slack.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(`${ids.session(session)}\` revoked`));
    const refused = async (responseUrlId: string) => messageText(await slack.waitForResponse(responseUrlId));

    await revoke(leaver, 1);
    await revoked(1);

    fs.writeFileSync(real, onCallPolicy({ users: [users.oncall, joiner] }));
    bot.signal('SIGHUP');
    const reloaded = await bot.waitForLog((entry) => entry.msg === 'policy reloaded');
    expect(reloaded).toMatchObject({
      level: 'info',
      file,
      changes: [`role oncall: added ${joiner}; removed ${leaver}; now 2 users, 0 user groups`],
    });

    expect(await refused(await revoke(leaver, 2))).toContain('You may not request revoke-access');
    expect(simulator.state.hasSession(ids.site, ids.session(2))).toBe(true);
    await revoke(joiner, 3);
    await revoked(3);

    // A bad file: every problem logged, the policy in force unchanged.
    fs.writeFileSync(real, badPolicy);
    bot.signal('SIGHUP');
    const rejected = await bot.waitForLog((entry) => entry.msg === 'policy not reloaded: the file cannot be used, the policy in force stays');
    expect(rejected).toMatchObject({ level: 'error', file, problems: badPolicyProblems });
    await revoke(joiner, 4);
    await revoked(4);
    expect(await refused(await revoke(leaver, 2))).toContain('You may not request revoke-access');

    // Still serving: SIGHUP neither stopped nor drained it; SIGTERM still does.
    expect(bot.exit).toBeUndefined();
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    bot.signal('SIGTERM');
    expect(await bot.waitForExit()).toMatchObject({ code: 0, signal: null, stderr: '' });
    const reloads = bot.stdoutLines().map(parseJsonLine).filter((entry) => entry?.msg === 'policy reloaded');
    expect(reloads).toHaveLength(1);
  });
});

describe('reloading in the running bot', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  const logEntries = () => harness!.logs.map(parseJsonLine).filter((entry) => entry !== undefined);
  const waitForLog = (predicate: (entry: Record<string, unknown>) => boolean, description: string) =>
    waitFor(() => logEntries().filter(predicate).at(-1), { description });
  const count = (message: string) => logEntries().filter((entry) => entry.msg === message).length;

  async function revoke(userId: string, session: number): Promise<'revoked' | string> {
    const { responseUrlId } = await harness!.command('/revoke-access', `${ids.site} ${ids.session(session)} offboarding`, { userId });
    return waitFor(
      () =>
        harness!.slack.messages(incidentChannel.id).some((m) => messageText(m).includes(`${ids.session(session)}\` revoked`))
          ? 'revoked'
          : harness!.slack.responses(responseUrlId).map((response) => messageText(response.body)).find((text) => text.includes('may not')),
      { description: `the outcome of revoking session ${session}` },
    );
  }

  test('a changed file is put in force without a signal, user groups included', async () => {
    harness = await Harness.start({ policy: onCallPolicy({ users: [users.oncall] }) });
    const file = path.join(harness.dir, 'policy.yml');
    expect(await revoke(users.groupMember, 1)).toContain('You may not request revoke-access');

    replaceFile(file, onCallPolicy({ users: [users.oncall], usergroups: ['S0ONCALL1'] }));
    const reloaded = await waitForLog((entry) => entry.msg === 'policy reloaded', 'the policy reloaded');
    expect(reloaded.changes).toEqual(['role oncall: added S0ONCALL1; now 1 user, 1 user group']);
    // The fake Slack's S0ONCALL1 holds users.groupMember.
    expect(await revoke(users.groupMember, 1)).toBe('revoked');
  });

  test('a ConfigMap update, a symlink swap in the mounted directory, is put in force', async () => {
    // The layout Kubernetes mounts: policy.yml → ..data/policy.yml, ..data → a timestamped directory.
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-configmap-'));
    const version = (name: string, text: string) => {
      fs.mkdirSync(path.join(mount, name));
      fs.writeFileSync(path.join(mount, name, 'policy.yml'), text);
    };
    version('..2026_01_01_00_00_00.1', onCallPolicy({ users: [users.oncall] }));
    fs.symlinkSync('..2026_01_01_00_00_00.1', path.join(mount, '..data'));
    fs.symlinkSync('..data/policy.yml', path.join(mount, 'policy.yml'));
    try {
      harness = await Harness.start({ env: { POLICY_FILE: path.join(mount, 'policy.yml') } });
      expect(await revoke(joiner, 1)).toContain('You may not request revoke-access');

      version('..2026_01_01_00_05_00.2', onCallPolicy({ users: [users.oncall, joiner] }));
      fs.symlinkSync('..2026_01_01_00_05_00.2', path.join(mount, '..data_tmp'));
      fs.renameSync(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
      fs.rmSync(path.join(mount, '..2026_01_01_00_00_00.1'), { recursive: true });

      await waitForLog((entry) => entry.msg === 'policy reloaded', 'the policy reloaded');
      expect(await revoke(joiner, 1)).toBe('revoked');
    } finally {
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });

  test('a bad file keeps the policy in force and logs every problem once; the next good file is put in force', async () => {
    harness = await Harness.start({ policy: onCallPolicy({ users: [users.oncall] }) });
    const file = path.join(harness.dir, 'policy.yml');

    replaceFile(file, badPolicy);
    const rejected = await waitForLog((entry) => entry.level === 'error', 'the bad file reported');
    expect(rejected).toMatchObject({ msg: 'policy not reloaded: the file cannot be used, the policy in force stays', problems: badPolicyProblems });
    expect(await revoke(users.oncall, 1)).toBe('revoked');
    expect(await revoke(joiner, 2)).toContain('You may not request revoke-access');

    // A signal reads the bad file again and says so again; the policy stays.
    expect(await harness.bot.reloadPolicy()).toEqual({ result: 'rejected', problems: badPolicyProblems });
    expect(count('policy not reloaded: the file cannot be used, the policy in force stays')).toBe(2);

    replaceFile(file, onCallPolicy({ users: [joiner] }));
    await waitForLog((entry) => entry.msg === 'policy reloaded', 'the good file put in force');
    expect(await revoke(joiner, 2)).toBe('revoked');
    expect(await revoke(users.oncall, 3)).toContain('You may not request revoke-access');
    expect(count('policy not reloaded: the file cannot be used, the policy in force stays')).toBe(2);
    const metrics = await (await fetch(`http://127.0.0.1:${harness.bot.port}/metrics`)).text();
    expect(metrics).toContain('twokey_policy_reloads_total{result="rejected"} 2\n');
    expect(metrics).toContain('twokey_policy_reloads_total{result="applied"} 1\n');
  });

  test('a missing file is a bad file: the policy in force stays', async () => {
    harness = await Harness.start({ policy: onCallPolicy({ users: [users.oncall] }) });
    fs.rmSync(path.join(harness.dir, 'policy.yml'));
    const rejected = await waitForLog((entry) => entry.level === 'error', 'the missing file reported');
    expect(rejected.problems).toEqual([expect.stringMatching(/^no file at .*policy\.yml; /)]);
    expect(await revoke(users.oncall, 1)).toBe('revoked');
  });

  describe('clicks and executions are checked against the policy in force then', () => {
    const approvers = (names: string[]) => `
roles:
  oncall:
    users: [${users.oncall}]
  approver:
    users: [${names.join(', ')}]
channels: [${incidentChannel.id}]
actions:
  revoke-grant: { request: [oncall], approvals: 1, approve: [approver] }
  delete-peer:  { request: [oncall], approvals: 2, approve: [approver] }
`;

    async function request(command: string, text: string) {
      await harness!.command(command, text);
      return harness!.slack.waitFor(
        () => harness!.slack.messages(incidentChannel.id).find((m) => m.text?.startsWith('Approval needed')),
        { description: 'an approval card' },
      );
    }
    const cardNow = (card: { channel: string; ts: string }) => harness!.slack.message(card.channel, card.ts)!;
    const reload = async (text: string) => {
      fs.writeFileSync(path.join(harness!.dir, 'policy.yml'), text);
      expect(await harness!.bot.reloadPolicy()).toMatchObject({ result: 'applied' });
    };

    test('an approver removed by a reload is refused at the click; one added may approve', async () => {
      harness = await Harness.start({ policy: approvers([users.approver, 'U0APPROVER2']) });
      const card = await request('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
      await reload(approvers(['U0APPROVER2', 'U0APPROVER3']));

      const click = await harness.click(card, 'Approve', users.approver);
      expect(messageText((await harness.waitForResponses(click.responseUrlId))[0].body)).toContain(
        'You may not approve revoke-grant requests',
      );
      expect(messageText(cardNow(card))).toContain('0 of 1');

      await harness.click(cardNow(card), 'Approve', 'U0APPROVER3');
      await harness.slack.waitFor(() => cardNow(card).text?.includes('done for 1 grant'), { description: 'the grant revoked' });
      expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
    });

    test('a rule changed by a reload: the next command and click follow it, whoever holds the roles', async () => {
      const rules = (approve: string, revokeAccess: string) => `
roles:
  oncall:
    users: [${users.oncall}]
  approver:
    users: [${users.approver}]
  admin:
    users: [${users.admin}]
channels: [${incidentChannel.id}]
actions:
  revoke-grant:  { request: [oncall], approvals: 1, approve: [${approve}] }
  revoke-access: { request: [oncall], ${revokeAccess} }
`;
      harness = await Harness.start({ policy: rules('approver', 'approvals: 0') });
      const card = await request('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
      await reload(rules('admin', 'approvals: 1, approve: [admin]'));

      const click = await harness.click(card, 'Approve', users.approver);
      expect(messageText((await harness.waitForResponses(click.responseUrlId))[0].body)).toContain(
        'You may not approve revoke-grant requests',
      );
      await harness.click(cardNow(card), 'Approve', users.admin);
      await harness.slack.waitFor(() => cardNow(card).text?.includes('done for 1 grant'), { description: 'the grant revoked' });

      // revoke-access ran at once before; now it waits for an admin.
      await harness.command('/revoke-access', `${ids.site} ${ids.session(1)} offboarding`);
      await harness.slack.waitFor(() => harness!.card(ids.session(1)), { description: 'an approval card for revoke-access' });
      expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
    });

    test('an approval counted before a reload that removes its approver: cancelled at execution, nothing runs', async () => {
      harness = await Harness.start({ policy: approvers([users.approver, 'U0APPROVER2', 'U0APPROVER3']) });
      const card = await request('/delete-peer', `${ids.instance} ${ids.peer(1)} lost laptop`);
      await harness.click(card, 'Approve', users.approver);
      await harness.slack.waitFor(() => messageText(cardNow(card)).includes('1 of 2'), { description: '1 of 2' });

      await reload(approvers(['U0APPROVER2', 'U0APPROVER3']));
      await harness.click(cardNow(card), 'Approve', 'U0APPROVER2');
      await harness.slack.waitFor(() => cardNow(card).text?.startsWith('Cancelled by twokey'), { description: 'the cancelled card' });
      expect(messageText(cardNow(card))).toContain(`${users.approver} no longer holds a role that may approve delete-peer requests`);
      expect(harness.simulator.calls.count()).toBe(0);
    });
  });
});
