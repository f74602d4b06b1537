import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';

// The policy's names for sites, VPN instances and organizations, typed in Slack in place of their IDs.
const policy = `
roles:
  oncall:
    users: [${users.oncall}]
  approver:
    users: [${users.approver}]
channels: [${incidentChannel.id}]
actions:
  revoke-access:      { request: [oncall], approvals: 0 }
  rotate-credentials: { request: [oncall], approvals: 0 }
  delete-peer:        { request: [oncall], approvals: 0 }
  revoke-grant:       { request: [oncall], approvals: 1, approve: [approver] }
aliases:
  sites:
    cpt-edge: ${ids.site}
    jnb-core: ${ids.otherSite}
  instances:
    ops-vpn: ${ids.instance}
  organizations:
    example-org: ${ids.organization}
`;

describe('aliases from Slack over HTTP', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  async function privateAnswer(responseUrlId: string) {
    const [response] = await harness.waitForResponses(responseUrlId);
    expect(response.body.response_type).toBe('ephemeral');
    return messageText(response.body);
  }

  const shown = (name: string, id: string) => `\`${name}\` (\`${id}\`)`;

  test('/revoke-access cpt-edge revokes the session on that site; the result shows the name with the ID, the store the ID', async () => {
    await harness.command('/revoke-access', `cpt-edge ${ids.session(1)} contractor left`);
    const result = messageText(await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(1))));
    expect(result).toContain('Revoke transient access: done for 1 session');
    expect(result).toContain(shown('cpt-edge', ids.site));
    expect(harness.simulator.state.hasSession(ids.site, ids.session(1))).toBe(false);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(1);

    const [request] = await harness.requests();
    expect(request).toMatchObject({ parentId: ids.site, targetIds: [ids.session(1)], status: 'succeeded' });
    const executed = (await harness.audit()).filter((entry) => entry.requestId === request.id && entry.event === 'executed');
    expect(executed[0]).toMatchObject({ targets: [ids.site, ids.session(1)] });
    expect(JSON.stringify(await harness.audit())).not.toContain('cpt-edge');
  });

  test.each([
    ['/revoke-access', `cpt-egde ${ids.session(2)} contractor left`, "Did you mean `cpt-edge`? The policy's site aliases: `cpt-edge`, `jnb-core`."],
    [
      '/delete-peer',
      `cpt-edge ${ids.peer(1)} lost laptop`,
      "`cpt-edge` is not a valid VPN instance ID (a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851) nor the name of one. The policy's VPN instance aliases: `ops-vpn`.",
    ],
    ['/rotate-credentials', 'jnb-croe leaked', 'Did you mean `jnb-core`?'],
  ])('%s %j: an unknown name is refused privately, naming the known ones, and nothing is called', async (command, text, error) => {
    const { responseUrlId } = await harness.command(command, text);
    const answer = await privateAnswer(responseUrlId);
    expect(answer).toContain(error);
    expect(answer).toContain(`Usage: \`${command}`);
    expect(harness.simulator.calls.count()).toBe(0);
    expect(harness.slack.messages(incidentChannel.id)).toHaveLength(0);
    expect(harness.simulator.state.hasSession(ids.site, ids.session(2))).toBe(true);
  });

  test('an approval card, its update and the outcome in its thread show the organization by name', async () => {
    await harness.command('/revoke-grant', `example-org ${ids.grant(1)} offboarding`);
    const card = await harness.slack.waitFor(
      () => harness.slack.messages(incidentChannel.id).find((m) => m.text?.startsWith('Approval needed')),
      { description: 'an approval card' },
    );
    expect(messageText(card)).toContain(shown('example-org', ids.organization));
    expect(harness.simulator.calls.count()).toBe(0);

    await harness.click(card, 'Approve', users.approver);
    const final = await harness.slack.waitFor(
      () => {
        const now = harness.slack.message(card.channel, card.ts)!;
        return now.text?.includes('done for 1 grant') ? now : undefined;
      },
      { description: 'the final card' },
    );
    expect(messageText(final)).toContain(shown('example-org', ids.organization));
    expect(harness.simulator.state.hasGrant(ids.organization, ids.grant(1))).toBe(false);
    const thread = await harness.slack.waitFor(
      () => harness.slack.threadReplies(card.channel, card.ts).map(messageText).find((reply) => reply.includes('done for 1 grant')),
      { description: 'the outcome in the thread' },
    );
    expect(thread).toContain(shown('example-org', ids.organization));
  });

  test('a dry run of /rotate-credentials by name shows the call to the site it names, and makes none', async () => {
    const { responseUrlId } = await harness.command('/rotate-credentials', 'jnb-core leaked --dry-run');
    const answer = await privateAnswer(responseUrlId);
    expect(answer).toContain(`POST ${harness.simulator.url}/control-plane/${ids.otherSite}/credentials\` (\`jnb-core\`)`);
    expect(harness.simulator.calls.count()).toBe(0);
  });

  test('/twokey help lists the names', async () => {
    const { responseUrlId } = await harness.command('/twokey', 'help');
    expect(await privateAnswer(responseUrlId)).toContain(
      'Names the policy gives, usable wherever the ID goes: sites `cpt-edge`, `jnb-core`; VPN instances `ops-vpn`; organizations `example-org`.',
    );
  });
});
