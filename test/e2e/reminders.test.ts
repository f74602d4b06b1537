/**
 * PRODUCT.md §10: `remind` and `escalate`. The sweep reminds the approvers of a waiting request
 * in its card's thread and by direct message, every interval, and escalates it once at `after`;
 * the harness's clock is moved by hand. On PostgreSQL, two replicas sweeping one database and
 * one clock send each reminder once between them, and start a break-glass run left unstarted once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningBot, startBot } from '../../src/app/bot';
import { loadConfig } from '../../src/app/config';
import { createLogger } from '../../src/lib/logger';
import { createSimulator, type Simulator } from '../../src/simulator';
import { PostgresStore } from '../../src/store/postgres';
import { FakeSlack, type RecordedMessage } from '../support/fake-slack';
import { Harness, ids, incidentChannel, messageText, signingSecret, TestClock } from '../support/harness';
import { createSchema, dropSchema, schemaName, schemaUrl, testDatabaseUrl } from '../support/postgres';
import { blockActionsBody, blockActionsPayload, postToSlackEndpoint, slashCommandBody } from '../support/signing';

const oncall = 'U0ONCALL1';
const approvers = ['U0APPROVER1', 'U0APPROVER2'];
const lead = 'U0LEAD1';
const minute = 60_000;

const policy = `
roles:
  oncall: { users: [${oncall}] }
  approver: { users: [${approvers.join(', ')}], usergroups: [S0APPROVERS] }
  lead: { users: [${lead}] }
channels: [${incidentChannel.id}]
actions:
  revoke-grant: { request: [oncall], approvals: 1, approve: [approver], remind: 5m, expires: 30m }
  delete-peer:
    request: [oncall]
    approvals: 2
    approve: [approver]
    remind: 5m
    escalate: { after: 10m, to: [lead] }
    expires: 30m
    break_glass: [lead]
`;

const requestIdOf = (message: RecordedMessage) => /R-[A-Z0-9]{6}/.exec(messageText(message))![0];

describe('reminders and escalation', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy, slack: { usergroups: { S0APPROVERS: ['U0GROUPIE1'] } } });
  });
  afterAll(() => harness.stop());

  const thread = (card: RecordedMessage) => harness.slack.threadReplies(card.channel, card.ts).map(messageText);
  const reminders = (card: RecordedMessage) => thread(card).filter((text) => text.includes('🔔'));
  const dms = (userId: string, requestId: string) =>
    harness.slack.messages(harness.slack.dmChannelFor(userId)).map(messageText).filter((text) => text.includes(requestId));

  async function request(command: string, text: string) {
    await harness.command(command, text, { userId: oncall });
    const card = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true && messageText(m).includes(text.split(' ')[1]));
    const requestId = requestIdOf(card);
    // The card is kept with its request before time moves on, so that its thread can be found.
    await harness.slack.waitFor(async () => (await harness.requests()).find((r) => r.id === requestId)?.card, { description: 'the card stored' });
    return { card, requestId };
  }

  /** Moves the clock, then lets two sweeps run wholly after the move. */
  async function advance(ms: number) {
    harness.clock.advance(ms);
    const seen = harness.logs.length;
    await harness.slack.waitFor(() => harness.logs.slice(seen).filter((line) => line.includes('"msg":"swept"')).length >= 2, {
      description: 'two sweeps after the clock moved',
    });
  }

  test('a reminder every interval in the thread and to each approver listed, none once approved', async () => {
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
    await advance(4 * minute);
    expect(reminders(card)).toEqual([]);

    await advance(minute);
    await harness.slack.waitFor(() => reminders(card).length === 1 && approvers.every((id) => dms(id, requestId).length === 1), {
      description: 'the first reminder, in the thread and to each approver',
    });
    const [first] = reminders(card);
    expect(first).toContain(`${requestId}`);
    expect(first).toContain('1 more approval');
    for (const id of approvers) expect(first).toContain(`<@${id}>`);
    expect(first).toContain('<!subteam^S0APPROVERS>');
    expect(first).not.toContain(`<@${oncall}>`);
    expect(dms(approvers[0], requestId)[0]).toContain('is waiting for your approval');
    // The requester is never reminded of their own request.
    expect(dms(oncall, requestId)).toEqual([]);

    await advance(5 * minute);
    await harness.slack.waitFor(() => reminders(card).length === 2 && approvers.every((id) => dms(id, requestId).length === 2), {
      description: 'the second reminder',
    });

    await harness.click(card, 'Approve', approvers[0]);
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 grant'), {
      description: 'the request run',
    });
    await advance(5 * minute);
    await advance(5 * minute);
    expect(reminders(card)).toHaveLength(2);
    expect(dms(approvers[1], requestId)).toHaveLength(2);
  });

  test('escalation at `after`: refused before, told and counted after; reminders then name the escalated role', async () => {
    const { card, requestId } = await request('/delete-peer', `${ids.instance} ${ids.peer(1)} rogue peer`);
    const deletions = harness.simulator.calls.count({ method: 'DELETE' });
    await harness.click(card, 'Approve', approvers[0]);
    await harness.slack.waitFor(() => thread(card).some((text) => text.includes('approved (1 of 2)')), { description: 'the first approval' });

    await advance(4 * minute);
    const early = await harness.click(card, 'Approve', lead);
    const [refusal] = await harness.waitForResponses(early.responseUrlId);
    expect(messageText(refusal.body)).toContain('only once one has waited 10 minutes');
    const refused = (await harness.audit()).filter((entry) => entry.requestId === requestId && entry.event === 'refused');
    expect(refused).toEqual([expect.objectContaining({ actorId: lead, outcome: 'not_escalated_yet' })]);

    await advance(minute);
    await harness.slack.waitFor(() => reminders(card).length === 1, { description: 'the reminder before escalation' });
    expect(reminders(card)[0]).not.toContain(`<@${lead}>`);
    // Who already approved is not reminded.
    expect(reminders(card)[0]).not.toContain(`<@${approvers[0]}>`);
    expect(dms(approvers[0], requestId)).toEqual([]);
    expect(dms(lead, requestId)).toEqual([]);

    await advance(5 * minute);
    await harness.slack.waitFor(() => thread(card).some((text) => text.includes('⏫')) && dms(lead, requestId).length === 1, {
      description: 'the escalation, in the thread and to the lead',
    });
    const escalation = thread(card).find((text) => text.includes('⏫'))!;
    expect(escalation).toContain(`<@${lead}> may now approve or deny it too`);
    expect(dms(lead, requestId)[0]).toContain(`You may now approve \`${requestId}\` (escalated after 10 minutes)`);
    // The reminder falling due with the escalation leaves the lead to it; the next names them.
    await harness.slack.waitFor(() => reminders(card).length === 2, { description: 'the reminder with the escalation' });
    expect(reminders(card)[1]).not.toContain(`<@${lead}>`);
    await advance(5 * minute);
    await harness.slack.waitFor(() => reminders(card).length === 3, { description: 'the reminder after the escalation' });
    expect(reminders(card)[2]).toContain(`<@${lead}>`);
    expect(dms(lead, requestId)).toHaveLength(2);
    // Escalated once, however many sweeps pass.
    expect(thread(card).filter((text) => text.includes('⏫'))).toHaveLength(1);

    await harness.click(card, 'Approve', lead);
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 peer'), {
      description: 'the request run on the escalated approval',
    });
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(deletions + 1);
  });

  test('expiry still ends a reminded, escalated request, and nothing is said of it after', async () => {
    const { card, requestId } = await request('/delete-peer', `${ids.instance} ${ids.peer(2)} stale peer`);
    await advance(10 * minute);
    await harness.slack.waitFor(() => thread(card).some((text) => text.includes('⏫')), { description: 'the escalation' });
    await advance(20 * minute);
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.startsWith('Expired'), { description: 'the expiry' });
    const said = thread(card).length;
    const told = dms(lead, requestId).length;
    await advance(5 * minute);
    await advance(5 * minute);
    expect(thread(card)).toHaveLength(said);
    expect(dms(lead, requestId)).toHaveLength(told);
    expect((await harness.requests()).find((r) => r.id === requestId)?.status).toBe('expired');
  });

  test('a reminder Slack refuses is kept, and delivered once Slack takes it again', async () => {
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(2)} contractor left`);
    const owedBefore = harness.owedCount();
    harness.slack.failMethod('chat.postMessage', { error: 'ratelimited' });
    await advance(5 * minute);
    await harness.slack.waitFor(() => harness.owedCount() === owedBefore + 3, { description: 'the thread note and both DMs kept' });
    expect(reminders(card)).toEqual([]);

    harness.slack.clearFailures();
    await advance(31_000);
    await harness.slack.waitFor(() => reminders(card).length === 1 && approvers.every((id) => dms(id, requestId).length === 1), {
      description: 'the kept reminder delivered',
    });
    await harness.slack.waitFor(() => harness.owedCount() === owedBefore, { description: 'nothing of it owed any more' });
  });
});

const describeWithPostgres = testDatabaseUrl ? describe : describe.skip;
// Without TEST_DATABASE_URL this is reported as skipped (CI sets it), never passed silently.
describeWithPostgres('two replicas on one PostgreSQL database', () => {
  let slack: FakeSlack;
  let simulator: Simulator;
  let schema: string;
  let dir: string;
  const bots: RunningBot[] = [];
  const logs: string[][] = [[], []];
  const clock = new TestClock();

  beforeAll(async () => {
    slack = new FakeSlack({ usergroups: { S0APPROVERS: [] } });
    await slack.start();
    simulator = createSimulator({ seed: { sites: [], organizations: [], vpnInstances: [{ id: ids.instance, peers: [ids.peer(1)] }] } });
    const vendorUrl = await simulator.start(0);
    schema = schemaName('twokey_reminders');
    await createSchema(schema);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-reminders-'));
    fs.writeFileSync(path.join(dir, 'policy.yml'), policy);
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      ALTOSTRAT_API_URL: vendorUrl,
      ALTOSTRAT_API_TOKEN: simulator.tokens.altostrat,
      AITRONOS_API_URL: vendorUrl,
      AITRONOS_API_TOKEN: simulator.tokens.aitronos,
      POLICY_FILE: path.join(dir, 'policy.yml'),
      DATABASE_URL: schemaUrl(schema),
    });
    // Both sweep often, so that their sweeps overlap: each reminder must still go out once.
    for (const lines of logs) {
      const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
      bots.push(await startBot(config, { logger, now: clock.now, sweepIntervalMs: 10 }));
    }
  });

  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await simulator.stop();
    await slack.stop();
    await dropSchema(schema);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Moves the shared clock, then lets each replica sweep twice wholly after the move. */
  async function advance(ms: number) {
    clock.advance(ms);
    const seen = logs.map((lines) => lines.length);
    await slack.waitFor(
      () => logs.every((lines, i) => lines.slice(seen[i]).filter((line) => line.includes('"msg":"swept"')).length >= 2),
      { description: 'two sweeps by each replica after the clock moved' },
    );
  }

  test('each reminder and the escalation are sent once between them', async () => {
    const events = (bot: RunningBot) => `http://127.0.0.1:${bot.port}/slack/events`;
    const body = slashCommandBody({
      command: '/delete-peer',
      text: `${ids.instance} ${ids.peer(1)} two replicas`,
      user_id: oncall,
      channel_id: incidentChannel.id,
      channel_name: incidentChannel.name,
      response_url: slack.responseUrl('replicas-command', { channel: incidentChannel.id, user: oncall }),
    });
    expect((await postToSlackEndpoint(events(bots[0]), body, signingSecret)).status).toBe(200);
    const card = await slack.waitFor(() => slack.messages(incidentChannel.id)[0], { description: 'the card' });
    const requestId = requestIdOf(card);
    const thread = () => slack.threadReplies(card.channel, card.ts).map(messageText);
    const dmsTo = (userId: string) => slack.messages(slack.dmChannelFor(userId)).map(messageText).filter((text) => text.includes(requestId));
    // The card is kept with the request before time moves on, so that its thread can be found.
    const store = await PostgresStore.connect(schemaUrl(schema));
    try {
      await slack.waitFor(async () => (await store.getRequest(requestId))?.card, { description: 'the card stored' });
    } finally {
      await store.close();
    }

    for (const interval of [1, 2, 3]) {
      await advance(5 * minute);
      await slack.waitFor(() => thread().filter((text) => text.includes('🔔')).length === interval, { description: `reminder ${interval}` });
      await advance(0);
      expect(thread().filter((text) => text.includes('🔔'))).toHaveLength(interval);
      for (const id of approvers) expect(dmsTo(id).filter((text) => text.includes('Reminder'))).toHaveLength(interval);
    }
    await slack.waitFor(() => dmsTo(lead).length > 0, { description: 'the escalation' });
    await advance(0);
    expect(thread().filter((text) => text.includes('⏫'))).toHaveLength(1);
    expect(dmsTo(lead).filter((text) => text.includes('You may now approve'))).toHaveLength(1);

    // The other replica, taking the click, counts the escalated approval too.
    for (const [i, approver] of [approvers[0], lead].entries()) {
      const responseUrl = slack.responseUrl(`replicas-click-${i}`, { channel: card.channel, user: approver, messageTs: card.ts });
      const payload = blockActionsPayload(card, 'Approve', { user: { id: approver }, responseUrl });
      expect((await postToSlackEndpoint(events(bots[1]), blockActionsBody(payload), signingSecret)).status).toBe(200);
      await slack.waitFor(() => thread().some((text) => text.includes(`approved (${i + 1} of 2)`)), { description: `approval ${i + 1}` });
    }
    await slack.waitFor(() => slack.message(card.channel, card.ts)?.text?.includes('done for 1 peer'), { description: 'the request run' });
    expect(simulator.calls.count({ method: 'DELETE' })).toBe(1);
  });
  test('a break-glass run left unstarted is started by one replica: one notice, one run, each approver told once', async () => {
    // Stored as a command stores it, by a process that stopped before it could post or start anything.
    const requestId = 'R-BGSTAL';
    const store = await PostgresStore.connect(schemaUrl(schema));
    try {
      const at = clock.now();
      await store.createRequest(
        {
          id: requestId,
          operation: 'delete-peer',
          requesterId: lead,
          channelId: incidentChannel.id,
          parentId: ids.instance,
          targetIds: [ids.peer(1)],
          reason: 'peer token leaked and nobody is awake to approve',
          approvalsRequired: 2,
          status: 'approved',
          createdAt: at,
          expiresAt: new Date(at.getTime() + 30 * minute),
          breakGlass: true,
        },
        { event: 'break_glass', actorId: lead, detail: 'peer token leaked and nobody is awake to approve' },
      );
    } finally {
      await store.close();
    }
    const deletes = simulator.calls.count({ method: 'DELETE' });
    const notices = () => slack.messages(incidentChannel.id).filter((m) => m.text?.startsWith('Break-glass') && messageText(m).includes(requestId));
    const dmsTo = (userId: string) => slack.messages(slack.dmChannelFor(userId)).map(messageText).filter((text) => text.includes(requestId));

    await advance(31_000);
    await slack.waitFor(() => approvers.every((id) => dmsTo(id).length > 0) && notices().length > 0 || undefined, {
      description: 'the notice and the approvers told',
    });
    await advance(0);
    expect(notices()).toHaveLength(1);
    expect(simulator.calls.count({ method: 'DELETE' })).toBe(deletes + 1);
    for (const id of approvers) expect(dmsTo(id)).toHaveLength(1);
  });
});
