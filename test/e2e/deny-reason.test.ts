/**
 * PRODUCT.md §10: Deny takes a reason. The Deny button opens a modal asking for one (it may be
 * left out); the reason reaches the card, its thread, the requester's DM and the audit log. A
 * click whose modal Slack will not open still denies.
 */
import type { RecordedMessage, RecordedView } from '../support/fake-slack';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, signingSecret, users } from '../support/harness';
import { blockActionsBody, postToSlackEndpoint, viewSubmissionPayload } from '../support/signing';

describe('a deny with its reason', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy });
  });
  afterAll(() => harness.stop());

  /** A fresh approval card for a grant. */
  async function card(grant: number): Promise<RecordedMessage> {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(grant)} offboarding`);
    return harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true && messageText(m).includes(ids.grant(grant)));
  }

  /** Clicks Deny as the approver; resolves with the modal Slack opened for it. */
  async function denyModal(message: RecordedMessage): Promise<RecordedView> {
    const triggerId = harness.slack.issueTriggerId(users.approver);
    await harness.click(message, 'Deny', users.approver, { triggerId });
    return harness.slack.waitForView((view) => view.triggerId === triggerId);
  }

  /** Submits the modal with `reason`; resolves with twokey's answer to the submission. */
  async function submit(view: RecordedView, reason: string | undefined): Promise<unknown> {
    const payload = viewSubmissionPayload(harness.slack.viewPayload(view), { twokey_deny_reason: reason }, {
      user: { id: users.approver },
      triggerId: harness.slack.issueTriggerId(users.approver),
    });
    const post = await postToSlackEndpoint(harness.eventsUrl, blockActionsBody(payload), signingSecret);
    expect(post.status).toBe(200);
    return post.body ? JSON.parse(post.body) : undefined;
  }

  test('the reason given reaches the card, its thread, the requester and the audit log', async () => {
    const message = await card(1);
    const requestId = /R-[A-Z0-9]{6}/.exec(messageText(message))![0];
    const view = await denyModal(message);
    // Nothing is denied until the modal is submitted.
    expect(harness.slack.message(message.channel, message.ts)?.text).toMatch(/^Approval needed/);
    await submit(view, 'the contractor still needs it until Friday');

    await harness.slack.waitFor(() => harness.slack.message(message.channel, message.ts)?.text?.startsWith('Denied'), { description: 'the card denied' });
    const updated = messageText(harness.slack.message(message.channel, message.ts)!);
    expect(updated).toContain('the contractor still needs it until Friday');
    await harness.slack.waitFor(
      () => harness.slack.threadReplies(message.channel, message.ts).some((m) => messageText(m).includes('the contractor still needs it until Friday')),
      { description: 'the reason in the thread' },
    );
    await harness.slack.waitFor(
      () =>
        harness.slack
          .messages(harness.slack.dmChannelFor(users.oncall))
          .some((m) => messageText(m).includes(requestId) && messageText(m).includes('the contractor still needs it until Friday')),
      { description: "the reason in the requester's DM" },
    );
    const denied = (await harness.audit()).filter((entry) => entry.event === 'denied' && entry.requestId === requestId);
    expect(denied).toEqual([expect.objectContaining({ actorId: users.approver, detail: 'the contractor still needs it until Friday' })]);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(0);
  });

  test('a reason left out still denies', async () => {
    const message = await card(2);
    await submit(await denyModal(message), undefined);
    await harness.slack.waitFor(() => harness.slack.message(message.channel, message.ts)?.text?.startsWith('Denied'), { description: 'the card denied' });
  });

  test('a reason with control characters is refused in the modal, and the request stays open', async () => {
    const message = await card(3);
    const answer = await submit(await denyModal(message), 'fine\u202Eevil');
    expect(answer).toMatchObject({ response_action: 'errors', errors: { twokey_deny_reason: expect.stringContaining('U+202E') } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(harness.slack.message(message.channel, message.ts)?.text).toMatch(/^Approval needed/);
  });

  test('a click whose modal Slack will not open (a stale trigger) denies without a reason', async () => {
    const message = await card(4);
    // harness.click's own trigger_id was never issued by Slack: views.open is refused.
    await harness.click(message, 'Deny', users.approver);
    await harness.slack.waitFor(() => harness.slack.message(message.channel, message.ts)?.text?.startsWith('Denied'), { description: 'the card denied' });
    expect(harness.logs.some((line) => line.includes('could not ask for a reason to deny'))).toBe(true);
  });

  test.each([
    { who: 'the requester', userId: users.oncall, says: 'You cannot deny your own request; cancel it instead.' },
    { who: 'someone who may not approve', userId: users.stranger, says: 'You may not deny revoke-grant requests' },
  ])('a Deny that would be refused asks $who for no reason: it is refused at once', async ({ userId, says }) => {
    const message = await card(5);
    const click = await harness.click(message, 'Deny', userId, { triggerId: harness.slack.issueTriggerId(userId) });
    const [answer] = await harness.waitForResponses(click.responseUrlId);
    expect(messageText(answer.body)).toContain(says);
    expect(harness.slack.views().filter((view) => view.user === userId)).toEqual([]);
    expect(harness.slack.message(message.channel, message.ts)?.text).toMatch(/^Approval needed/);
  });

  test('a Deny on a request already over asks for no reason', async () => {
    const message = await card(6);
    await harness.click(message, 'Approve', users.approver);
    await harness.slack.waitFor(() => harness.slack.message(message.channel, message.ts)?.text?.includes('done for 1 grant'), { description: 'the request run' });
    const click = await harness.click(message, 'Deny', 'U0APPROVER2', { triggerId: harness.slack.issueTriggerId('U0APPROVER2') });
    const [answer] = await harness.waitForResponses(click.responseUrlId);
    expect(messageText(answer.body)).toContain('is already finished (succeeded)');
    expect(harness.slack.views().filter((view) => view.user === 'U0APPROVER2')).toEqual([]);
  });
});
