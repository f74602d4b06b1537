/**
 * PRODUCT.md §10: with `audit_channel` in the policy, every final outcome, refusal and policy
 * reload is posted there as one line; a line Slack will not take is kept and arrives later.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBot } from '../../src/app/bot';
import { loadConfig } from '../../src/app/config';
import { checkPolicy } from '../../src/app/check-policy';
import { createLogger } from '../../src/lib/logger';
import { PolicyError } from '../../src/policy/load';
import type { RecordedMessage } from '../support/fake-slack';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';

const auditChannel = 'C0AUDIT01';
const auditedPolicy = `${approvalPolicy}audit_channel: ${auditChannel}\n`;

const requestIdIn = (message: RecordedMessage) => /R-[A-Z0-9]{6}/.exec(messageText(message))![0];

/** Writes `text` as editors do: a new file renamed over the old one. */
function replaceFile(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

describe('the audit channel', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: auditedPolicy });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  const lines = () => harness.slack.messages(auditChannel).map((message) => message.text ?? '');

  /** Waits for the audit channel to hold `count` lines, and checks it holds no more. */
  async function waitForLines(count: number): Promise<string[]> {
    await harness.slack.waitFor(() => lines().length >= count || undefined, { description: `${count} line(s) in the audit channel` });
    expect(lines()).toHaveLength(count);
    return lines();
  }

  async function requestWithCard(command: string, text: string) {
    await harness.command(command, text);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') ?? false);
    return { card, requestId: /R-[A-Z0-9]{6}/.exec(messageText(card))![0] };
  }

  test('an operation that runs at once: one line with its outcome, never its reason', async () => {
    await harness.command('/revoke-access', `${ids.site} ${ids.session(1)} ${ids.session(2)} compromised laptop of <@U0BOSS>`);
    const result = await harness.waitForMessage(incidentChannel.id);
    const [line] = await waitForLines(1);
    expect(line).toBe(
      `✅ \`${requestIdIn(result)}\` revoke-access succeeded: 2 sessions on site \`${ids.site}\`, requested by <@${users.oncall}>, ran without approval`,
    );
    expect(line).not.toContain('compromised');
  });

  test('a denied request: one line naming who denied it; the refused click before it, one more', async () => {
    const { card, requestId } = await requestWithCard('/revoke-grant', `${ids.organization} ${ids.grant(1)}`);
    await harness.click(card, 'Deny', users.stranger);
    const [refused] = await waitForLines(1);
    expect(refused).toMatch(new RegExp(`^⛔ Refused <@${users.stranger}> revoke-grant \`${requestId}\`: \`\\w+\`$`));

    await harness.click(card, 'Deny', users.approver);
    const [, denied] = await waitForLines(2);
    expect(denied).toBe(
      `⛔ \`${requestId}\` revoke-grant denied: 1 grant on organization \`${ids.organization}\`, requested by <@${users.oncall}>, denied by <@${users.approver}>`,
    );
  });

  test('an approved request: the line names its approvers', async () => {
    const { card, requestId } = await requestWithCard('/revoke-grant', `${ids.organization} ${ids.grant(2)}`);
    await harness.click(card, 'Approve', users.approver);
    const [line] = await waitForLines(1);
    expect(line).toBe(
      `✅ \`${requestId}\` revoke-grant succeeded: 1 grant on organization \`${ids.organization}\`, requested by <@${users.oncall}>, approved by <@${users.approver}>`,
    );
  });

  test('a refused command: one line with who, what and why', async () => {
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(3)}`, { userId: users.stranger });
    await harness.waitForResponses(responseUrlId);
    const [line] = await waitForLines(1);
    expect(line).toMatch(new RegExp(`^⛔ Refused <@${users.stranger}> revoke-access \`R-[A-Z0-9]{6}\`: \`no_role\`$`));
    expect(harness.simulator.calls.count()).toBe(0);
  });

  test('an expiry: one line with the approvals it had', async () => {
    const { requestId } = await requestWithCard('/rotate-credentials', `${ids.site} leaked key`);
    harness.clock.advance(16 * 60_000);
    const [line] = await waitForLines(1);
    expect(line).toBe(`⌛ \`${requestId}\` rotate-credentials expired: 1 site, requested by <@${users.oncall}>, 0 of 1 approvals`);
  });

  test('an admin is told of the audit channel by /twokey whoami; others are not', async () => {
    const admin = await harness.command('/twokey', 'whoami', { userId: users.admin });
    const oncall = await harness.command('/twokey', 'whoami', { userId: users.oncall });
    const [adminAnswer] = await harness.waitForResponses(admin.responseUrlId);
    const [oncallAnswer] = await harness.waitForResponses(oncall.responseUrlId);
    expect(messageText(adminAnswer.body)).toContain(`posted in <#${auditChannel}>`);
    expect(messageText(oncallAnswer.body)).not.toContain(auditChannel);
  });
});

