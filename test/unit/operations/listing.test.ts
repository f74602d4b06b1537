import { findOperation, type Operation, type OperationName } from '../../../src/operations/catalog';
import type { TargetListing } from '../../../src/operations/listing';

function listingOf(name: OperationName): TargetListing {
  const listing = (findOperation(name) as Operation).listing;
  if (!listing) throw new Error(`${name} has no listing`);
  return listing;
}

const sessions = listingOf('revoke-access');
const peers = listingOf('delete-peer');
const grants = listingOf('revoke-grant');

const site = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function filter(name: OperationName, flag: string) {
  const found = listingOf(name).filters.find((candidate) => candidate.flag === flag);
  if (!found) throw new Error(`no filter ${flag}`);
  return found;
}

describe('which operations list their targets', () => {
  test('rotate-credentials has no listing; --all needs a filter for grants only', () => {
    expect(findOperation('rotate-credentials')?.listing).toBeUndefined();
    expect([sessions, peers, grants].map((listing) => listing.allNeedsFilter)).toEqual([false, false, true]);
    expect(sessions.filters).toEqual([]);
    expect(peers.filters.map((each) => `${each.flag} ${each.values}`)).toEqual(['--type client|site']);
    expect(grants.filters.map((each) => `${each.flag} ${each.values}`)).toEqual([
      '--grantee user|department|role[:<id>]',
      '--entity knowledge_slice|vector_store|assistant[:<id>]',
    ]);
  });
});

