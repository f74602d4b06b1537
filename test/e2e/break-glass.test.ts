/**
 * PRODUCT.md §10, break-glass: a holder of a `break_glass` role may run an action at once with
 * `--break-glass` and a reason of at least 20 characters. The channel gets a loud notice with a
 * Review button, every approver a DM, the audit channel a line, the audit log a `break_glass`
 * entry; a review is audited, once; `/twokey audit` shows unreviewed uses first. A misuse is
 * refused privately, audited, and calls no vendor.
 */
import type { RecordedMessage } from '../support/fake-slack';
import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { buttonsOf } from '../support/signing';
import { failWritesInto } from '../support/sqlite-faults';

const auditChannel = 'C0AUDIT01';
const lead = 'U0LEAD1';
const approverGroup = 'S0APPROVERS';
const guestApprover = 'U0GUEST1';
const reason = 'database credentials leaked in #general, revoking';
// `lead` may break glass without being able to request; `oncall` may request but not break glass.
const policy = `
roles:
  oncall:   { users: [${users.oncall}] }
  approver: { users: [${users.approver}, ${guestApprover}], usergroups: [${approverGroup}] }
  lead:     { users: [${lead}] }
channels: [${incidentChannel.id}]
actions:
  delete-peer:   { request: [oncall], approvals: 2, approve: [approver], break_glass: [lead] }
  revoke-grant:  { request: [oncall, lead], approvals: 1, approve: [approver] }
  revoke-access: { request: [oncall], approvals: 0 }
audit_channel: ${auditChannel}
`;

const requestIdIn = (message: { text?: string; blocks?: unknown[] }) => /R-[A-Z0-9]{6}/.exec(messageText(message))![0];
const buttonTexts = (message: RecordedMessage) => buttonsOf(message.blocks).map(({ button }) => (button.text as { text: string }).text);