describe('the audit channel, each test with a bot of its own', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  test('a line Slack will not take is kept, and arrives when Slack takes it', async () => {
    harness = await Harness.start({ policy: auditedPolicy });
    const lines = () => harness!.slack.messages(auditChannel).map((message) => message.text ?? '');
    harness.slack.setChannel({ id: auditChannel, botIsMember: false });
    await harness.command('/revoke-access', `${ids.site} ${ids.session(4)}`);
    const result = await harness.waitForMessage(incidentChannel.id);
    await harness.slack.waitFor(() => harness!.owedCount() === 1 || undefined, { description: 'the line kept' });
    expect(lines()).toHaveLength(0);

    harness.slack.setChannel({ id: auditChannel, botIsMember: true });
    harness.clock.advance(31_000);
    await harness.slack.waitFor(() => lines().length >= 1 || undefined, { description: 'the line delivered' });
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toContain(`\`${requestIdIn(result)}\` revoke-access succeeded`);
    await harness.slack.waitFor(() => harness!.owedCount() === 0 || undefined, { description: 'nothing owed any more' });
  });

  test('an applied reload posts what changed, to the channel of the new policy; a rejected one its problems', async () => {
    harness = await Harness.start({ policy: auditedPolicy });
    const file = path.join(harness.dir, 'policy.yml');
    const lines = () => harness!.slack.messages(auditChannel).map((message) => message.text ?? '');

    replaceFile(file, auditedPolicy.replace(`users: [${users.oncall}]`, `users: [${users.oncall}, U0JOINER1]`));
    await harness.slack.waitFor(() => lines().length >= 1 || undefined, { description: 'the reload posted' });
    expect(lines()).toEqual([`🔄 Policy reloaded: role oncall: added U0JOINER1; now 2 users, 0 user groups`]);

    replaceFile(file, `${approvalPolicy.replace('approvals: 2', 'approvals: 9')}audit_channel: "<#${auditChannel}>"\n`);
    await harness.slack.waitFor(() => lines().length >= 2 || undefined, { description: 'the rejection posted' });
    expect(lines()[1]).toBe(
      '⚠️ Policy not reloaded (2 problems); the policy in force stays. First: actions.delete-peer.approvals: expected a whole number ≤ 5 (line 14)',
    );

    // A new audit channel hears of the reload that named it, and of what follows; the old one of neither.
    replaceFile(file, `${approvalPolicy}audit_channel: C0AUDIT02\n`);
    const moved = await harness.waitForMessage('C0AUDIT02');
    expect(moved.text).toBe('🔄 Policy reloaded: role oncall: removed U0JOINER1; now 1 user, 0 user groups; audit_channel: C0AUDIT01 → C0AUDIT02');
    await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`, { userId: users.stranger });
    await harness.slack.waitFor(() => harness!.slack.messages('C0AUDIT02').length >= 2 || undefined, { description: 'the refusal posted' });
    expect(harness.slack.messages('C0AUDIT02')[1].text).toContain(`Refused <@${users.stranger}> revoke-access`);
    expect(lines()).toHaveLength(2);
  });

  test('without audit_channel nothing is posted but where the request is', async () => {
    harness = await Harness.start({ policy: approvalPolicy });
    await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`);
    await harness.waitForMessage(incidentChannel.id);
    const refused = await harness.command('/revoke-access', `${ids.site} ${ids.session(2)}`, { userId: users.stranger });
    await harness.waitForResponses(refused.responseUrlId);
    replaceFile(path.join(harness.dir, 'policy.yml'), `${approvalPolicy}# edited\n`);
    await harness.slack.waitFor(() => harness!.logs.some((line) => line.includes('"policy reloaded"')) || undefined, { description: 'the reload' });
    // A stop lets the work nobody waits for finish: a line on its way would be posted by then.
    await harness.restart();
    const channels = harness.slack.recordedCalls('chat.postMessage').map((call) => call.params.channel);
    expect(new Set(channels)).toEqual(new Set([incidentChannel.id]));
  });
});

describe('a bad audit_channel', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-audit-channel-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The problems start-up finds in a policy ending with `line`; it never gets as far as Slack. */
  async function startUpProblems(line: string): Promise<string[]> {
    const file = path.join(dir, 'policy.yml');
    fs.writeFileSync(file, `${approvalPolicy}${line}\n`);
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-unused',
      SLACK_SIGNING_SECRET: 'unused',
      ALTOSTRAT_API_TOKEN: 'unused',
      AITRONOS_API_TOKEN: 'unused',
      POLICY_FILE: file,
      DATABASE_URL: path.join(dir, 'twokey.db'),
    });
    const started = startBot(config, { logger: createLogger({ level: 'error', write: () => undefined }) });
    await expect(started).rejects.toBeInstanceOf(PolicyError);
    return ((await started.catch((error: unknown) => error)) as PolicyError).problems;
  }

  test('a channel name instead of its ID stops start-up, naming the path and saying where the ID is', async () => {
    expect(await startUpProblems('audit_channel: "#audit"')).toEqual([
      'audit_channel: expected the channel\'s ID such as C0AUDIT01, not its name "#audit": in Slack, the channel\'s details show its ID at the bottom (line 16)',
    ]);
    expect(await startUpProblems('audit_channel: #audit')).toEqual([
      'audit_channel: expected a channel ID such as C0AUDIT01, got nothing (in YAML, # starts a comment) (line 16)',
    ]);
    expect(await startUpProblems('audit_channel: [C0AUDIT01]')).toEqual(['audit_channel: expected text, got a list (line 16)']);
  });

  test('check-policy shows the audit channel in its summary', () => {
    const file = path.join(dir, 'policy.yml');
    fs.writeFileSync(file, auditedPolicy);
    const result = checkPolicy([file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`\nEvery outcome, refusal and policy reload is posted as one line in ${auditChannel}.\n`);
  });
});
