import { createSimulator, demoSeed, describeSeed, idOf, type Simulator, type SimulatorOptions } from '../../../src/simulator';
import { rawCall } from './helpers';

// The three list endpoints as `../shared/vendors/lists.md` documents them, seen on the wire.

const SITE = demoSeed.sites[0].id;
const INSTANCE = demoSeed.vpnInstances[0].id;
const ORG = demoSeed.organizations[0].id;
const MISSING = '00000000-0000-4000-8000-000000000000';

const sessionsPath = (site: string) => `/control-plane/${site}/transient-accesses`;
const peersPath = (instance: string) => `/vpn/instances/${instance}/peers`;
const grantsPath = (org: string) => `/v1/organizations/${org}/access/grants`;

let simulator: Simulator;
let url: string;

async function startWith(options: SimulatorOptions = {}): Promise<void> {
  simulator = createSimulator({ seed: demoSeed, ...options });
  url = await simulator.start(0);
}

const altostrat = (path: string) => rawCall(url, 'GET', path, { token: simulator.tokens.altostrat });
const aitronos = (path: string) => rawCall(url, 'GET', path, { token: simulator.tokens.aitronos });

afterEach(async () => {
  await simulator.stop();
});

describe('GET /control-plane/{siteId}/transient-accesses', () => {
  beforeEach(() => startWith());

  test('every session of the site with every documented field, secrets filled in', async () => {
    const answer = await altostrat(sessionsPath(SITE));
    expect(answer.status).toBe(200);
    const sessions = answer.json as Array<Record<string, unknown>>;
    expect(sessions.map((session) => session.id)).toEqual(demoSeed.sites[0].sessions.map(idOf));
    expect(sessions[0]).toEqual({
      id: demoSeed.sites[0].sessions[0],
      type: 'winbox',
      port: 8291,
      entry_point: 'mgmt-sim-1.altostrat.test',
      full_access: false,
      allow_rfc1918: false,
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      expired: false,
      revoked_early: false,
      time_to_expire: '60 minutes from now',
      username: expect.stringMatching(/^user-[0-9a-f]{8}$/),
      password: expect.stringMatching(/^pw-[0-9a-f]{24}$/),
      onclick: expect.stringMatching(/^winbox:\/\/user-[0-9a-f]{8}:pw-[0-9a-f]{24}@mgmt-sim-1\.altostrat\.test:8291$/),
    });
    expect(sessions[1]).toMatchObject({ type: 'ssh', port: 2222, allow_only_cidr: '198.51.100.0/24', expired: false });
    expect(sessions[2]).toMatchObject({ expired: true, time_to_expire: '10 minutes ago' });
    // The state holds the secrets the answer carried, for tests that look for leaks.
    for (const session of sessions) expect(simulator.state.secrets()).toContain(session.password);
  });

  test('a session whose expiry passed is listed as expired; a revoked one is gone', async () => {
    simulator.state.addSession(SITE, { id: MISSING, expires_at: new Date(Date.now() - 1000).toISOString() });
    await rawCall(url, 'DELETE', `${sessionsPath(SITE)}/${idOf(demoSeed.sites[0].sessions[0])}`, {
      token: simulator.tokens.altostrat,
    });
    const sessions = (await altostrat(sessionsPath(SITE))).json as Array<{ id: string; expired: boolean }>;
    expect(sessions.map((session) => [session.id, session.expired])).toEqual([
      [idOf(demoSeed.sites[0].sessions[1]), false],
      [idOf(demoSeed.sites[0].sessions[2]), true],
      [MISSING, true],
    ]);
  });

  test('an unknown site: 404 in the documented envelope', async () => {
    const answer = await altostrat(sessionsPath(MISSING));
    expect(answer).toMatchObject({
      status: 404,
      json: { type: 'invalid_request_error', code: 'resource_not_found', message: `The site ${MISSING} does not exist.` },
    });
  });

  test('without the token: 401, and nothing listed', async () => {
    const answer = await rawCall(url, 'GET', sessionsPath(SITE));
    expect(answer).toMatchObject({ status: 401, json: { message: 'Unauthenticated.' } });
  });
});

describe('GET /vpn/instances/{instanceId}/peers', () => {
  test('every peer, token included; ?type= keeps one type', async () => {
    await startWith();
    const all = (await altostrat(peersPath(INSTANCE))).json as Array<Record<string, unknown>>;
    expect(all).toEqual([
      {
        id: demoSeed.vpnInstances[0].peers[0],
        type: 'client',
        user_id: expect.any(String),
        site_id: null,
        subnets: [],
        route_all: false,
        protocol: 'wireguard',
        connected: false,
        connected_from: null,
        created_at: expect.any(String),
        token: expect.stringMatching(/^tok-[0-9a-f]{32}$/),
        token_ttl: 300,
      },
      expect.objectContaining({ type: 'site', user_id: null, connected: true, connected_from: '203.0.113.7' }),
    ]);
    const sites = (await altostrat(`${peersPath(INSTANCE)}?type=site`)).json as Array<{ type: string }>;
    expect(sites.map((peer) => peer.type)).toEqual(['site']);
    expect(simulator.calls.list().map((call) => call.query)).toEqual(['', 'type=site']);
  });

  test('a type not documented: 400 parameter_invalid', async () => {
    await startWith();
    expect(await altostrat(`${peersPath(INSTANCE)}?type=sites`)).toMatchObject({
      status: 400,
      json: { type: 'invalid_request_error', code: 'parameter_invalid' },
    });
  });

  test('an unknown instance: 404 naming it', async () => {
    await startWith();
    expect((await altostrat(peersPath(MISSING))).json).toMatchObject({
      code: 'resource_not_found',
      message: `The VPN instance ${MISSING} does not exist.`,
    });
  });

  test('a token without vpn:read: 403, though it may delete', async () => {
    await startWith({ scopes: ['vpn:delete'] });
    expect(await altostrat(peersPath(INSTANCE))).toMatchObject({
      status: 403,
      json: { code: 'insufficient_scope', message: 'The token lacks the vpn:read scope.' },
    });
    // The sessions list needs no scope.
    expect((await altostrat(sessionsPath(SITE))).status).toBe(200);
  });
});

