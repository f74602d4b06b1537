import { isId } from '../../../src/operations/ids';
import { demoSeed, describeSeed, idOf, SimulatorState } from '../../../src/simulator';

describe('demoSeed', () => {
  test('every ID has the form the commands accept', () => {
    for (const site of demoSeed.sites) {
      expect(isId('uuid', site.id)).toBe(true);
      for (const session of site.sessions) expect(isId('uuid', idOf(session))).toBe(true);
    }
    for (const instance of demoSeed.vpnInstances) {
      expect(isId('uuid', instance.id)).toBe(true);
      for (const peer of instance.peers) expect(isId('uuid', idOf(peer))).toBe(true);
    }
    for (const org of demoSeed.organizations) {
      expect(isId('organization', org.id)).toBe(true);
      for (const grant of org.grants) expect(isId('grant', idOf(grant))).toBe(true);
    }
  });

  test('describeSeed gives one line per site, instance and organization, naming every ID', () => {
    const lines = describeSeed(demoSeed);
    expect(lines).toHaveLength(demoSeed.sites.length + demoSeed.vpnInstances.length + demoSeed.organizations.length);
    const text = lines.join('\n');
    const ids = [
      ...demoSeed.sites.flatMap((site) => [site.id, ...site.sessions.map(idOf)]),
      ...demoSeed.vpnInstances.flatMap((instance) => [instance.id, ...instance.peers.map(idOf)]),
      ...demoSeed.organizations.flatMap((org) => [org.id, ...org.grants.map(idOf)]),
    ];
    for (const id of ids) expect(text).toContain(id);
    expect(lines[0]).toBe(
      'Altostrat site d290f1ee-6c54-4b01-90e6-d701748f0851 (Cape Town edge) — transient sessions: ' +
        'f0e9d8c7-b6a5-4f3e-8d1c-0b9a8e7f6d5c, 3b241101-e2bb-4255-8caf-4136c566a962, ' +
        'c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d (expired)',
    );
    expect(lines[2]).toBe(
      'Altostrat VPN instance a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d (Operations VPN) — peers: ' +
        '550e8400-e29b-41d4-a716-446655440000, 7d444840-9dc0-41cc-b7f1-9a6a4b1e2f3c (site)',
    );
  });

  test('describeSeed says when a parent is empty', () => {
    expect(describeSeed({ sites: [{ id: 's', sessions: [] }], vpnInstances: [], organizations: [] })).toEqual([
      'Altostrat site s — no transient sessions',
    ]);
  });
});

describe('SimulatorState', () => {
  test('sites, sessions and removal results', () => {
    const state = new SimulatorState();
    state.addSite('site-1', ['a']);
    state.addSession('site-1', 'b');
    expect(state.hasSite('site-1')).toBe(true);
    expect(state.hasSession('site-1', 'b')).toBe(true);
    expect(state.revokeSession('site-1', 'a')).toBe('removed');
    expect(state.revokeSession('site-1', 'a')).toBe('no_child');
    expect(state.revokeSession('site-2', 'a')).toBe('no_parent');
    expect(state.hasSession('site-1', 'a')).toBe(false);
  });

  test('adding a child to a parent that does not exist is an error', () => {
    const state = new SimulatorState();
    expect(() => state.addSession('nope', 'a')).toThrow('no site nope');
    expect(() => state.addPeer('nope', 'a')).toThrow('no VPN instance nope');
    expect(() => state.addGrant('nope', 'a')).toThrow('no organization nope');
  });

  test('each site has a credential; rotation replaces ID and password and keeps the device address', () => {
    const state = new SimulatorState();
    state.addSite('site-1');
    const first = state.credentialOf('site-1');
    expect(first).toMatchObject({ site_id: 'site-1', username: 'altostrat-api', api_port: 8728 });
    const second = state.rotateCredential('site-1');
    expect(second?.id).not.toBe(first?.id);
    expect(second?.password).not.toBe(first?.password);
    expect(second?.ip_address).toBe(first?.ip_address);
    expect(state.credentialOf('site-1')).toEqual(second);
    expect(state.rotateCredential('site-2')).toBeUndefined();
  });

  test('VPN instances and organizations', () => {
    const state = new SimulatorState();
    state.addVpnInstance('vpn-1', ['p1']);
    state.addPeer('vpn-1', 'p2');
    state.addOrganization('org_a', ['agrant_1']);
    state.addGrant('org_a', 'agrant_2');
    expect(state.deletePeer('vpn-1', 'p1')).toBe('removed');
    expect(state.hasPeer('vpn-1', 'p2')).toBe(true);
    expect(state.hasVpnInstance('vpn-1')).toBe(true);
    expect(state.revokeGrant('org_a', 'agrant_2')).toBe('removed');
    expect(state.hasGrant('org_a', 'agrant_1')).toBe(true);
    expect(state.hasOrganization('org_b')).toBe(false);
  });

  test('load replaces everything, and snapshot returns the seed form', () => {
    const state = new SimulatorState(demoSeed);
    const before = state.snapshot();
    state.addSite('extra');
    const [site] = demoSeed.sites;
    state.revokeSession(site.id, site.sessions[0]);
    expect(state.snapshot().sites[0].sessions).toEqual(before.sites[0].sessions.slice(1));
    state.load(demoSeed);
    expect(state.snapshot().sites.map((each) => each.sessions.map(idOf))).toEqual(
      demoSeed.sites.map((each) => each.sessions.map(idOf)),
    );
    expect(state.hasSite('extra')).toBe(false);
    // The seed form holds every public field, so loading it again gives the same items.
    state.load(before);
    expect(state.snapshot()).toEqual(before);
  });
});
