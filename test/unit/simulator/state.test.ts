import { isId } from '../../../src/operations/ids';
import { demoSeed, describeSeed, SimulatorState } from '../../../src/simulator';

describe('demoSeed', () => {
  test('every ID has the form the commands accept', () => {
    for (const site of demoSeed.sites) {
      expect(isId('uuid', site.id)).toBe(true);
      for (const session of site.sessions) expect(isId('uuid', session)).toBe(true);
    }
    for (const instance of demoSeed.vpnInstances) {
      expect(isId('uuid', instance.id)).toBe(true);
      for (const peer of instance.peers) expect(isId('uuid', peer)).toBe(true);
    }
    for (const org of demoSeed.organizations) {
      expect(isId('organization', org.id)).toBe(true);
      for (const grant of org.grants) expect(isId('grant', grant)).toBe(true);
    }
  });

  test('describeSeed gives one line per site, instance and organization, naming every ID', () => {
    const lines = describeSeed(demoSeed);
    expect(lines).toHaveLength(demoSeed.sites.length + demoSeed.vpnInstances.length + demoSeed.organizations.length);
    const text = lines.join('\n');
    const ids = [
      ...demoSeed.sites.flatMap((site) => [site.id, ...site.sessions]),
      ...demoSeed.vpnInstances.flatMap((instance) => [instance.id, ...instance.peers]),
      ...demoSeed.organizations.flatMap((org) => [org.id, ...org.grants]),
    ];
    for (const id of ids) expect(text).toContain(id);
    expect(lines[0]).toBe(
      'Altostrat site d290f1ee-6c54-4b01-90e6-d701748f0851 (Cape Town edge) — transient sessions: ' +
        'f0e9d8c7-b6a5-4f3e-8d1c-0b9a8e7f6d5c, 3b241101-e2bb-4255-8caf-4136c566a962',
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
    state.addSite('extra');
    const [site] = demoSeed.sites;
    state.revokeSession(site.id, site.sessions[0]);
    expect(state.snapshot().sites[0].sessions).toEqual(site.sessions.slice(1));
    state.load(demoSeed);
    expect(state.snapshot()).toEqual(demoSeed);
    expect(state.hasSite('extra')).toBe(false);
  });
});
