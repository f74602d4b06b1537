/**
 * PRODUCT.md §9: finding targets without their IDs. A command with its parent and no targets
 * lists them to the requester alone; picking from the listing, or `--all`, makes the same request
 * as typing the IDs, under the same policy, approvals and audit; secrets the vendors list never
 * reach Slack.
 */
import fs from 'node:fs';
import path from 'node:path';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';

const site = ids.site;
const active = [1, 2, 3].map((n) => ids.session(n));
const expired = ids.session(4);
const grants = Array.from({ length: 230 }, (_, i) => ({
  id: ids.grant(i + 1),
  // 40 grants to one role, 60 to another, the rest to users.
  grantee_type: i < 100 ? ('role' as const) : ('user' as const),
  grantee_id: i < 40 ? 'role_contractors' : i < 100 ? 'role_interns' : `user_${i}`,
}));

describe('listings, picking and --all', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({
      policy: approvalPolicy,
      simulator: {
        seed: {
          sites: [{ id: site, sessions: [...active, { id: expired, expired: true }] }],
          vpnInstances: [
            {
              id: ids.instance,
              peers: [
                { id: ids.peer(1), type: 'client' },
                { id: ids.peer(2), type: 'site' },
              ],
            },
          ],
          organizations: [{ id: ids.organization, grants }],
        },
      },
    });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  /** The listing shown to `userId` alone, once it is there. */
  const listingFor = (userId: string) =>
    harness.slack.waitFor(() => harness.slack.ephemerals(userId).find((m) => m.blocks?.some((block) => block.type === 'actions')), {
      description: 'a listing',
    });

  /** Every event of `event` in the audit log, oldest first. */
  const audited = async (event: string) => (await harness.audit()).filter((entry) => entry.event === event);

  test('a site given without sessions lists its active sessions to the requester alone, and nothing secret', async () => {
    await harness.command('/revoke-access', site);
    const listing = { ...(await listingFor(users.oncall)), ephemeral: true };
    const text = messageText(listing);
    for (const id of active) expect(text).toContain(id);
    expect(text).not.toContain(expired);
    expect(harness.slack.messages(incidentChannel.id)).toEqual([]);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(0);
    // The vendor's secrets (passwords, usernames, winbox links, peer tokens) reach no Slack traffic, log line or database page.
    expect(harness.leakedSecrets()).toEqual([]);
    const entry = (await audited('listed')).at(-1)!;
    expect(entry).toMatchObject({ actorId: users.oncall, operation: 'revoke-access', targets: [site], outcome: 'listed' });
    expect(entry.detail).toContain('3 sessions found');
  });

  test('picking two sessions revokes exactly those, as typing their IDs would', async () => {
    await harness.command('/revoke-access', `${site} offboarding`);
    const listing = { ...(await listingFor(users.oncall)), ephemeral: true };
    await harness.click(listing, 'listing_selected', users.oncall, { picked: [active[0]!, active[2]!] });
    const result = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('done for 2 sessions'));
    expect(messageText(result)).toContain(active[0]);
    expect(messageText(result)).toContain(active[2]);
    const revoked = harness.simulator.calls.list({ method: 'DELETE' }).map((call) => call.path.split('/').at(-1));
    expect(revoked.sort()).toEqual([active[0], active[2]].sort());
    const requested = (await audited('requested')).at(-1)!;
    expect(requested).toMatchObject({ actorId: users.oncall, targets: [site, active[0], active[2]], detail: 'offboarding' });
  });

  test('picking nothing is refused with a hint, and nothing is called', async () => {
    await harness.command('/revoke-access', site);
    const listing = { ...(await listingFor(users.oncall)), ephemeral: true };
    const { responseUrlId } = await harness.click(listing, 'listing_selected', users.oncall, { picked: [] });
    const [answer] = await harness.waitForResponses(responseUrlId, 1);
    expect(messageText(answer)).toContain('No session is picked');
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(0);
  });

  test('someone without the role gets no listing and the vendor is never asked', async () => {
    const { responseUrlId } = await harness.command('/revoke-access', site, { userId: users.stranger });
    const [answer] = await harness.waitForResponses(responseUrlId, 1);
    expect(messageText(answer)).toContain('You may not');
    expect(harness.simulator.calls.list()).toEqual([]);
    const refusal = (await audited('refused')).at(-1)!;
    expect(refusal).toMatchObject({ actorId: users.stranger, operation: 'revoke-access' });
  });

  test('an unknown site is answered clearly, with the vendor’s words', async () => {
    const { responseUrlId } = await harness.command('/revoke-access', ids.missing);
    const [answer] = await harness.waitForResponses(responseUrlId, 1);
    expect(messageText(answer)).toContain('could not list the sessions');
    expect(messageText(answer)).toContain('404');
    const entry = (await audited('listed')).at(-1)!;
    expect(entry.outcome).toBe('failed: http');
  });

  test('--all on a site revokes every active session, each named in the result', async () => {
    await harness.command('/revoke-access', `${site} --all contractor left`);
    const result = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('done for 3 sessions'));
    for (const id of active) expect(messageText(result)).toContain(id);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(3);
  });

  test('--all names its targets at request time: a grant made after the request is not revoked by its approval', async () => {
    await harness.command('/revoke-grant', `${ids.organization} --grantee role:role_contractors --all contractors leave`);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true);
    // The filter reached the vendor: the 40 grants to the role, among 230, are all on the card.
    expect(harness.simulator.calls.list({ method: 'GET' }).map((call) => call.query)).toEqual([
      expect.stringContaining('grantee_id=role_contractors'),
    ]);
    for (const grant of grants.slice(0, 40)) expect(messageText(card)).toContain(grant.id);

    harness.simulator.state.addGrant(ids.organization, { id: 'agrant_late1', grantee_type: 'role', grantee_id: 'role_contractors' });
    await harness.click(card, 'Approve', users.approver);
    await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 40 grants'), {
      description: 'the card says done',
    });
    const revoked = harness.simulator.calls.list({ method: 'DELETE' }).map((call) => call.path.split('/').at(-1));
    expect(revoked).toHaveLength(40);
    expect(revoked).not.toContain('agrant_late1');
  });

  test('a listing reads every page: 230 grants, 100 at a time', async () => {
    await harness.command('/revoke-grant', ids.organization);
    const listing = await listingFor(users.oncall);
    // The title counts all 230; the lines stop at 200, and say how many more there are.
    expect(messageText(listing)).toContain('Grants of organization org_xyz789: 230');
    expect(messageText(listing)).toContain('30 more not shown');
    const pages = harness.simulator.calls.list({ method: 'GET' }).map((call) => call.query);
    expect(pages).toEqual([expect.stringContaining('skip=0'), expect.stringContaining('skip=100'), expect.stringContaining('skip=200')]);
  });

  test('--all on sessions that need an approval: a session opened after the request is not revoked by it', async () => {
    // The policy in force is changed (and reloaded) so that revoking sessions takes an approval.
    const sessionsNeedApproval = approvalPolicy.replace(
      'revoke-access:      { request: [oncall, admin], approvals: 0 }',
      'revoke-access:      { request: [oncall, admin], approvals: 1, approve: [approver, admin] }',
    );
    fs.writeFileSync(path.join(harness.dir, 'policy.yml'), sessionsNeedApproval);
    expect(await harness.bot.reloadPolicy()).toMatchObject({ result: 'applied' });
    try {
      await harness.command('/revoke-access', `${site} --all contractor left`);
      const card = await harness.waitForMessage(incidentChannel.id, (m) => m.text?.startsWith('Approval needed') === true);
      for (const id of active) expect(messageText(card)).toContain(id);
      const late = harness.simulator.state.addSession(site, { id: ids.session(9) });
      await harness.click(card, 'Approve', users.approver);
      await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('done for 3 sessions'), {
        description: 'the card says done',
      });
      expect(harness.simulator.state.hasSession(site, late.id)).toBe(true);
      const revoked = harness.simulator.calls.list({ method: 'DELETE' }).map((call) => call.path.split('/').at(-1));
      expect(revoked.sort()).toEqual([...active].sort());
    } finally {
      fs.writeFileSync(path.join(harness.dir, 'policy.yml'), approvalPolicy);
      await harness.bot.reloadPolicy();
    }
  });

  test('--all that finds nothing is answered privately, and nothing is requested', async () => {
    harness.simulator.state.addSite(ids.otherSite);
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.otherSite} --all contractor left`);
    const [answer] = await harness.waitForResponses(responseUrlId, 1);
    expect(messageText(answer)).toContain('`--all` found no sessions to act on.');
    expect(messageText(answer)).toContain(`\`/revoke-access ${ids.otherSite}\` lists them.`);
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(0);
    expect(harness.slack.messages(incidentChannel.id)).toEqual([]);
  });

  test('--all over 50 matches is refused with the count; --all on grants without a filter is refused', async () => {
    const many = await harness.command('/revoke-grant', `${ids.organization} --grantee role:role_interns --all interns leave`);
    const [tooMany] = await harness.waitForResponses(many.responseUrlId, 1);
    expect(messageText(tooMany)).toContain('found 60 grants');
    const unfiltered = await harness.command('/revoke-grant', `${ids.organization} --all everyone out`);
    const [needsFilter] = await harness.waitForResponses(unfiltered.responseUrlId, 1);
    expect(messageText(needsFilter)).toContain('needs a filter');
    expect(harness.simulator.calls.count({ method: 'DELETE' })).toBe(0);
    expect(harness.slack.messages(incidentChannel.id)).toEqual([]);
  });

  test('filters reach the vendor, and a bad filter is refused before any call', async () => {
    await harness.command('/delete-peer', `${ids.instance} --type site`);
    const listing = await listingFor(users.oncall);
    expect(messageText(listing)).toContain(ids.peer(2));
    expect(messageText(listing)).not.toContain(ids.peer(1));
    const bad = await harness.command('/delete-peer', `${ids.instance} --type sites`);
    const [answer] = await harness.waitForResponses(bad.responseUrlId, 1);
    expect(messageText(answer)).toContain('--type');
    expect(harness.simulator.calls.count({ method: 'GET' })).toBe(1);
  });
});
