import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';

/** Where a command's private answers land: ephemeral posts to its response_url. */
async function privateAnswer(harness: Harness, responseUrlId: string) {
  const [response] = await harness.waitForResponses(responseUrlId);
  expect(response.status).toBe(200);
  expect(response.body.response_type).toBe('ephemeral');
  return messageText(response.body);
}

describe('operations from Slack over HTTP', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  const resultIn = (fragment: string) =>
    harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(fragment));

  test('/revoke-access revokes a session, posts the result in the channel and audits it', async () => {
    const { post } = await harness.command('/revoke-access', `${ids.site} ${ids.session(1)} contractor left`);
    expect(post?.status).toBe(200);
    const text = messageText(await resultIn(ids.session(1)));
    expect(text).toContain('Revoke transient access: done for 1 session');
    expect(text).toContain('contractor left');
    expect(text).toContain(`<@${users.oncall}>`);
    expect(harness.simulator.state.hasSession(ids.site, ids.session(1))).toBe(false);
    const audit = (await harness.audit()).filter((entry) => entry.operation === 'revoke-access');
    expect(audit.map((entry) => entry.event)).toEqual(['requested', 'execution_started', 'executed']);
    expect(audit[0]).toMatchObject({ actorId: users.oncall, channelId: incidentChannel.id, detail: 'contractor left' });
    expect(audit[2]).toMatchObject({ outcome: 'succeeded', targets: [ids.site, ids.session(1)] });
  });

  test('/rotate-credentials rotates a site and shows no password', async () => {
    const before = harness.simulator.state.credentialOf(ids.site);
    await harness.command('/rotate-credentials', `${ids.site} leaked in CI logs`);
    const text = messageText(await resultIn(ids.site));
    const after = harness.simulator.state.credentialOf(ids.site);
    expect(after?.password).toBeDefined();
    expect(after?.password).not.toBe(before?.password);
    expect(text).toContain('Rotate API credentials: done for 1 site');
    expect(text).toContain(after!.id);
    expect(harness.slack.allTraffic()).not.toContain(after!.password);
  });

  test('/delete-peer deletes a VPN peer', async () => {
    await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)} lost laptop`);
    expect(messageText(await resultIn(ids.peer(1)))).toContain('Delete VPN peers: done for 1 peer');
    expect(harness.simulator.state.hasPeer(ids.instance, ids.peer(1))).toBe(false);
  });

  test('/revoke-grant revokes an Aitronos grant', async () => {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
    expect(messageText(await resultIn(ids.grant(1)))).toContain('Revoke access grants: done for 1 grant');
    expect(harness.simulator.state.hasGrant(ids.organization, ids.grant(1))).toBe(false);
  });

  test('a bulk command runs every target, within the concurrency bound, and lists each outcome', async () => {
    const targets = Array.from({ length: 30 }, (_, i) => ids.session(i + 1));
    const missing = ids.missing;
    harness.simulator.latencyMs = 20;
    await harness.command('/revoke-access', `${ids.site} ${targets.join(' ')} ${missing} mass revoke`);
    const message = await resultIn('done for 30 sessions, 1 already gone');
    const text = messageText(message);
    expect(text).toContain(`✅ ${targets.map((target) => `\`${target}\``).join(', ')} revoked`);
    expect(text).toContain(`☑️ \`${missing}\` already gone — *404*`);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(31);
    expect(harness.simulator.calls.maxInFlight).toBeLessThanOrEqual(8);
    expect(harness.simulator.calls.maxInFlight).toBeGreaterThan(1);
    const executed = (await harness.audit()).filter((entry) => entry.event === 'executed').at(-1);
    expect(executed).toMatchObject({ outcome: 'succeeded' });
    expect(executed?.detail).toContain(`${missing}: already gone (404`);
  });

  test('--dry-run shows the exact calls privately and calls nothing', async () => {
    const { responseUrlId } = await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)} ${ids.grant(2)} --dry-run`);
    const text = await privateAnswer(harness, responseUrlId);
    expect(text).toContain(`DELETE ${harness.simulator.url}/v1/organizations/${ids.organization}/access/grants/${ids.grant(1)}`);
    expect(text).toContain(`/access/grants/${ids.grant(2)}`);
    expect(harness.simulator.calls.count()).toBe(0);
    expect(harness.slack.messages(incidentChannel.id)).toHaveLength(0);
  });

  test.each([
    ['/revoke-access', 'not-a-uuid 1234', '`not-a-uuid` is not a valid site ID'],
    ['/revoke-access', `${ids.site} ${ids.session(1).slice(0, -2)} reason`, 'is not a valid session ID'],
    ['/revoke-grant', `${ids.organization} ${ids.grant(1)} --all`, '`--all` picks grants from a listing'],
    ['/delete-peer', '--type site', 'Missing the VPN instance ID.'],
  ])('%s %j is refused with the usage line and calls nothing', async (command, text, error) => {
    const { responseUrlId } = await harness.command(command, text);
    const answer = await privateAnswer(harness, responseUrlId);
    expect(answer).toContain(error);
    expect(answer).toContain(`Usage: \`${command}`);
    expect(harness.simulator.calls.count()).toBe(0);
  });

  test('an unknown user is refused privately, nothing runs, and the refusal is audited', async () => {
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(2)}`, { userId: users.stranger });
    expect(await privateAnswer(harness, responseUrlId)).toContain('You may not request revoke-access');
    expect(harness.simulator.calls.count()).toBe(0);
    expect(harness.slack.messages(incidentChannel.id)).toHaveLength(0);
    const refused = (await harness.audit()).filter((entry) => entry.event === 'refused' && entry.actorId === users.stranger);
    expect(refused.at(-1)).toMatchObject({ operation: 'revoke-access', outcome: 'no_role', targets: [ids.site, ids.session(2)] });
  });

  test('a channel outside the policy is refused', async () => {
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(2)}`, {
      channelId: 'C0RANDOM1',
      channelName: 'random',
    });
    expect(await privateAnswer(harness, responseUrlId)).toContain('channel');
    expect(harness.simulator.calls.count()).toBe(0);
  });

  test('a member of a policy user group may run commands', async () => {
    await harness.command('/revoke-access', `${ids.site} ${ids.session(3)}`, { userId: users.groupMember });
    await resultIn(ids.session(3));
    expect(harness.simulator.state.hasSession(ids.site, ids.session(3))).toBe(false);
  });

  test('/twokey help and whoami answer privately', async () => {
    const help = await harness.command('/twokey', 'help');
    const helpText = await privateAnswer(harness, help.responseUrlId);
    for (const command of ['/revoke-access', '/rotate-credentials', '/delete-peer', '/revoke-grant', '/twokey whoami']) {
      expect(helpText).toContain(command);
    }
    const whoami = await harness.command('/twokey', 'whoami', { userId: users.groupMember });
    const whoamiText = await privateAnswer(harness, whoami.responseUrlId);
    expect(whoamiText).toContain('via user group `S0ONCALL1`');
    expect(whoamiText).toContain('you may request it here');
    const stranger = await harness.command('/twokey', 'whoami', { userId: users.stranger });
    expect(await privateAnswer(harness, stranger.responseUrlId)).toContain('none');
  });

  test('the ack does not wait for the vendor', async () => {
    harness.simulator.faults.add({ method: 'DELETE', times: 1, action: { type: 'delay', ms: 2000 } });
    const { post } = await harness.command('/revoke-access', `${ids.site} ${ids.session(5)}`);
    expect(post?.status).toBe(200);
    // The vendor call is still being held when Slack already has its answer.
    const call = await harness.simulator.calls.waitFor(() => true, 3000);
    expect(call.answeredAt).toBeUndefined();
    expect(harness.simulator.calls.inFlight).toBe(1);
    await resultIn(ids.session(5));
  });

  test('a request with a bad signature or a stale timestamp is refused and runs nothing', async () => {
    const bad = await harness.command('/revoke-access', `${ids.site} ${ids.session(6)}`, { badSignature: true });
    expect(bad.post?.status).toBe(401);
    const stale = await harness.command('/revoke-access', `${ids.site} ${ids.session(6)}`, {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.post?.status).toBe(401);
    // A good request afterwards is served, so nothing was merely slow.
    await harness.command('/revoke-access', `${ids.site} ${ids.session(7)}`);
    await resultIn(ids.session(7));
    expect(harness.simulator.state.hasSession(ids.site, ids.session(6))).toBe(true);
    expect(harness.simulator.calls.count()).toBe(1);
  });
});

describe('roles from Slack user groups', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness.stop());

  test('a failed user-group lookup denies with a message and never grants', async () => {
    harness.slack.failMethod('usergroups.users.list', { error: 'missing_scope' });
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(4)}`, {
      userId: users.groupMember,
    });
    const [response] = await harness.waitForResponses(responseUrlId);
    const answer = messageText(response.body);
    expect(answer).toContain('could not look up user group S0ONCALL1');
    expect(answer).toContain('missing_scope');
    expect(harness.simulator.calls.count()).toBe(0);
    expect((await harness.audit()).at(-1)).toMatchObject({ event: 'refused', outcome: 'roles_unavailable' });

    // Once Slack answers again, the same user is let through.
    harness.slack.clearFailures();
    await harness.command('/revoke-access', `${ids.site} ${ids.session(4)}`, { userId: users.groupMember });
    await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(4)));
    expect(harness.simulator.state.hasSession(ids.site, ids.session(4))).toBe(false);
  });
});
