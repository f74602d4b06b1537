import { buttonsOf } from '../support/signing';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { SqliteStore } from '../../src/store/sqlite';

const approver2 = 'U0APPROVER2';

describe('two-person approval from Slack', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  async function request(command: string, text: string, userId: string = users.oncall) {
    await harness.command(command, text, { userId });
    const posted = await harness.slack.waitFor(
      () => harness.slack.messages(incidentChannel.id).find((m) => m.text?.startsWith('Approval needed')),
      { description: 'an approval card' },
    );
    return { card: posted, requestId: /R-[A-Z0-9]{6}/.exec(messageText(posted))![0] };
  }

  async function privateAnswer(responseUrlId: string) {
    const [response] = await harness.waitForResponses(responseUrlId);
    expect(response.body.response_type).toBe('ephemeral');
    // A click's answer must never take the card's place.
    expect(response.body.replace_original).toBe(false);
    return messageText(response.body);
  }

  const cardNow = (card: { channel: string; ts: string }) => harness.slack.message(card.channel, card.ts)!;
  const thread = (card: { channel: string; ts: string }) => harness.slack.threadReplies(card.channel, card.ts).map(messageText).join('\n');

  test('one approval: the card shows the request, the approver runs it once, everyone hears the outcome', async () => {
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(1)} ${ids.grant(2)} offboarding bob`);
    const text = messageText(card);
    expect(text).toContain(`<@${users.oncall}>`);
    expect(text).toContain(ids.grant(1));
    expect(text).toContain(ids.grant(2));
    expect(text).toContain('offboarding bob');
    expect(text).toContain('0 of 1');
    expect(text).toContain('Expires in 15 minutes');
    expect(buttonsOf(card.blocks).map(({ button }) => [button.action_id, button.style])).toEqual([
      ['twokey_approve', 'primary'],
      ['twokey_deny', 'danger'],
      ['twokey_cancel', undefined],
    ]);
    // Deny's confirmation is the modal that asks for its reason (deny-reason.test.ts).
    expect(buttonsOf(card.blocks)[1].button.confirm).toBeUndefined();
    expect(harness.simulator.calls.count()).toBe(0);

    const { post } = await harness.click(card, 'Approve', users.approver);
    expect(post?.status).toBe(200);
    await harness.slack.waitFor(() => cardNow(card).text?.includes('done for 2 grants'), { description: 'the final card' });
    const final = cardNow(card);
    expect(buttonsOf(final.blocks)).toHaveLength(0);
    expect(messageText(final)).toContain(`1 of 1 — <@${users.approver}>`);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(2);
    await harness.slack.waitFor(() => thread(card).includes('done for 2 grants'), { description: 'the outcome in the thread' });
    expect(thread(card)).toContain(`<@${users.approver}> approved (1 of 1)`);
    const dm = await harness.slack.waitFor(() => harness.slack.messages(harness.slack.dmChannelFor(users.oncall))[0], {
      description: 'a DM to the requester',
    });
    expect(messageText(dm)).toContain(requestId);
    expect(messageText(dm)).toContain('finished');
    const events = (await harness.audit()).filter((entry) => entry.requestId === requestId).map((entry) => entry.event);
    expect(events).toEqual(['requested', 'approved', 'execution_started', 'executed']);
  });

  test('two approvals: the same approver twice counts once; the second approver runs it', async () => {
    const { card } = await request('/delete-peer', `${ids.instance} ${ids.peer(1)} lost laptop`);
    await harness.click(card, 'Approve', users.approver);
    await harness.slack.waitFor(() => messageText(cardNow(card)).includes(`1 of 2 — <@${users.approver}>`), { description: '1 of 2' });
    const again = await harness.click(cardNow(card), 'Approve', users.approver);
    expect(await privateAnswer(again.responseUrlId)).toContain('already approved');
    expect(harness.simulator.calls.count()).toBe(0);
    expect(buttonsOf(cardNow(card).blocks)).toHaveLength(3);

    await harness.click(cardNow(card), 'Approve', approver2);
    await harness.slack.waitFor(() => cardNow(card).text?.includes('done for 1 peer'), { description: 'the final card' });
    expect(messageText(cardNow(card))).toContain(`2 of 2 — <@${users.approver}>, <@${approver2}>`);
    expect(harness.simulator.calls.count()).toBe(1);
    expect(harness.simulator.state.hasPeer(ids.instance, ids.peer(1))).toBe(false);
  });

  test('self-approval and approval without the role are refused privately and change nothing', async () => {
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(3)}`, users.admin);
    const own = await harness.click(card, 'Approve', users.admin);
    expect(await privateAnswer(own.responseUrlId)).toMatch(/own request/i);
    const stranger = await harness.click(card, 'Approve', users.stranger);
    expect(await privateAnswer(stranger.responseUrlId)).toMatch(/may not approve/i);
    expect(messageText(cardNow(card))).toContain('0 of 1');
    expect(harness.simulator.calls.count()).toBe(0);
    const refused = (await harness.audit()).filter((entry) => entry.requestId === requestId && entry.event === 'refused');
    expect(refused.map((entry) => entry.actorId)).toEqual([users.admin, users.stranger]);
  });

  test('deny ends the request; nothing runs and later clicks are refused', async () => {
    const { card } = await request('/revoke-grant', `${ids.organization} ${ids.grant(4)}`);
    const stranger = await harness.click(card, 'Deny', users.stranger);
    expect(await privateAnswer(stranger.responseUrlId)).toMatch(/may not deny/i);
    await harness.click(card, 'Deny', users.approver);
    await harness.slack.waitFor(() => cardNow(card).text?.startsWith('Denied by'), { description: 'the denied card' });
    expect(buttonsOf(cardNow(card).blocks)).toHaveLength(0);
    await harness.slack.waitFor(() => thread(card).includes('denied the request'), { description: 'the denial in the thread' });
    const late = await harness.click(card, 'Approve', approver2);
    expect(await privateAnswer(late.responseUrlId)).toContain('already finished (denied)');
    expect(harness.simulator.calls.count()).toBe(0);
    expect(harness.simulator.state.hasGrant(ids.organization, ids.grant(4))).toBe(true);
  });

  test('cancel by the requester; others may not; /twokey cancel works too', async () => {
    const first = await request('/revoke-grant', `${ids.organization} ${ids.grant(5)}`);
    const other = await harness.click(first.card, 'Cancel', users.approver);
    expect(await privateAnswer(other.responseUrlId)).toContain('Only the requester or an admin');
    await harness.click(first.card, 'Cancel', users.oncall);
    await harness.slack.waitFor(() => cardNow(first.card).text?.startsWith('Cancelled by'), { description: 'the cancelled card' });

    harness.slack.reset();
    const second = await request('/revoke-grant', `${ids.organization} ${ids.grant(6)}`);
    await harness.command('/twokey', `cancel ${second.requestId}`, { userId: users.admin });
    await harness.slack.waitFor(() => cardNow(second.card).text?.startsWith('Cancelled by'), { description: 'cancelled by an admin' });
    expect(messageText(cardNow(second.card))).toContain(`<@${users.admin}>`);
    expect(harness.simulator.calls.count()).toBe(0);
  });

  test('a required reason is asked for before any card is posted', async () => {
    const { responseUrlId } = await harness.command('/rotate-credentials', ids.site);
    expect(await privateAnswer(responseUrlId)).toContain('A reason is required for /rotate-credentials');
    expect(harness.slack.messages(incidentChannel.id)).toHaveLength(0);
  });

  test('expiry: the card says so, nothing runs, and later approvals are refused', async () => {
    const { card, requestId } = await request('/rotate-credentials', `${ids.site} leaked key`);
    harness.clock.advance(16 * 60_000);
    await harness.slack.waitFor(() => cardNow(card).text?.startsWith('Expired'), { description: 'the expired card' });
    expect(buttonsOf(cardNow(card).blocks)).toHaveLength(0);
    await harness.slack.waitFor(() => thread(card).includes('expired'), { description: 'expiry in the thread' });
    const late = await harness.click(card, 'Approve', users.approver);
    expect(await privateAnswer(late.responseUrlId)).toContain('already finished (expired)');
    expect(harness.simulator.calls.count()).toBe(0);
    expect((await harness.audit()).filter((e) => e.requestId === requestId).map((e) => e.event)).toEqual(['requested', 'expired']);
  });

  test('a vendor failure after approval shows on the card and in the thread, and is audited', async () => {
    harness.simulator.faults.add({ method: 'DELETE', action: { type: 'status', status: 403 } });
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(7)}`);
    await harness.click(card, 'Approve', users.approver);
    await harness.slack.waitFor(() => cardNow(card).text?.includes('failed for the grant'), { description: 'the failed card' });
    expect(messageText(cardNow(card))).toContain('*403*');
    await harness.slack.waitFor(() => thread(card).includes('lacks a permission'), { description: 'the failure in the thread' });
    const executed = (await harness.audit()).find((entry) => entry.requestId === requestId && entry.event === 'executed');
    expect(executed).toMatchObject({ outcome: 'failed' });
    expect(executed?.detail).toContain('403');
  });

  test('/twokey pending lists open requests with a link to each card; /twokey audit shows the log', async () => {
    const { card, requestId } = await request('/revoke-grant', `${ids.organization} ${ids.grant(8)}`);
    const pending = await harness.command('/twokey', 'pending');
    const text = await privateAnswer(pending.responseUrlId);
    expect(text).toContain(requestId);
    expect(text).toContain(`https://slack.com/archives/${card.channel}/p${card.ts.replace('.', '')}`);
    const audit = await harness.command('/twokey', 'audit 5', { userId: users.admin });
    expect(await privateAnswer(audit.responseUrlId)).toContain(requestId);
    const stranger = await harness.command('/twokey', 'audit', { userId: users.stranger });
    expect(await privateAnswer(stranger.responseUrlId)).toContain('Only people who hold a twokey role');
  });
});

