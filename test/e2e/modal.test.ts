/**
 * PRODUCT.md §9: an operation command typed bare opens a modal — the parent from the policy's
 * aliases or by ID, targets picked from the vendor's live list as the user types, the reason,
 * dry-run — and submitting it is the same request as the command. Driven over signed HTTP (and once
 * over Socket Mode) against the fake Slack, which refuses views, options and answers Slack would.
 */
import type { SimulatorSeed } from '../../src/simulator';
import type { JsonObject, RecordedView } from '../support/fake-slack';
import { Harness, ids, incidentChannel, messageText, signingSecret, users } from '../support/harness';
import { blockActionsBody, blockSuggestionPayload, postToSlackEndpoint, type ViewInput, viewSubmissionPayload } from '../support/signing';

const site = ids.site;
const [ssh1, winbox2, ssh3] = [1, 2, 3].map((n) => ids.session(n)) as [string, string, string];
const expired = ids.session(4);

const policy = `
roles:
  oncall:
    users: [${users.oncall}]
  admin:
    users: [${users.admin}]
channels: [${incidentChannel.id}, "inc-*"]
actions:
  revoke-access:      { request: [oncall, admin], approvals: 0, reason: required }
  rotate-credentials: { request: [oncall, admin], approvals: 0 }
  delete-peer:        { request: [oncall, admin], approvals: 0 }
  revoke-grant:       { request: [oncall, admin], approvals: 0 }
aliases:
  sites: { cpt-edge: ${site} }
reveal_password: never
`;

const seed: SimulatorSeed = {
  sites: [
    {
      id: site,
      sessions: [
        { id: ssh1, type: 'ssh' },
        { id: winbox2, type: 'winbox' },
        { id: ssh3, type: 'ssh' },
        { id: expired, type: 'ssh', expired: true },
      ],
    },
  ],
  vpnInstances: [
    {
      id: ids.instance,
      peers: [
        { id: ids.peer(1), type: 'client' },
        { id: ids.peer(2), type: 'site' },
      ],
    },
  ],
  organizations: [{ id: ids.organization, grants: [ids.grant(1)] }],
};

/** A bare command, its modal, and the steps through it, as Slack would deliver them. */
class ModalDriver {
  /** Every answer twokey gave in an HTTP response or an ack (options, view updates): Slack traffic too. */
  readonly answers: unknown[] = [];

  constructor(private readonly harness: Harness) {}

  /** Types `command` bare as `userId`; resolves with the modal it opened. */
  async open(command: string, userId: string = users.oncall): Promise<RecordedView> {
    const triggerId = this.harness.slack.issueTriggerId(userId);
    await this.harness.command(command, '', { userId, triggerId });
    return this.harness.slack.waitForView((view) => view.triggerId === triggerId, { timeoutMs: 8000 });
  }

  /** Submits `view` with `inputs` entered; Slack applies twokey's answer to the view, which is returned as it then stands. */
  async submit(view: RecordedView, inputs: Record<string, ViewInput | undefined>, userId: string = users.oncall) {
    const { slack } = this.harness;
    const payload = viewSubmissionPayload(slack.viewPayload(view), inputs, { user: { id: userId }, triggerId: slack.issueTriggerId(userId) });
    const answer = await this.send(payload);
    return { answer, view: slack.answerViewSubmission(view.id, answer) };
  }

  /** The options twokey offers for the targets select while `typed` is typed in it, checked as Slack checks them. */
  async suggest(view: RecordedView, typed: string, userId: string = users.oncall): Promise<Array<{ value: string; text: { text: string } }>> {
    const payload = blockSuggestionPayload(this.harness.slack.viewPayload(view), 'twokey_modal_targets', typed, { user: { id: userId } });
    const answer = (await this.send(payload)) as { options: Array<{ value: string; text: { text: string } }> };
    this.harness.slack.checkOptionsAnswer(answer);
    return answer.options;
  }

  private async send(payload: JsonObject): Promise<unknown> {
    let body: unknown;
    if (this.harness.socketMode) {
      body = (await this.harness.slack.sendEnvelope('interactive', payload)).payload;
    } else {
      const post = await postToSlackEndpoint(this.harness.eventsUrl, blockActionsBody(payload), signingSecret);
      expect(post.status).toBe(200);
      body = post.body ? JSON.parse(post.body) : undefined;
    }
    this.answers.push(body);
    return body;
  }
}

