import { findOperation, type OperationName } from '../../../src/operations/catalog';
import type { ListedTarget } from '../../../src/operations/listing';
import type { SimulatorSeed } from '../../../src/simulator';
import type { VendorClient } from '../../../src/vendors/types';
import { Harness, vendorError } from './helpers';

// The catalog's listings driven through a real vendor client against the real simulator, page by
// page as the listing flow does.

const SITE = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const INSTANCE = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d';
const ORG = 'org_xyz789';
const MISSING = 'deadbeef-0000-4000-8000-000000000000';
const session = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const peer = (n: number) => `11111111-0000-4000-8000-${String(n).padStart(12, '0')}`;
const grant = (n: number) => `agrant_${String(n).padStart(4, '0')}`;

const seed: SimulatorSeed = {
  sites: [
    {
      id: SITE,
      sessions: [
        session(1),
        { id: session(2), type: 'ssh', allow_only_cidr: '198.51.100.0/24' },
        { id: session(3), expired: true },
        { id: session(4), revoked_early: true },
        { id: session(5), expires_at: new Date(Date.now() - 60_000).toISOString() },
      ],
    },
  ],
  vpnInstances: [
    {
      id: INSTANCE,
      peers: [
        peer(1),
        { id: peer(2), type: 'site', subnets: ['10.20.0.0/24'], connected: true, connected_from: '203.0.113.7' },
        { id: peer(3), type: 'site' },
      ],
    },
  ],
  organizations: [
    {
      id: ORG,
      // 230 grants: three pages of 100; every third one a role's on an assistant.
      grants: Array.from({ length: 230 }, (_, i) =>
        i % 3 === 0
          ? { id: grant(i), grantee_type: 'role' as const, grantee_id: 'role_ops', entity_type: 'assistant' as const, entity_id: 'asst_1' }
          : grant(i),
      ),
    },
  ],
};

function listingOf(name: OperationName) {
  const listing = findOperation(name)?.listing;
  if (!listing) throw new Error(`${name} has no listing`);
  return listing;
}

/** Every target the listing finds, following `nextSkip` as the listing flow does. */
async function listAll(
  client: VendorClient,
  name: OperationName,
  parentId: string,
  query: Record<string, string> = {},
): Promise<ListedTarget[]> {
  const listing = listingOf(name);
  const targets: ListedTarget[] = [];
  for (let skip: number | undefined = 0; skip !== undefined; ) {
    const response = await client.send(listing.call(parentId, query, skip));
    const page = listing.read(response.body);
    targets.push(...page.targets);
    skip = page.nextSkip;
  }
  return targets;
}

const ids = (targets: ListedTarget[]) => targets.map((target) => target.id);

let harness: Harness;

beforeEach(async () => {
  harness = await Harness.start({ seed });
});

afterEach(async () => {
  await harness.close();
});