describe('exactly once', () => {
  const approvers = Array.from({ length: 20 }, (_, i) => `U0APPR${String(i).padStart(2, '0')}`);
  const crowdPolicy = approvalPolicy.replace(`users: [${users.approver}, U0APPROVER2, U0APPROVER3]`, `users: [${approvers.join(', ')}]`);

  test('20 approve clicks at once run the operation exactly once', async () => {
    const harness = await Harness.start({ policy: crowdPolicy });
    try {
      harness.simulator.latencyMs = 30;
      await harness.command('/delete-peer', `${ids.instance} ${ids.peer(2)} compromised`);
      const card = await harness.slack.waitFor(() => harness.slack.messages(incidentChannel.id)[0], { description: 'the card' });
      const clicks = await Promise.all(approvers.map((approver) => harness.click(card, 'Approve', approver)));
      expect(clicks.every((click) => click.post?.status === 200)).toBe(true);
      await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 peer'), {
        description: 'the final card',
      });
      // Let every click finish before counting.
      await harness.slack.waitFor(() => harness.slack.responses().length + harness.slack.threadReplies(card.channel, card.ts).length >= 20, {
        description: 'every click answered',
      });
      expect(harness.simulator.calls.count()).toBe(1);
      const audit = await harness.audit();
      expect(audit.filter((entry) => entry.event === 'execution_started')).toHaveLength(1);
      expect(audit.filter((entry) => entry.event === 'approved').length).toBeGreaterThanOrEqual(2);
    } finally {
      await harness.stop();
    }
  });
});