/** The input blocks of a view, by block_id. */
function inputsOf(view: RecordedView): string[] {
  return (view.view.blocks as JsonObject[]).filter((block) => block.type === 'input').map((block) => String(block.block_id));
}

describe('the modal of a bare command, over signed HTTP', () => {
  let harness: Harness;
  let modal: ModalDriver;
  beforeAll(async () => {
    harness = await Harness.start({ policy, simulator: { seed } });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
    modal = new ModalDriver(harness);
  });

  const audited = async (event: string) => (await harness.audit()).filter((entry) => entry.event === event);
  const deleted = () => harness.simulator.calls.list({ method: 'DELETE' }).map((call) => call.path.split('/').at(-1));

  test('a bare /revoke-access opens a modal with the command’s trigger_id, asking the site by alias or ID', async () => {
    const triggerId = harness.slack.issueTriggerId(users.oncall);
    await harness.command('/revoke-access', '', { triggerId });
    const [open] = [await harness.slack.waitForCall('views.open')];
    expect(open.params.trigger_id).toBe(triggerId);
    expect(open.result).toMatchObject({ ok: true });
    const [view] = harness.slack.views();
    expect(view!.user).toBe(users.oncall);
    expect(inputsOf(view!)).toEqual(['alias', 'id']);
    expect(messageText({ body: view!.view })).toContain(`cpt-edge (${site})`);
    // The modal is the answer: no usage message, nothing asked of the vendor.
    expect(harness.slack.responses()).toEqual([]);
    expect(harness.simulator.calls.list()).toEqual([]);
  });

  test('site by alias → live targets as options, filtered as typed → submitting revokes exactly the picked sessions', async () => {
    const listedBefore = (await audited('listed')).length;
    const first = await modal.open('/revoke-access');
    const step = await modal.submit(first, { alias: 'cpt-edge' });
    expect(step.answer).toMatchObject({ response_action: 'update' });
    expect(inputsOf(step.view)).toEqual(['targets', 'reason', 'options']);
    expect(messageText({ body: step.view.view })).toContain('3 sessions listed now');

    // Only active sessions are offered; typing narrows them.
    const offered = await modal.suggest(step.view, '');
    expect(offered.map((option) => option.value).sort()).toEqual([ssh1, winbox2, ssh3].sort());
    expect((await modal.suggest(step.view, 'SSH')).map((option) => option.value).sort()).toEqual([ssh1, ssh3].sort());
    // The list is the vendor's, now: a session opened since step one is offered too.
    const late = ids.session(9);
    harness.simulator.state.addSession(site, { id: late, type: 'ssh' });
    expect((await modal.suggest(step.view, 'ssh')).map((option) => option.value)).toContain(late);
    // Step one's listing is audited; the type-ahead, which lists at each keystroke, is not.
    expect((await audited('listed')).length - listedBefore).toBe(1);

    const done = await modal.submit(step.view, { targets: [ssh1, ssh3], reason: 'contractor offboarded' });
    expect(done.answer).toBeUndefined();
    expect(done.view.closed).toBe(true);
    const result = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('done for 2 sessions'));
    expect(messageText(result)).toContain(ssh1);
    expect(messageText(result)).toContain('cpt-edge');
    expect(deleted().sort()).toEqual([ssh1, ssh3].sort());
    const requested = (await audited('requested')).at(-1)!;
    expect(requested).toMatchObject({ actorId: users.oncall, operation: 'revoke-access', targets: [site, ssh1, ssh3], detail: 'contractor offboarded' });

    // The vendor's secrets (passwords, usernames, winbox links, peer tokens) reach no Slack traffic, log line or database page.
    expect(harness.leakedSecrets(JSON.stringify(modal.answers))).toEqual([]);
  });

  test('a reason the policy requires, left out, is asked for in the modal; nothing runs', async () => {
    const requestsBefore = (await harness.requests()).length;
    const step = await modal.submit(await modal.open('/revoke-access'), { id: site });
    const refused = await modal.submit(step.view, { targets: [winbox2] });
    expect(refused.answer).toMatchObject({ response_action: 'errors' });
    expect(refused.view.errors).toEqual({ reason: 'A reason is required for /revoke-access.' });
    expect(refused.view.closed).toBe(false);
    expect(deleted()).toEqual([]);
    expect(await harness.requests()).toHaveLength(requestsBefore);
  });

  test('an unknown site is said in the modal with the vendor’s answer; no request is made', async () => {
    const requestsBefore = (await harness.requests()).length;
    const first = await modal.open('/revoke-access');
    const unknown = await modal.submit(first, { id: ids.missing });
    expect(unknown.view.errors?.id).toContain('could not list the sessions');
    expect(unknown.view.errors?.id).toContain('404');
    // Neither a choice and an ID, nor neither of them.
    expect((await modal.submit(first, { alias: 'cpt-edge', id: site })).view.errors?.id).toContain('not both');
    expect((await modal.submit(first, {})).view.errors?.id).toContain('type its ID');
    expect((await modal.submit(first, { id: 'not-a-site' })).view.errors?.id).toContain('not-a-site');
    expect(deleted()).toEqual([]);
    expect(await harness.requests()).toHaveLength(requestsBefore);
    expect(harness.slack.messages(incidentChannel.id)).toEqual([]);
  });

  test('someone without the role is refused in the modal, audited, and the vendor is never asked', async () => {
    const first = await modal.open('/revoke-access', users.stranger);
    const refused = await modal.submit(first, { alias: 'cpt-edge' }, users.stranger);
    expect(refused.view.errors?.alias).toContain('You may not');
    expect(harness.simulator.calls.list()).toEqual([]);
    expect((await audited('refused')).at(-1)).toMatchObject({ actorId: users.stranger, operation: 'revoke-access' });
  });

  test('a stale trigger_id: Slack refuses the modal, and twokey answers the command with its usage', async () => {
    const triggerId = harness.slack.issueTriggerId(users.oncall);
    harness.slack.expireTriggerId(triggerId);
    const { responseUrlId } = await harness.command('/revoke-access', '', { triggerId });
    const [answer] = await harness.waitForResponses(responseUrlId, 1);
    expect(messageText(answer)).toContain('Missing the site ID');
    expect(messageText(answer)).toContain('Usage: `/revoke-access &lt;siteId&gt;');
    expect(harness.slack.recordedCalls('views.open').map((call) => call.result.error)).toEqual(['expired_trigger_id']);
    expect(harness.slack.views()).toEqual([]);
  });

  test('filters narrow the listing of step two, and a bad filter is said under its input', async () => {
    const first = await modal.open('/delete-peer');
    expect(inputsOf(first)).toEqual(['id', 'filters']);
    const bad = await modal.submit(first, { id: ids.instance, filters: '--type sites' });
    expect(bad.view.errors?.filters).toContain('--type');
    expect(harness.simulator.calls.count({ method: 'GET' })).toBe(0);
    const step = await modal.submit(first, { id: ids.instance, filters: '--type site' });
    expect((await modal.suggest(step.view, '')).map((option) => option.value)).toEqual([ids.peer(2)]);
    await modal.submit(step.view, { targets: [ids.peer(2)], options: ['dry_run'] });
    await harness.slack.waitForEphemeral(users.oncall, (m) => messageText(m).includes('Dry run'));
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(0);
  });

  test('/rotate-credentials asks the site, reason and dry-run in one step, and runs as typed', async () => {
    const view = await modal.open('/rotate-credentials');
    expect(inputsOf(view)).toEqual(['alias', 'id', 'reason', 'options']);
    const done = await modal.submit(view, { alias: 'cpt-edge', reason: 'leaked in a ticket', options: ['dry_run'] });
    expect(done.view.closed).toBe(true);
    const dryRun = await harness.slack.waitForEphemeral(users.oncall, (m) => messageText(m).includes('Dry run'));
    expect(messageText(dryRun)).toContain(`/control-plane/${site}/credentials`);
    expect(harness.simulator.calls.count({ method: 'POST' })).toBe(0);
  });
});

describe('the modal of a bare command, over Socket Mode', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy, simulator: { seed }, socketMode: true });
    await harness.slack.waitForConnection();
  });
  afterAll(() => harness.stop());

  test('opens, lists and revokes as over HTTP, its answers in the envelope acks', async () => {
    const modal = new ModalDriver(harness);
    const step = await modal.submit(await modal.open('/revoke-access'), { alias: 'cpt-edge' });
    expect(step.answer).toMatchObject({ response_action: 'update' });
    expect((await modal.suggest(step.view, 'winbox')).map((option) => option.value)).toEqual([winbox2]);
    await modal.submit(step.view, { targets: [winbox2], reason: 'session left open' });
    await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('done for 1 session'));
    expect(harness.simulator.calls.list({ method: 'DELETE' }).map((call) => call.path.split('/').at(-1))).toEqual([winbox2]);
  });
});