describe('break-glass', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({
      policy,
      slack: { usergroups: { [approverGroup]: [users.groupMember] }, users: { [guestApprover]: { is_restricted: true } } },
    });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  const dmsTo = (userId: string) => harness.slack.messages(harness.slack.dmChannelFor(userId));
  const auditLines = () => harness.slack.messages(auditChannel).map((message) => message.text ?? '');
  const entriesOf = async (requestId: string) => (await harness.audit()).filter((entry) => entry.requestId === requestId);

  async function privateAnswer(responseUrlId: string): Promise<string> {
    const [response] = await harness.waitForResponses(responseUrlId);
    expect(response.body.response_type).toBe('ephemeral');
    return messageText(response.body);
  }

  async function breakGlassCount(): Promise<number> {
    const body = await (await fetch(`http://127.0.0.1:${harness.bot.port}/metrics`)).text();
    const line = body.split('\n').find((l) => l.startsWith('twokey_break_glass_total{operation="delete-peer"}'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  /** Breaks glass on peer `n` as `lead`, and waits for the notice to show the outcome and the approvers' DMs to arrive. */
  async function breakGlass(n = 1): Promise<{ notice: RecordedMessage; requestId: string }> {
    await harness.command('/delete-peer', `${ids.instance} ${ids.peer(n)} --break-glass ${reason}`, { userId: lead });
    const posted = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Break-glass') ?? false);
    const requestId = requestIdIn(posted);
    await harness.slack.waitFor(() => harness.slack.message(posted.channel, posted.ts)!.text?.includes('done for 1 peer') || undefined, {
      description: 'the notice updated with the outcome',
    });
    await harness.slack.waitFor(() => (dmsTo(users.groupMember).length > 0 ? true : undefined), { description: "the approvers' DMs" });
    return { notice: harness.slack.message(posted.channel, posted.ts)!, requestId };
  }

  test('runs at once without approval, loudly: notice, thread, every approver a DM, audit channel, audit log, metric', async () => {
    const before = await breakGlassCount();
    const { notice, requestId } = await breakGlass();

    // Run at once: one DELETE, no approval card, no waiting.
    expect(harness.simulator.calls.count()).toBe(1);
    const [stored] = await harness.requests();
    expect(stored).toMatchObject({ id: requestId, status: 'succeeded', breakGlass: true, approvals: [] });
    expect(stored.review).toBeUndefined();

    // The notice: who ran what without approval and why, the outcome, the Review button.
    const text = messageText(notice);
    expect(notice.text).toContain(`Break-glass: <@${lead}> ran delete VPN peers without approval`);
    expect(text).toContain(reason);
    expect(text).toContain('none: break-glass (the policy asks for 2)');
    expect(text).toContain('waiting for an approver');
    expect(buttonTexts(notice)).toEqual(['Review']);

    // Its thread names the approvers, user groups included, and carries the outcome.
    const thread = harness.slack.threadReplies(notice.channel, notice.ts).map(messageText);
    expect(thread.find((line) => line.includes('is a break-glass use'))).toEqual(
      expect.stringContaining(`<!subteam^${approverGroup}>, <@${users.approver}>, <@${guestApprover}>`),
    );
    await harness.slack.waitFor(
      () => harness.slack.threadReplies(notice.channel, notice.ts).find((m) => messageText(m).includes('Delete VPN peers: done for 1 peer')),
      { description: 'the outcome in the thread' },
    );

    // Every approver a DM with the Review button: those listed by ID and the group's members; not the one who broke glass.
    for (const approver of [users.approver, guestApprover, users.groupMember]) {
      const [dm] = dmsTo(approver);
      expect(messageText(dm)).toContain(`Break-glass: <@${lead}> ran /delete-peer on 1 peer without approval`);
      expect(buttonTexts(dm)).toEqual(['Review']);
    }
    expect(dmsTo(lead).some((dm) => messageText(dm).includes('Review'))).toBe(false);

    // The audit channel: the use, with its reason, and its outcome.
    await harness.slack.waitFor(() => (auditLines().length >= 2 ? true : undefined), { description: 'two audit-channel lines' });
    expect(auditLines()).toEqual(
      expect.arrayContaining([
        `🚨 Break-glass \`${requestId}\` delete-peer: 1 peer on VPN instance \`${ids.instance}\`, run by <@${lead}> without approval. Reason: ${reason}`,
        expect.stringMatching(new RegExp(`^✅ \`${requestId}\` delete-peer succeeded: .*, break-glass, without approval$`)),
      ]),
    );

    // The audit log: a break_glass entry with the reason, then the execution.
    const entries = await entriesOf(requestId);
    expect(entries.map((entry) => entry.event)).toEqual(['break_glass', 'execution_started', 'executed']);
    expect(entries.find((entry) => entry.event === 'break_glass')).toMatchObject({ actorId: lead, detail: reason, targets: [ids.instance, ids.peer(1)] });

    expect(await breakGlassCount()).toBe(before + 1);
    expect(harness.logs.some((line) => line.includes('"msg":"break-glass used"') && line.includes(requestId))).toBe(true);
  });

  describe('a misuse is refused privately, audited, and opens no request nor calls a vendor', () => {
    test.each([
      {
        what: 'an action without break_glass',
        command: '/revoke-grant',
        text: `${ids.organization} ${ids.grant(1)} --break-glass ${reason}`,
        userId: lead,
        outcome: 'break_glass_not_enabled',
        says: 'revoke-grant has no break-glass in the twokey policy: it always waits for an approval.',
      },
      {
        what: 'someone without a break_glass role',
        command: '/delete-peer',
        text: `${ids.instance} ${ids.peer(1)} --break-glass ${reason}`,
        userId: users.oncall,
        outcome: 'no_role',
        says: 'You may not break glass on delete-peer: that needs one of the roles lead, and you hold none of them.',
      },
      {
        what: 'a reason under 20 characters',
        command: '/delete-peer',
        text: `${ids.instance} ${ids.peer(1)} --break-glass it is urgent`,
        userId: lead,
        outcome: 'reason_too_short',
        says: 'it needs a reason of at least 20 characters saying what is on fire; yours has 12.',
      },
      {
        what: 'no reason at all',
        command: '/delete-peer',
        text: `${ids.instance} ${ids.peer(1)} --break-glass`,
        userId: lead,
        outcome: 'reason_too_short',
        says: 'none was given',
      },
      {
        what: 'a channel where requests may not be made',
        command: '/delete-peer',
        text: `${ids.instance} ${ids.peer(1)} --break-glass ${reason}`,
        userId: lead,
        channelId: 'C0RANDOM1',
        outcome: 'channel_not_allowed',
        says: 'delete-peer may not be requested in this channel',
      },
    ])('$what', async ({ command, text, userId, outcome, says, channelId }) => {
      const [auditBefore, requestsBefore] = [(await harness.audit()).length, (await harness.requests()).length];
      const { responseUrlId } = await harness.command(command, text, { userId, channelId });

      expect(await privateAnswer(responseUrlId)).toContain(says);
      expect((await harness.audit()).slice(auditBefore)).toEqual([expect.objectContaining({ event: 'refused', actorId: userId, outcome })]);
      expect(await harness.requests()).toHaveLength(requestsBefore);
      expect(harness.simulator.calls.count()).toBe(0);
      expect(harness.slack.messages(incidentChannel.id)).toEqual([]);
      await harness.slack.waitFor(() => (auditLines().length > 0 ? true : undefined), { description: 'the refusal line' });
      expect(auditLines()).toEqual([expect.stringContaining(`⛔ Refused <@${userId}> ${command.slice(1)}`)]);
    });

    test('--break-glass without targets is a usage error: no listing is made', async () => {
      const { responseUrlId } = await harness.command('/delete-peer', `${ids.instance} --break-glass ${reason}`, { userId: lead });
      expect(await privateAnswer(responseUrlId)).toContain('`--break-glass` runs at once: name the peers, or add `--all` to act on every one listed.');
      expect(harness.simulator.calls.count()).toBe(0);
    });

    test('a dry run checks it all and says it would run at once, calling nothing', async () => {
      const { responseUrlId } = await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)} --dry-run --break-glass ${reason}`, { userId: lead });
      expect(await privateAnswer(responseUrlId)).toContain('With `--break-glass` it would run at once, without approval');
      expect(harness.simulator.calls.count()).toBe(0);
      expect(harness.slack.messages(incidentChannel.id)).toEqual([]);
    });
  });

  test('--break-glass --all acts on every target listed at once', async () => {
    await harness.command('/delete-peer', `${ids.instance} --all --break-glass ${reason}`, { userId: lead });
    const notice = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Break-glass') ?? false);
    await harness.slack.waitFor(() => harness.slack.message(notice.channel, notice.ts)!.text?.includes('done for 10 peers') || undefined, {
      description: 'every peer deleted',
    });
    const [stored] = await harness.requests();
    expect(stored).toMatchObject({ breakGlass: true, status: 'succeeded' });
    expect(stored.targetIds).toHaveLength(10);
  });

  describe('the Review button', () => {
    test('an approver reviews once: notice, thread, requester, audit log and audit channel say who and when', async () => {
      const { notice, requestId } = await breakGlass();
      const click = await harness.click(notice, 'Review', users.approver);

      expect(await privateAnswer(click.responseUrlId)).toContain(`You reviewed the break-glass use \`${requestId}\``);
      const reviewed = await harness.slack.waitFor(
        () => {
          const now = harness.slack.message(notice.channel, notice.ts)!;
          return messageText(now).includes('reviewed by') ? now : undefined;
        },
        { description: 'the notice showing its review' },
      );
      expect(messageText(reviewed)).toContain(`reviewed by <@${users.approver}> <!date^`);
      expect(buttonTexts(reviewed)).toEqual([]);
      await harness.slack.waitFor(
        () => harness.slack.threadReplies(notice.channel, notice.ts).find((m) => messageText(m).includes(`<@${users.approver}> reviewed this break-glass use`)),
        { description: 'the thread note' },
      );
      await harness.slack.waitFor(() => dmsTo(lead).find((dm) => messageText(dm).includes(`was reviewed by <@${users.approver}>`)), {
        description: "the requester's DM",
      });
      await harness.slack.waitFor(() => auditLines().find((line) => line.startsWith(`👀 \`${requestId}\``)), { description: 'the audit-channel line' });
      expect(auditLines()).toContain(`👀 \`${requestId}\` break-glass use by <@${lead}> reviewed by <@${users.approver}>`);

      const [stored] = await harness.requests();
      expect(stored.review).toEqual({ userId: users.approver, at: expect.any(Date) });
      const reviews = (await entriesOf(requestId)).filter((entry) => entry.event === 'reviewed');
      expect(reviews).toEqual([expect.objectContaining({ actorId: users.approver, operation: 'delete-peer', channelId: incidentChannel.id })]);

      // A second review, from a DM's button, is told who reviewed it; nothing more is recorded.
      const [dm] = dmsTo(users.groupMember);
      const second = await harness.click(dm, 'Review', users.groupMember);
      expect(await privateAnswer(second.responseUrlId)).toContain(`was already reviewed by <@${users.approver}>`);
      expect((await entriesOf(requestId)).filter((entry) => entry.event === 'reviewed')).toHaveLength(1);
    });

    test('two approvers pressing Review at once: exactly one review is recorded', async () => {
      const { notice, requestId } = await breakGlass();
      const [a, b] = await Promise.all([harness.click(notice, 'Review', users.approver), harness.click(notice, 'Review', users.groupMember)]);
      const answers = [await privateAnswer(a.responseUrlId), await privateAnswer(b.responseUrlId)];
      expect(answers.filter((answer) => answer.includes('You reviewed'))).toHaveLength(1);
      expect(answers.filter((answer) => answer.includes('was already reviewed'))).toHaveLength(1);
      expect((await entriesOf(requestId)).filter((entry) => entry.event === 'reviewed')).toHaveLength(1);
    });

    test.each([
      { who: 'the one who broke glass', userId: lead, outcome: 'own_break_glass', says: 'You cannot review your own break-glass use' },
      { who: 'someone who may not approve the action', userId: users.oncall, outcome: 'no_role', says: 'You may not review break-glass uses of delete-peer' },
      { who: 'an approver on a guest account', userId: guestApprover, outcome: 'account_guest', says: 'guests cannot approve, deny or review twokey requests' },
    ])('$who is refused privately and audited; the notice still waits for a review', async ({ userId, outcome, says }) => {
      const { notice, requestId } = await breakGlass();
      const click = await harness.click(notice, 'Review', userId);
      expect(await privateAnswer(click.responseUrlId)).toContain(says);
      const entries = await entriesOf(requestId);
      expect(entries.filter((entry) => entry.event === 'refused')).toEqual([expect.objectContaining({ actorId: userId, outcome })]);
      expect(entries.some((entry) => entry.event === 'reviewed')).toBe(false);
      expect(buttonTexts(harness.slack.message(notice.channel, notice.ts)!)).toEqual(['Review']);
    });

    test("from an approver's App Home: listed with its Review button, which records the review and redraws the Home", async () => {
      const { notice, requestId } = await breakGlass();
      await harness.openHome(users.approver);
      const home = await harness.slack.waitForHome(users.approver, (h) => JSON.stringify(h.view).includes(requestId));
      expect(JSON.stringify(home.view)).toContain('Break-glass uses to review');
      // The one who broke glass is not asked to review it.
      await harness.openHome(lead);
      expect(JSON.stringify((await harness.slack.waitForHome(lead)).view)).not.toContain('Break-glass uses to review');

      await harness.clickHome(home, 'Review', requestId);
      await harness.slack.waitForHome(users.approver, (h) => h.history.length > 1 && !JSON.stringify(h.view).includes(`twokey_review.${requestId}`));
      expect((await entriesOf(requestId)).filter((entry) => entry.event === 'reviewed')).toEqual([expect.objectContaining({ actorId: users.approver })]);
      await harness.slack.waitFor(() => (messageText(harness.slack.message(notice.channel, notice.ts)!).includes('reviewed by') ? true : undefined), {
        description: 'the notice showing its review',
      });
    });

    test('Review on a request that was no break-glass use is refused', async () => {
      await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`);
      const result = await harness.waitForMessage(incidentChannel.id);
      const requestId = requestIdIn(result);
      // A forged button: the request ran at once under the policy, and has nothing to review.
      const forged = { ...result, blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'twokey_review', text: { type: 'plain_text', text: 'Review' }, value: requestId }] }] };
      const click = await harness.click(forged, 'Review', users.approver);
      expect(await privateAnswer(click.responseUrlId)).toContain('That request was not a break-glass use');
    });
  });

  test('/twokey audit lists unreviewed break-glass uses first, and no longer once reviewed', async () => {
    const { notice, requestId } = await breakGlass();
    const before = await harness.command('/twokey', 'audit 2', { userId: users.approver });
    const listed = await privateAnswer(before.responseUrlId);
    expect(listed).toMatch(/break-glass uses? not reviewed yet/);
    expect(listed.indexOf(requestId)).toBeLessThan(listed.indexOf('Latest entries'));
    expect(listed).toContain(reason);

    await harness.click(notice, 'Review', users.approver);
    await harness.slack.waitFor(async () => ((await harness.requests())[0]?.review ? true : undefined), { description: 'the review stored' });
    const after = await harness.command('/twokey', 'audit 2', { userId: users.approver });
    const text = await privateAnswer(after.responseUrlId);
    // Earlier tests leave uses unreviewed, which are still listed first; this one is not among them.
    const unreviewedPart = text.includes('Latest entries') ? text.split('Latest entries')[0] : '';
    expect(unreviewedPart).not.toContain(requestId);
    expect(text).toContain('*reviewed*');
  });

  describe('a run whose start could not be written is started by a later sweep, once', () => {
    /** Breaks glass on peer `n` while no write may start an execution; returns the command's response_url. */
    async function breakGlassUnstarted(n: number): Promise<string> {
      const cure = failWritesInto(harness.databaseFile, 'executing');
      try {
        const { responseUrlId } = await harness.command('/delete-peer', `${ids.instance} ${ids.peer(n)} --break-glass ${reason}`, { userId: lead });
        await harness.slack.waitFor(
          () => harness.slack.responses(responseUrlId).find((response) => messageText(response.body).includes('could not reach its database') || messageText(response.body).includes('internal error')),
          { description: 'the command told its run did not start' },
        );
        expect(harness.simulator.calls.count()).toBe(0);
        return responseUrlId;
      } finally {
        cure();
      }
    }

    test('with its notice up: the sweep runs it and puts the outcome on that notice; nobody is told twice', async () => {
      await breakGlassUnstarted(4);
      const notice = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Break-glass') ?? false);
      await harness.slack.waitFor(() => (dmsTo(users.approver).length > 0 ? true : undefined), { description: "an approver's DM" });

      harness.clock.advance(31_000);
      await harness.slack.waitFor(() => harness.slack.message(notice.channel, notice.ts)!.text?.includes('done for 1 peer') || undefined, {
        description: 'the outcome on the notice',
      });
      expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
      expect(harness.slack.messages(incidentChannel.id).filter((m) => m.text?.startsWith('Break-glass'))).toHaveLength(1);
      expect(dmsTo(users.approver)).toHaveLength(1);
    });

    test('with no notice in the channel: the sweep posts it there, tells the approvers, and runs it', async () => {
      harness.slack.setChannel({ id: incidentChannel.id, name: incidentChannel.name, botIsMember: false });
      try {
        await breakGlassUnstarted(5);
        // The notice went up through the command's response_url only: no message twokey can update.
        await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Break-glass') ?? false);
        expect(harness.slack.messages(incidentChannel.id).map((m) => m.history[0].via)).toEqual(['response_url']);
      } finally {
        harness.slack.setChannel({ id: incidentChannel.id, name: incidentChannel.name, botIsMember: true });
      }

      harness.clock.advance(31_000);
      const notice = await harness.waitForMessage(
        incidentChannel.id,
        (m) => m.history[0].via === 'chat.postMessage' && (m.text?.startsWith('Break-glass') ?? false),
      );
      await harness.slack.waitFor(() => harness.slack.message(notice.channel, notice.ts)!.text?.includes('done for 1 peer') || undefined, {
        description: 'the outcome on the notice',
      });
      expect(buttonTexts(harness.slack.message(notice.channel, notice.ts)!)).toEqual(['Review']);
      expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);
      await harness.slack.waitFor(
        () => dmsTo(users.groupMember).find((dm) => messageText(dm).includes(requestIdIn(notice))),
        { description: "a group member's DM" },
      );
    });
  });

  test('where twokey cannot post in the channel, it still runs, and the notice goes up through the command', async () => {
    harness.slack.setChannel({ id: incidentChannel.id, name: incidentChannel.name, botIsMember: false });
    try {
      const { responseUrlId } = await harness.command('/delete-peer', `${ids.instance} ${ids.peer(2)} --break-glass ${reason}`, { userId: lead });
      const responses = await harness.waitForResponses(responseUrlId, 2);
      expect(responses[0].body.response_type).toBe('in_channel');
      expect(messageText(responses[0].body)).toContain('Break-glass');
      expect(messageText(responses[1].body)).toContain('Delete VPN peers: done for 1 peer');
      expect(harness.simulator.calls.count()).toBe(1);
      await harness.slack.waitFor(() => (dmsTo(users.approver).length > 0 ? true : undefined), { description: "an approver's DM" });
      expect(buttonTexts(dmsTo(users.approver)[0])).toEqual(['Review']);
    } finally {
      harness.slack.setChannel({ id: incidentChannel.id, name: incidentChannel.name, botIsMember: true });
    }
  });
});

describe('break-glass over Socket Mode', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy, socketMode: true });
    await harness.slack.waitForConnection();
  });
  afterAll(() => harness.stop());

  test('the command runs at once with its notice, and the Review click is recorded', async () => {
    await harness.command('/delete-peer', `${ids.instance} ${ids.peer(3)} --break-glass ${reason}`, { userId: lead });
    const notice = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Break-glass') ?? false);
    const requestId = requestIdIn(notice);
    await harness.slack.waitFor(() => (harness.simulator.calls.count() === 1 ? true : undefined), { description: 'the peer deleted' });

    await harness.click(notice, 'Review', users.approver);
    await harness.slack.waitFor(async () => ((await harness.requests()).find((r) => r.id === requestId)?.review ? true : undefined), {
      description: 'the review recorded',
    });
    const events = (await harness.audit()).filter((entry) => entry.requestId === requestId).map((entry) => entry.event);
    expect(events).toEqual(['break_glass', 'execution_started', 'executed', 'reviewed']);
  });
});