describe('restarts', () => {
  test('a request survives a restart: the approval after it still works, once', async () => {
    const harness = await Harness.start({ policy: approvalPolicy });
    try {
      await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(9)} restart drill`);
      const card = await harness.slack.waitFor(() => harness.slack.messages(incidentChannel.id)[0], { description: 'the card' });
      await harness.restart();
      await harness.click(card, 'Approve', users.approver);
      await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 1 grant'), {
        description: 'the final card',
      });
      expect(harness.simulator.calls.count()).toBe(1);
    } finally {
      await harness.stop();
    }
  });

  test('an execution cut off by a stop is reported as outcome unknown, never re-run', async () => {
    const harness = await Harness.start({ policy: approvalPolicy });
    try {
      await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(10)} cut off`);
      const card = await harness.slack.waitFor(() => harness.slack.messages(incidentChannel.id)[0], { description: 'the card' });
      const requestId = /R-[A-Z0-9]{6}/.exec(messageText(card))![0];
      // What a process that died mid-call leaves behind: approved, started, never finished.
      const store = new SqliteStore(harness.databaseFile);
      await store.addApproval(requestId, users.approver, new Date());
      await store.transition(requestId, 'complete', { at: new Date() });
      await store.transition(requestId, 'start', { at: new Date() });
      await store.close();

      await harness.restart();
      await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('outcome unknown'), {
        description: 'the card saying the outcome is unknown',
      });
      expect(harness.simulator.calls.count()).toBe(0);
      const executed = (await harness.audit()).find((entry) => entry.requestId === requestId && entry.event === 'executed');
      expect(executed).toMatchObject({ outcome: 'outcome_unknown' });
    } finally {
      await harness.stop();
    }
  });
});