describe('GET /v1/organizations/{organization_id}/access/grants', () => {
  const many = (count: number) => ({
    sites: [],
    vpnInstances: [],
    organizations: [
      {
        id: ORG,
        grants: Array.from({ length: count }, (_, i) =>
          i < 5 ? { id: `agrant_r${i}`, grantee_type: 'role' as const, grantee_id: 'role_ops' } : `agrant_u${i}`,
        ),
      },
    ],
  });

  test('a page of 20 by default, with total, skip, limit and has_more', async () => {
    await startWith({ seed: many(150) });
    const first = (await aitronos(grantsPath(ORG))).json as { items: Array<{ id: string }> };
    expect(first).toMatchObject({ total: 150, skip: 0, limit: 20, has_more: true });
    expect(first.items).toHaveLength(20);
    expect(first.items[0]).toEqual({
      id: 'agrant_r0',
      organization_id: ORG,
      entity_type: 'knowledge_slice',
      entity_id: expect.stringMatching(/^ks_/),
      grantee_type: 'role',
      grantee_id: 'role_ops',
      created_at: expect.any(String),
    });
    const last = (await aitronos(`${grantsPath(ORG)}?skip=100&limit=100`)).json as { items: Array<{ id: string }> };
    expect(last).toMatchObject({ total: 150, skip: 100, limit: 100, has_more: false });
    expect(last.items.map((item) => item.id)).toEqual(Array.from({ length: 50 }, (_, i) => `agrant_u${i + 100}`));
    expect((await aitronos(`${grantsPath(ORG)}?skip=150`)).json).toMatchObject({ items: [], has_more: false });
  });

  test('filters must all match, and total counts the matches', async () => {
    await startWith({ seed: many(30) });
    const roles = (await aitronos(`${grantsPath(ORG)}?grantee_type=role&grantee_id=role_ops&limit=2`)).json;
    expect(roles).toMatchObject({ total: 5, has_more: true, items: [{ id: 'agrant_r0' }, { id: 'agrant_r1' }] });
    expect((await aitronos(`${grantsPath(ORG)}?grantee_type=role&grantee_id=other`)).json).toMatchObject({ total: 0 });
    expect((await aitronos(`${grantsPath(ORG)}?entity_type=assistant`)).json).toMatchObject({ total: 0 });
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['skip=-1', 'skip'],
    ['grantee_type=team', 'grantee_type'],
    ['entity_type=bucket', 'entity_type'],
  ])('?%s: 400 naming the parameter', async (query, parameter) => {
    await startWith();
    const answer = await aitronos(`${grantsPath(ORG)}?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      success: false,
      error: { code: 'INVALID_PARAMETER', system_message: `Invalid query parameter: ${parameter}`, status: 400 },
    });
  });

  test('an unknown organization: 404 in the Aitronos envelope', async () => {
    await startWith();
    expect(await aitronos(grantsPath('org_nope'))).toMatchObject({
      status: 404,
      json: { success: false, error: { system_message: 'Organization not found', details: { organization_id: 'org_nope' } } },
    });
  });

  test('faults apply to the lists as to every call', async () => {
    await startWith();
    simulator.faults.add({ vendor: 'aitronos', method: 'GET', times: 1, action: { type: 'status', status: 503 } });
    expect(await aitronos(grantsPath(ORG))).toMatchObject({ status: 503, json: { success: false } });
    expect((await aitronos(grantsPath(ORG))).status).toBe(200);
  });
});

describe('seeds', () => {
  test('bare IDs and partial items both become whole items; the demo has both kinds of each', () => {
    simulator = createSimulator({ seed: demoSeed });
    const sessions = simulator.state.sessionsOf(SITE) ?? [];
    expect(sessions.map((session) => [session.type, session.expired])).toEqual([
      ['winbox', false],
      ['ssh', false],
      ['winbox', true],
    ]);
    expect(simulator.state.peersOf(INSTANCE)?.map((peer) => peer.type)).toEqual(['client', 'site']);
    expect(simulator.state.grantsOf(ORG)?.map((grant) => grant.grantee_type)).toEqual(['user', 'role', 'department']);
    expect(simulator.state.sessionsOf(MISSING)).toBeUndefined();
  });

  test('describeSeed marks expired sessions and typed peers', () => {
    const [site, , instance] = describeSeed(demoSeed);
    expect(site).toContain('(expired)');
    expect(instance).toContain('(site)');
  });

  test('addSession, addPeer and addGrant return the whole item, secrets included', () => {
    simulator = createSimulator({ seed: demoSeed });
    const session = simulator.state.addSession(SITE, MISSING);
    expect(session).toMatchObject({ id: MISSING, type: 'winbox', expired: false, password: expect.stringMatching(/^pw-/) });
    expect(simulator.state.secrets()).toEqual(expect.arrayContaining([session.username, session.password, session.onclick]));
    const peer = simulator.state.addPeer(INSTANCE, { id: MISSING, type: 'site', connected: true });
    expect(peer).toMatchObject({ site_id: expect.any(String), user_id: null, connected_from: expect.stringMatching(/^203\.0\.113\./) });
    expect(simulator.state.addGrant(ORG, { id: 'agrant_new', entity_type: 'assistant' })).toMatchObject({ grantee_type: 'user' });
  });
});