describe('filters', () => {
  test.each([
    ['delete-peer', '--type', 'site', { type: 'site' }],
    ['revoke-grant', '--grantee', 'user', { grantee_type: 'user' }],
    ['revoke-grant', '--grantee', 'role:role_contractors', { grantee_type: 'role', grantee_id: 'role_contractors' }],
    ['revoke-grant', '--entity', 'assistant:asst-42', { entity_type: 'assistant', entity_id: 'asst-42' }],
    ['revoke-grant', '--entity', 'vector_store', { entity_type: 'vector_store' }],
  ] as const)('%s %s %s becomes the query %j', (name, flag, value, query) => {
    expect(filter(name, flag).parse(value)).toEqual({ ok: true, query });
  });

  test.each([
    ['delete-peer', '--type', 'sites', '"sites" is not one of client, site'],
    ['delete-peer', '--type', 'Client', '"Client" is not one of client, site'],
    ['revoke-grant', '--grantee', 'team:abc', '"team" is not one of user, department, role'],
    ['revoke-grant', '--grantee', 'user:', '"" is not an ID: letters, digits, _ and - only, at most 100 of them'],
    ['revoke-grant', '--grantee', 'role:a b', '"a b" is not an ID'],
    ['revoke-grant', '--grantee', 'role:a\u0007', '"a\\u0007" is not an ID'],
    ['revoke-grant', '--entity', 'bucket:x', '"bucket" is not one of knowledge_slice, vector_store, assistant'],
    ['revoke-grant', '--entity', `assistant:${'x'.repeat(101)}`, 'is not an ID'],
    ['revoke-grant', '--entity', 'assistant:a:b', '"a:b" is not an ID'],
  ] as const)('%s %s %j is refused', (name, flag, value, message) => {
    const parsed = filter(name, flag).parse(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  test('a long value is shortened in the message', () => {
    const parsed = filter('delete-peer', '--type').parse('x'.repeat(500));
    expect(!parsed.ok && parsed.error.length).toBeLessThan(80);
  });
});

describe('list calls', () => {
  test('sessions: one GET of the site, path segments encoded', () => {
    expect(sessions.call('a/b', {}, 0)).toEqual({
      vendor: 'altostrat',
      method: 'GET',
      path: '/control-plane/a%2Fb/transient-accesses',
      idempotent: true,
    });
  });

  test('peers: the type filter in the query, when given', () => {
    expect(peers.call(site, {}, 0).path).toBe(`/vpn/instances/${site}/peers`);
    expect(peers.call(site, { type: 'client' }, 0)).toMatchObject({
      method: 'GET',
      path: `/vpn/instances/${site}/peers?type=client`,
      idempotent: true,
    });
  });

  test('grants: pages of 100 from skip, with the filters, values encoded', () => {
    const call = grants.call('org_xyz789', { grantee_type: 'role', grantee_id: 'a&b' }, 200);
    expect(call).toMatchObject({ vendor: 'aitronos', method: 'GET', idempotent: true });
    expect(call.path).toBe('/v1/organizations/org_xyz789/access/grants?skip=200&limit=100&grantee_type=role&grantee_id=a%26b');
  });
});

describe('reading a session list', () => {
  const session = (n: number, fields: Record<string, unknown> = {}) => ({
    id: id(n),
    type: 'winbox',
    port: 8291,
    entry_point: 'mgmt-1.altostrat.test',
    full_access: false,
    allow_rfc1918: false,
    expires_at: '2026-11-23T10:15:00Z',
    expired: false,
    revoked_early: false,
    time_to_expire: '15 minutes from now',
    username: 'user-leak',
    password: 'pw-leak',
    onclick: 'winbox://user-leak:pw-leak@mgmt-1.altostrat.test:8291',
    ...fields,
  });

  test('only active sessions, with their facts and none of their secrets', () => {
    const body = [
      session(1),
      session(2, { expired: true }),
      session(3, { expired: true, revoked_early: true }),
      session(4, { revoked_early: true }),
      session(5, { type: 'ssh', port: 2222, allow_only_cidr: '198.51.100.0/24', full_access: true, extra: { nested: 1 } }),
    ];
    const read = sessions.read(body);
    expect(read).toEqual({
      targets: [
        {
          id: id(1),
          facts: [
            { label: 'type', value: 'winbox' },
            { label: 'expires', value: '2026-11-23T10:15:00Z' },
            { label: 'entry point', value: 'mgmt-1.altostrat.test:8291' },
          ],
        },
        {
          id: id(5),
          facts: [
            { label: 'type', value: 'ssh' },
            { label: 'expires', value: '2026-11-23T10:15:00Z' },
            { label: 'entry point', value: 'mgmt-1.altostrat.test:2222' },
            { label: 'allowed CIDR', value: '198.51.100.0/24' },
            { label: 'full access', value: 'yes' },
          ],
        },
      ],
    });
    expect(JSON.stringify(read)).not.toMatch(/leak/);
  });

  test('an empty list is no targets', () => {
    expect(sessions.read([])).toEqual({ targets: [] });
  });

  test.each([
    ['an object instead of a list', { items: [] }, 'the answer is not a list of transient access sessions ('],
    ['no body at all', undefined, 'the answer is not a list of transient access sessions'],
    ['an item without expired', [{ ...session(1), expired: undefined }], '[0].expired:'],
    ['an ID of another form', [session(1), { ...session(2), id: '../../x' }], '[1].id: not an ID of the documented form'],
  ])('%s is refused, saying where', (_label, body, message) => {
    expect(() => sessions.read(body)).toThrow(message);
  });

  test('the message never repeats a value of the answer: it may be a secret', () => {
    expect(() => sessions.read([{ ...session(1), expired: 'pw-secret' }])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('pw-secret') }),
    );
  });
});

describe('reading a peer list', () => {
  test('client and site peers with their facts, never the token', () => {
    const body = [
      {
        id: id(1),
        type: 'client',
        user_id: id(9),
        site_id: null,
        subnets: [],
        route_all: true,
        protocol: 'wireguard',
        connected: false,
        connected_from: null,
        created_at: '2026-01-01T00:00:00Z',
        token: 'tok-leak',
        token_ttl: 300,
      },
      {
        id: id(2),
        type: 'site',
        user_id: null,
        site_id: site,
        subnets: ['10.20.0.0/24', '10.20.1.0/24'],
        protocol: 'openvpn',
        connected: true,
        connected_from: '203.0.113.7',
        token: 'tok-leak',
      },
    ];
    const read = peers.read(body);
    expect(read.targets).toEqual([
      {
        id: id(1),
        facts: [
          { label: 'type', value: 'client' },
          { label: 'connected', value: 'no' },
          { label: 'user', value: id(9) },
          { label: 'protocol', value: 'wireguard' },
        ],
      },
      {
        id: id(2),
        facts: [
          { label: 'type', value: 'site' },
          { label: 'connected', value: 'yes, from 203.0.113.7' },
          { label: 'site', value: site },
          { label: 'subnets', value: '10.20.0.0/24, 10.20.1.0/24' },
          { label: 'protocol', value: 'openvpn' },
        ],
      },
    ]);
    expect(read.nextSkip).toBeUndefined();
    expect(JSON.stringify(read)).not.toContain('tok-leak');
  });

  test('a peer without a type is refused', () => {
    expect(() => peers.read([{ id: id(1) }])).toThrow('the answer is not a list of VPN peers ([0].type:');
  });
});

describe('reading a page of grants', () => {
  const grant = (n: number, fields: Record<string, unknown> = {}) => ({
    id: `agrant_${n}`,
    entity_type: 'assistant',
    entity_id: 'asst_support',
    grantee_type: 'role',
    grantee_id: 'role_contractors',
    created_at: '2026-02-03T04:05:06Z',
    permissions: ['read'],
    ...fields,
  });
  const page = (items: unknown[], skip: number, hasMore: boolean) => ({ items, total: 250, skip, limit: 100, has_more: hasMore });

  test('the grants with entity, grantee and creation time; the next page starts after this one', () => {
    const read = grants.read(page([grant(1), grant(2)], 100, true));
    expect(read.targets[0]).toEqual({
      id: 'agrant_1',
      facts: [
        { label: 'entity', value: 'assistant:asst_support' },
        { label: 'grantee', value: 'role:role_contractors' },
        { label: 'granted', value: '2026-02-03T04:05:06Z' },
      ],
    });
    expect(read.nextSkip).toBe(102);
    expect(grants.read(page([grant(3)], 102, false)).nextSkip).toBeUndefined();
  });

  test('the creation time is read under another name, and left out when there is none', () => {
    const facts = (fields: Record<string, unknown>) => grants.read(page([grant(1, fields)], 0, false)).targets[0].facts;
    expect(facts({ created_at: undefined, granted_at: '2026-03-01T00:00:00Z' })).toContainEqual({
      label: 'granted',
      value: '2026-03-01T00:00:00Z',
    });
    expect(facts({ created_at: 1700000000 }).map((fact) => fact.label)).toEqual(['entity', 'grantee']);
  });

  test.each([
    ['a bare list', [grant(1)], 'the answer is not a page of access grants ('],
    ['no has_more', { items: [grant(1)], skip: 0 }, 'has_more:'],
    ['no skip', { items: [grant(1)], has_more: false }, 'skip:'],
    ['an ID of another form', page([grant(1, { id: 'grant-1' })], 0, false), 'items[0].id: not an ID of the documented form'],
    ['more promised on an empty page', page([], 0, true), 'has_more with no items'],
  ])('%s is refused', (_label, body, message) => {
    expect(() => grants.read(body)).toThrow(message);
  });
});