describe('sessions of a site', () => {
  test('only the active ones: not expired, not revoked early, not past their expiry', async () => {
    const targets = await listAll(harness.client('altostrat'), 'revoke-access', SITE);
    expect(ids(targets)).toEqual([session(1), session(2)]);
    expect(targets[1].facts).toEqual([
      { label: 'type', value: 'ssh' },
      { label: 'expires', value: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { label: 'entry point', value: 'mgmt-sim-1.altostrat.test:2222' },
      { label: 'allowed CIDR', value: '198.51.100.0/24' },
    ]);
    expect(harness.simulator.calls.list()).toMatchObject([
      { method: 'GET', path: `/control-plane/${SITE}/transient-accesses`, query: '', status: 200 },
    ]);
  });

  test('a session created after a listing is in the next one, and a revoked one is not', async () => {
    const client = harness.client('altostrat');
    harness.simulator.state.addSession(SITE, { id: session(9), type: 'ssh' });
    harness.simulator.state.revokeSession(SITE, session(1));
    expect(ids(await listAll(client, 'revoke-access', SITE))).toEqual([session(2), session(9)]);
  });

  test('an unknown site is a 404 with Altostrat\'s message, not "already gone"', async () => {
    const error = await vendorError(listAll(harness.client('altostrat'), 'revoke-access', MISSING));
    expect(error).toMatchObject({
      vendor: 'altostrat',
      kind: 'http',
      status: 404,
      code: 'resource_not_found',
      message: `The site ${MISSING} does not exist.`,
      attempts: 1,
    });
  });
});

describe('peers of a VPN instance', () => {
  test('every peer, or those of one type: the filter reaches the query', async () => {
    const client = harness.client('altostrat');
    expect(ids(await listAll(client, 'delete-peer', INSTANCE))).toEqual([peer(1), peer(2), peer(3)]);
    const sites = await listAll(client, 'delete-peer', INSTANCE, { type: 'site' });
    expect(ids(sites)).toEqual([peer(2), peer(3)]);
    expect(sites[0].facts).toEqual([
      { label: 'type', value: 'site' },
      { label: 'connected', value: 'yes, from 203.0.113.7' },
      { label: 'site', value: expect.any(String) },
      { label: 'subnets', value: '10.20.0.0/24' },
      { label: 'protocol', value: 'wireguard' },
    ]);
    expect(harness.simulator.calls.list().map((call) => call.query)).toEqual(['', 'type=site']);
  });

  test('a token without the read scope is a 403 naming it', async () => {
    const restricted = await Harness.start({ seed, scopes: ['vpn:delete'] });
    try {
      const error = await vendorError(listAll(restricted.client('altostrat'), 'delete-peer', INSTANCE));
      expect(error).toMatchObject({ status: 403, code: 'insufficient_scope', message: 'The token lacks the vpn:read scope.' });
      expect(error.retryable).toBe(false);
      expect(restricted.simulator.calls.count()).toBe(1);
    } finally {
      await restricted.close();
    }
  });
});

describe('grants of an organization', () => {
  test('every page of 230 grants, asked for until has_more is false', async () => {
    const targets = await listAll(harness.client('aitronos'), 'revoke-grant', ORG);
    expect(ids(targets)).toEqual(Array.from({ length: 230 }, (_, i) => grant(i)));
    expect(harness.simulator.calls.list().map((call) => call.query)).toEqual([
      'skip=0&limit=100',
      'skip=100&limit=100',
      'skip=200&limit=100',
    ]);
  });

  test('the filters reach the query, and the vendor applies them', async () => {
    const targets = await listAll(harness.client('aitronos'), 'revoke-grant', ORG, {
      grantee_type: 'role',
      grantee_id: 'role_ops',
      entity_type: 'assistant',
    });
    expect(targets).toHaveLength(77);
    expect(targets[0].facts.slice(0, 2)).toEqual([
      { label: 'entity', value: 'assistant:asst_1' },
      { label: 'grantee', value: 'role:role_ops' },
    ]);
    expect(harness.simulator.calls.list()[0].query).toBe(
      'skip=0&limit=100&grantee_type=role&grantee_id=role_ops&entity_type=assistant',
    );
  });

  test("an unknown organization is a 404 with Aitronos's message and trace ID", async () => {
    const error = await vendorError(listAll(harness.client('aitronos'), 'revoke-grant', 'org_nope'));
    expect(error).toMatchObject({
      vendor: 'aitronos',
      status: 404,
      code: 'RESOURCE_NOT_FOUND',
      message: "We couldn't find the resource you're looking for. (Organization not found)",
      traceId: expect.any(String),
    });
  });
});

describe('failures on the way', () => {
  test('a 5xx is retried, and the paging goes on', async () => {
    harness.simulator.faults.add({ method: 'GET', path: '/access/grants', times: 1, action: { type: 'status', status: 503 } });
    const targets = await listAll(harness.client('aitronos'), 'revoke-grant', ORG);
    expect(targets).toHaveLength(230);
    expect(harness.simulator.calls.list().map((call) => [call.query, call.status])).toEqual([
      ['skip=0&limit=100', 503],
      ['skip=0&limit=100', 200],
      ['skip=100&limit=100', 200],
      ['skip=200&limit=100', 200],
    ]);
  });

  test('a 429 is retried after its Retry-After, a broken connection too', async () => {
    const waits: number[] = [];
    const client = harness.client('altostrat', {}, { sleep: async (ms) => void waits.push(ms) });
    harness.simulator.faults.add({ method: 'GET', times: 1, action: { type: 'rate_limit', retryAfterSeconds: 0 } });
    harness.simulator.faults.add({ method: 'GET', times: 1, action: { type: 'reset' } });
    expect(ids(await listAll(client, 'revoke-access', SITE))).toEqual([session(1), session(2)]);
    expect(harness.simulator.calls.list().map((call) => call.status ?? call.end)).toEqual([429, 'reset', 200]);
    expect(waits).toHaveLength(2);
  });

  test('a 404 after a 5xx is still an error: a GET removes nothing', async () => {
    harness.simulator.faults.add({ method: 'GET', times: 1, action: { type: 'status', status: 502 } });
    const error = await vendorError(listAll(harness.client('altostrat'), 'revoke-access', MISSING));
    expect(error).toMatchObject({ status: 404, attempts: 2, message: `The site ${MISSING} does not exist.` });
  });

  test('a 5xx every time ends with the last one, after the retries', async () => {
    harness.simulator.faults.add({ method: 'GET', action: { type: 'status', status: 500 } });
    const error = await vendorError(listAll(harness.client('altostrat'), 'revoke-access', SITE));
    expect(error).toMatchObject({ status: 500, code: 'internal_server_error', attempts: 4 });
  });

  test.each([
    ['an object instead of a list', '{"sessions": []}', 'the answer is not a list of transient access sessions'],
    ['an item without expired', `[{"id": "${session(1)}", "type": "ssh", "expires_at": "x"}]`, '[0].expired:'],
  ])('a 200 whose body is not the contract (%s) is a clear error', async (_label, body, message) => {
    harness.simulator.faults.add({ method: 'GET', action: { type: 'status', status: 200, body, contentType: 'application/json' } });
    await expect(listAll(harness.client('altostrat'), 'revoke-access', SITE)).rejects.toThrow(message);
  });

  test('a 200 that is not JSON is an invalid response', async () => {
    harness.simulator.faults.add({ method: 'GET', action: { type: 'malformed' } });
    const error = await vendorError(listAll(harness.client('altostrat'), 'delete-peer', INSTANCE));
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200, retryable: false });
  });
});

test('no secret of the listed items is in anything a listing reads', async () => {
  const altostrat = harness.client('altostrat');
  const secrets = harness.simulator.state.secrets();
  // Sessions' username, password and onclick, peers' token: 5 sessions × 3 + 3 peers.
  expect(secrets).toHaveLength(18);
  expect(secrets.some((secret) => secret.startsWith('pw-'))).toBe(true);
  const read = [
    await listAll(altostrat, 'revoke-access', SITE),
    await listAll(altostrat, 'delete-peer', INSTANCE),
    await listAll(harness.client('aitronos'), 'revoke-grant', ORG),
  ];
  const text = JSON.stringify(read);
  for (const secret of secrets) expect(text).not.toContain(secret);
  // The simulator did send them: the test would see a leak.
  const raw = await altostrat.send(listingOf('revoke-access').call(SITE, {}, 0));
  expect(secrets.filter((secret) => JSON.stringify(raw.body).includes(secret))).toHaveLength(15);
});
