/**
 * PRODUCT.md §10 "App Home": opening the Home tab publishes what waits for your approval (with
 * the card's Approve and Deny), your open requests (with Cancel) and the audit entries you may
 * see. Its buttons act on the request itself exactly as the card's do (§8), answer privately by
 * direct message, and the Home is published again after each.
 */
import type { RecordedHome } from '../support/fake-slack';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, signingSecret, users } from '../support/harness';
import { blockActionsBody, buttonsOf, postToSlackEndpoint, viewSubmissionPayload } from '../support/signing';

type JsonObject = Record<string, unknown>;

describe('the App Home tab', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy });
  });
  afterAll(() => harness.stop());

  /** Makes a request as the on-call user; resolves with its ID once its card is posted. */
  async function request(command: string, text: string): Promise<string> {
    await harness.command(command, text);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true && messageText(m).includes(text.split(' ')[1]!));
    return /R-[A-Z0-9]{6}/.exec(messageText(card))![0];
  }

  /** `userId` opens the Home tab; resolves with the Home published for that opening. */
  async function openHome(userId: string): Promise<RecordedHome> {
    const before = publishes(userId);
    const { post } = await harness.openHome(userId);
    expect(post?.status).toBe(200);
    return harness.slack.waitForHome(userId, (home) => home.history.length > before);
  }

  /** How many times `userId`'s Home has been published. */
  function publishes(userId: string): number {
    return harness.slack.homes().find((home) => home.user === userId)?.history.length ?? 0;
  }

  /** The texts of a Home's blocks, in order, from one header to the next (`title` starts the header). */
  function section(home: RecordedHome, title: string): string {
    const blocks = home.view.blocks as JsonObject[];
    const start = blocks.findIndex((block) => block.type === 'header' && JSON.stringify(block.text).includes(title));
    expect(start).toBeGreaterThanOrEqual(0);
    const end = blocks.findIndex((block, index) => index > start && block.type === 'header');
    return JSON.stringify(blocks.slice(start, end === -1 ? undefined : end));
  }

  /** The buttons for `requestId` in a Home, as the card's `action_id`s they stand for (a Home's carry the request's ID too). */
  function buttonsFor(home: RecordedHome, requestId: string): string[] {
    return buttonsOf(home.view.blocks as JsonObject[])
      .filter(({ button }) => button.value === requestId)
      .map(({ button }) => String(button.action_id).replace(`.${requestId}`, ''));
  }

  test('each user sees what waits for them, their own requests and the audit entries they may read', async () => {
    const grantRequest = await request('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);

    const approver = await openHome(users.approver);
    expect(section(approver, 'Waiting for your approval')).toContain(grantRequest);
    expect(section(approver, 'Waiting for your approval')).toContain('asks to revoke');
    expect(section(approver, 'Waiting for your approval')).toContain('offboarding');
    // The card's own buttons (action_ids made unique per request, as Slack wants within a view) and values.
    const card = harness.card(ids.grant(1));
    const cardButtons = buttonsOf(card.blocks).map(({ button }) => `${String(button.action_id)}=${String(button.value)}`);
    for (const actionId of buttonsFor(approver, grantRequest)) expect(cardButtons).toContain(`${actionId}=${grantRequest}`);
    expect(buttonsFor(approver, grantRequest)).toEqual(['twokey_approve', 'twokey_deny']);
    expect(section(approver, 'Your open requests')).toContain('You have no open requests.');
    // Not an admin: only what they did, and they did nothing yet.
    expect(section(approver, 'Recent audit entries')).toContain('only admins see everyone');
    expect(section(approver, 'Recent audit entries')).toContain('No audit entries yet.');

    const requester = await openHome(users.oncall);
    expect(section(requester, 'Waiting for your approval')).toContain('Nothing waits for your approval.');
    expect(section(requester, 'Your open requests')).toContain(grantRequest);
    expect(buttonsFor(requester, grantRequest)).toEqual(['twokey_cancel']);
    expect(section(requester, 'Recent audit entries')).toContain('*requested*');

    const stranger = await openHome(users.stranger);
    expect(section(stranger, 'Waiting for your approval')).toContain('Nothing waits for your approval.');
    expect(section(stranger, 'Your open requests')).toContain('You have no open requests.');
    expect(section(stranger, 'Recent audit entries')).toContain('No audit entries yet.');
    expect(buttonsOf(stranger.view.blocks as JsonObject[])).toEqual([]);

    const admin = await openHome(users.admin);
    expect(buttonsFor(admin, grantRequest)).toEqual(['twokey_approve', 'twokey_deny']);
    expect(section(admin, 'Recent audit entries')).toContain('you are an admin');
    expect(section(admin, 'Recent audit entries')).toContain(`<@${users.oncall}>`);
  });

  test("Approve from the Home counts as the card's would: the request runs, the card updates, the Home is published again", async () => {
    const requestId = await request('/revoke-grant', `${ids.organization} ${ids.grant(2)} offboarding`);
    const home = await openHome(users.approver);
    const before = publishes(users.approver);
    const { post } = await harness.clickHome(home, 'Approve', requestId);
    expect(post?.status).toBe(200);

    await harness.slack.waitFor(() => !harness.card(ids.grant(2)).text?.startsWith('Approval needed'), { description: 'the card updated' });
    const [stored] = (await harness.requests()).filter((r) => r.id === requestId);
    expect(stored?.approvals.map((approval) => approval.userId)).toEqual([users.approver]);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBeGreaterThan(0);
    const republished = await harness.slack.waitForHome(users.approver, (h) => h.history.length > before);
    expect(section(republished, 'Waiting for your approval')).not.toContain(requestId);
    // Now they did something: their own audit entry shows.
    expect(section(republished, 'Recent audit entries')).toContain('*approved*');
    expect(section(republished, 'Recent audit entries')).toContain(requestId);
    expect(section(republished, 'Recent audit entries')).not.toContain('*requested*');
  });

  test('a refused click from the Home is answered by direct message and counts nothing', async () => {
    const requestId = await request('/delete-peer', `${ids.instance} ${ids.peer(1)} compromised`);
    const home = await openHome(users.approver);
    await harness.clickHome(home, 'Approve', requestId);
    await harness.slack.waitFor(() => messageText(harness.card(ids.peer(1))).includes('1 of 2'), { description: 'the first approval counted' });

    // The Home shown before the approval still offers Approve: a second press is refused, privately.
    await harness.clickHome(home, 'Approve', requestId);
    const dm = await harness.waitForMessage(harness.slack.dmChannelFor(users.approver), (m) => messageText(m).includes('already approved'));
    expect(dm).toBeDefined();
    const [stored] = (await harness.requests()).filter((r) => r.id === requestId);
    expect(stored?.approvals).toHaveLength(1);
    expect(harness.simulator.calls.count({ method: 'DELETE', path: ids.peer(1) })).toBe(0);
  });

  test('Cancel from the Home cancels the request and the Home is published again', async () => {
    const requestId = await request('/revoke-grant', `${ids.organization} ${ids.grant(3)} offboarding`);
    const home = await openHome(users.oncall);
    const before = publishes(users.oncall);
    await harness.clickHome(home, 'Cancel', requestId);

    await harness.slack.waitFor(() => harness.card(ids.grant(3)).text?.startsWith('Cancelled'), { description: 'the card cancelled' });
    const republished = await harness.slack.waitForHome(users.oncall, (h) => h.history.length > before);
    expect(section(republished, 'Your open requests')).not.toContain(requestId);
  });

  test('Deny from the Home asks for a reason in the deny modal, and its submission denies', async () => {
    const requestId = await request('/revoke-grant', `${ids.organization} ${ids.grant(4)} offboarding`);
    const home = await openHome(users.approver);
    const before = publishes(users.approver);
    const viewsBefore = harness.slack.views().length;
    await harness.clickHome(home, 'Deny', requestId);
    const modal = await harness.slack.waitFor(() => harness.slack.views()[viewsBefore], { description: 'the deny modal' });
    expect(modal.user).toBe(users.approver);
    expect(harness.card(ids.grant(4)).text).toMatch(/^Approval needed/);

    const payload = viewSubmissionPayload(harness.slack.viewPayload(modal), { twokey_deny_reason: 'not during the freeze' }, {
      user: { id: users.approver },
      triggerId: harness.slack.issueTriggerId(users.approver),
    });
    const post = await postToSlackEndpoint(harness.eventsUrl, blockActionsBody(payload), signingSecret);
    expect(post.status).toBe(200);

    await harness.slack.waitFor(() => harness.card(ids.grant(4)).text?.startsWith('Denied'), { description: 'the card denied' });
    expect(messageText(harness.card(ids.grant(4)))).toContain('not during the freeze');
    const republished = await harness.slack.waitForHome(users.approver, (h) => h.history.length > before);
    expect(section(republished, 'Waiting for your approval')).not.toContain(requestId);
  });
});

describe('the App Home tab over Socket Mode', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy, socketMode: true });
  });
  afterAll(() => harness.stop());

  test('an events_api envelope publishes the Home, and its Approve counts', async () => {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(5)} offboarding`);
    await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true);
    const [pending] = await harness.requests();
    const { ack } = await harness.openHome(users.approver);
    expect(ack).toBeDefined();
    const home = await harness.slack.waitForHome(users.approver);
    expect(JSON.stringify(home.view.blocks)).toContain(pending!.id);

    await harness.clickHome(home, 'Approve', pending!.id);
    await harness.slack.waitFor(() => !harness.card(ids.grant(5)).text?.startsWith('Approval needed'), { description: 'the card updated' });
    await harness.slack.waitForHome(users.approver, (h) => h.history.length > 1);
  });
});
