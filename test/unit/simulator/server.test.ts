import { request } from 'undici';
import { createSimulator, demoSeed, idOf, type Simulator, type SimulatorOptions } from '../../../src/simulator';
import { rawCall } from './helpers';

const SITE = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const SESSION = 'f0e9d8c7-b6a5-4f3e-8d1c-0b9a8e7f6d5c';
const INSTANCE = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d';
const PEER = '550e8400-e29b-41d4-a716-446655440000';
const ORG = 'org_xyz789';
const GRANT = 'agrant_abc123def456';
const MISSING = '00000000-0000-4000-8000-000000000000';

const sessionPath = (site: string, session: string) => `/control-plane/${site}/transient-accesses/${session}`;
const credentialsPath = (site: string) => `/control-plane/${site}/credentials`;
const peerPath = (instance: string, peer: string) => `/vpn/instances/${instance}/peers/${peer}`;
const grantPath = (org: string, grant: string) => `/v1/organizations/${org}/access/grants/${grant}`;

let simulator: Simulator;
let url: string;
let altostratToken: string;
let aitronosToken: string;

async function startWith(options: SimulatorOptions = {}): Promise<void> {
  simulator = createSimulator({ seed: demoSeed, ...options });
  url = await simulator.start(0);
  ({ altostrat: altostratToken, aitronos: aitronosToken } = simulator.tokens);
}

afterEach(async () => {
  await simulator.stop();
});

describe('Altostrat endpoints', () => {
  beforeEach(() => startWith());

  test('revoke a transient access: 204 with no body, then 404 naming the session', async () => {
    const first = await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken });
    expect(first).toMatchObject({ status: 204, text: '' });
    const second = await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken });
    expect(second.status).toBe(404);
    expect(second.headers['content-type']).toBe('application/json');
    expect(second.json).toEqual({
      type: 'invalid_request_error',
      code: 'resource_not_found',
      message: `The transient access session ${SESSION} does not exist on site ${SITE}.`,
      doc_url: 'https://docs.altostrat.io/errors/resource_not_found',
    });
  });

  test('a missing site is named as the site', async () => {
    const answer = await rawCall(url, 'DELETE', sessionPath(MISSING, SESSION), { token: altostratToken });
    expect(answer.json).toMatchObject({ code: 'resource_not_found', message: `The site ${MISSING} does not exist.` });
  });

  test('rotate credentials: 200 with a full ApiCredential and a fresh password each time', async () => {
    const first = await rawCall(url, 'POST', credentialsPath(SITE), { token: altostratToken });
    const second = await rawCall(url, 'POST', credentialsPath(SITE), { token: altostratToken });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      site_id: SITE,
      username: 'altostrat-api',
      password: expect.stringMatching(/^\S{16,}$/),
      ip_address: expect.stringMatching(/^100\.64\.\d+\.\d+$/),
      api_port: 8728,
      server_ip: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((second.json as { password: string }).password).not.toBe((first.json as { password: string }).password);
  });

  test('rotate credentials of a missing site: 404', async () => {
    const answer = await rawCall(url, 'POST', credentialsPath(MISSING), { token: altostratToken });
    expect(answer).toMatchObject({ status: 404, json: { code: 'resource_not_found' } });
  });

  test('delete a peer: 204, then 404 naming the peer; a missing instance is named as such', async () => {
    expect((await rawCall(url, 'DELETE', peerPath(INSTANCE, PEER), { token: altostratToken })).status).toBe(204);
    const again = await rawCall(url, 'DELETE', peerPath(INSTANCE, PEER), { token: altostratToken });
    expect(again.json).toMatchObject({ code: 'resource_not_found', message: expect.stringContaining(`peer ${PEER}`) });
    const noInstance = await rawCall(url, 'DELETE', peerPath(MISSING, PEER), { token: altostratToken });
    expect(noInstance.json).toMatchObject({ message: `The VPN instance ${MISSING} does not exist.` });
  });

  test.each([
    ['no token', undefined],
    ['a wrong token', 'wrong'],
    ["Aitronos's token", 'sim-aitronos-token'],
  ])('%s: 401 with the bare {message}', async (_label, token) => {
    const answer = await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token });
    expect(answer).toMatchObject({ status: 401, json: { message: 'Unauthenticated.' } });
    expect(Object.keys(answer.json as object)).toEqual(['message']);
    expect(simulator.state.hasSession(SITE, SESSION)).toBe(true);
  });

  test('a path-encoded slash stays inside its segment', async () => {
    const answer = await rawCall(url, 'DELETE', sessionPath(SITE, '..%2F..%2Fcredentials'), { token: altostratToken });
    expect(answer.json).toMatchObject({ message: expect.stringContaining('session ../../credentials does not exist') });
  });
});

describe('Altostrat scopes', () => {
  test('delete-peer without vpn:delete: 403 insufficient_scope', async () => {
    await startWith({ scopes: [] });
    const answer = await rawCall(url, 'DELETE', peerPath(INSTANCE, PEER), { token: altostratToken });
    expect(answer).toMatchObject({
      status: 403,
      json: { code: 'insufficient_scope', message: 'The token lacks the vpn:delete scope.' },
    });
    expect(simulator.state.hasPeer(INSTANCE, PEER)).toBe(true);
    // Other endpoints need no scope.
    expect((await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken })).status).toBe(204);
  });
});

describe('Aitronos endpoint', () => {
  beforeEach(() => startWith({ tokens: { aitronos: 'custom-token' } }));

  test('revoke a grant: 204, then 404 in the documented envelope', async () => {
    expect((await rawCall(url, 'DELETE', grantPath(ORG, GRANT), { token: 'custom-token' })).status).toBe(204);
    const again = await rawCall(url, 'DELETE', grantPath(ORG, GRANT), { token: 'custom-token' });
    expect(again.status).toBe(404);
    expect(again.json).toEqual({
      success: false,
      error: {
        code: 'RESOURCE_NOT_FOUND',
        message: "We couldn't find the resource you're looking for.",
        system_message: 'Access grant not found',
        type: 'client_error',
        status: 404,
        details: { grant_id: GRANT },
        trace_id: expect.any(String),
        timestamp: expect.any(String),
      },
    });
  });

  test('a missing organization is named as such', async () => {
    const answer = await rawCall(url, 'DELETE', grantPath('org_nope', GRANT), { token: 'custom-token' });
    expect(answer.json).toMatchObject({
      error: { system_message: 'Organization not found', details: { organization_id: 'org_nope' } },
    });
  });

  test('a wrong token: 401 UNAUTHORIZED, with a fresh trace ID each time', async () => {
    // The default token is wrong once another is configured.
    const first = await rawCall(url, 'DELETE', grantPath(ORG, GRANT), { token: 'sim-aitronos-token' });
    const second = await rawCall(url, 'DELETE', grantPath(ORG, GRANT), { token: 'wrong' });
    for (const answer of [first, second]) {
      expect(answer).toMatchObject({ status: 401, json: { success: false, error: { code: 'UNAUTHORIZED' } } });
    }
    const traceId = (answer: { json: unknown }) => (answer.json as { error: { trace_id: string } }).error.trace_id;
    expect(traceId(first)).not.toBe(traceId(second));
    expect(simulator.state.hasGrant(ORG, GRANT)).toBe(true);
  });
});

describe('routing', () => {
  beforeEach(() => startWith());

  test.each([
    ['an unknown path', 'GET', '/nothing/here', undefined],
    ['a wrong method on a known path', 'GET', sessionPath(SITE, SESSION), 'altostrat'],
    ['an unknown Altostrat path', 'DELETE', '/control-plane/x', 'altostrat'],
    ['an unknown Aitronos path', 'DELETE', '/v1/organizations/org_xyz789', 'aitronos'],
  ] as const)('%s: 404', async (_label, method, path, vendor) => {
    const token = vendor ? simulator.tokens[vendor] : undefined;
    expect((await rawCall(url, method, path, { token })).status).toBe(404);
    expect(simulator.calls.list()).toMatchObject([{ vendor, method, path, status: 404 }]);
  });
});

describe('fault injection in process', () => {
  beforeEach(() => startWith());

  test('a status fault answers in the vendor envelope, for `times` calls', async () => {
    simulator.faults.add({ vendor: 'altostrat', action: { type: 'status', status: 503 }, times: 1 });
    const faulted = await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken });
    expect(faulted).toMatchObject({ status: 503, json: { type: 'api_error', code: 'service_unavailable' } });
    expect(simulator.state.hasSession(SITE, SESSION)).toBe(true);
    expect((await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken })).status).toBe(204);
    expect(simulator.faults.list()).toEqual([]);
  });

  test("Aitronos faults use Aitronos's envelope", async () => {
    simulator.faults.add({ action: { type: 'status', status: 500 } });
    const answer = await rawCall(url, 'DELETE', grantPath(ORG, GRANT), { token: aitronosToken });
    expect(answer.json).toMatchObject({
      success: false,
      error: { code: 'INTERNAL_SERVER_ERROR', type: 'server_error', status: 500 },
    });
  });

  test('a status fault with a raw body sends it as is', async () => {
    simulator.faults.add({
      action: { type: 'status', status: 502, body: '<h1>Bad gateway</h1>', contentType: 'text/html' },
    });
    const answer = await rawCall(url, 'POST', credentialsPath(SITE), { token: altostratToken });
    expect(answer).toMatchObject({ status: 502, text: '<h1>Bad gateway</h1>', headers: { 'content-type': 'text/html' } });
  });

  test('faults match on vendor, method and path', async () => {
    simulator.faults.add({ vendor: 'aitronos', action: { type: 'status', status: 500 } });
    simulator.faults.add({ method: 'post', action: { type: 'status', status: 502 } });
    simulator.faults.add({ path: '/peers/', action: { type: 'status', status: 504 } });
    expect((await rawCall(url, 'DELETE', grantPath(ORG, GRANT), { token: aitronosToken })).status).toBe(500);
    expect((await rawCall(url, 'POST', credentialsPath(SITE), { token: altostratToken })).status).toBe(502);
    expect((await rawCall(url, 'DELETE', peerPath(INSTANCE, PEER), { token: altostratToken })).status).toBe(504);
    expect((await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken })).status).toBe(204);
  });

  test('a delay holds the call, then answers normally or with its status', async () => {
    simulator.faults.add({ action: { type: 'delay', ms: 100 }, times: 1 });
    const started = Date.now();
    expect((await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken })).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    simulator.faults.add({ action: { type: 'delay', ms: 10, status: 500 } });
    expect((await rawCall(url, 'POST', credentialsPath(SITE), { token: altostratToken })).status).toBe(500);
  });

  test('a reset destroys the connection without an answer', async () => {
    simulator.faults.add({ action: { type: 'reset' } });
    await expect(rawCall(url, 'POST', credentialsPath(SITE), { token: altostratToken })).rejects.toThrow();
    const record = await simulator.calls.waitFor((call) => call.end !== undefined);
    expect(record).toMatchObject({ end: 'reset', fault: 'reset', status: undefined });
  });

  test('malformed JSON with a JSON content type', async () => {
    simulator.faults.add({ action: { type: 'malformed', status: 200 } });
    const answer = await rawCall(url, 'POST', credentialsPath(SITE), { token: altostratToken });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(answer.text)).toThrow();
  });

  test('rate limiting: 429 with Retry-After', async () => {
    simulator.faults.add({ action: { type: 'rate_limit', retryAfterSeconds: 7 } });
    const answer = await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken });
    expect(answer).toMatchObject({ status: 429, headers: { 'retry-after': '7' }, json: { type: 'rate_limit_error' } });
  });

  test('faults apply before authentication, like a failing vendor', async () => {
    simulator.faults.add({ action: { type: 'status', status: 503 } });
    expect((await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: 'wrong' })).status).toBe(503);
  });

  test('a fault that does not validate is refused', () => {
    expect(() => simulator.faults.add({ action: { type: 'status', status: 42 } })).toThrow();
    expect(() => simulator.faults.add({ action: { type: 'explode' } } as never)).toThrow();
  });
});

describe('fault probability', () => {
  test('a fault applies when the random draw is below its probability', async () => {
    const draws = [0.1, 0.9];
    await startWith({ random: () => draws.shift() ?? 1 });
    simulator.faults.add({ action: { type: 'status', status: 500 }, probability: 0.5 });
    expect((await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken })).status).toBe(500);
    expect((await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken })).status).toBe(204);
    expect(simulator.faults.list()).toMatchObject([{ applied: 1 }]);
  });
});

describe('call records', () => {
  test('each call is recorded with vendor, method, path, authorization, times and status', async () => {
    await startWith();
    const before = Date.now();
    await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken });
    await rawCall(url, 'DELETE', grantPath(ORG, GRANT));
    await rawCall(url, 'DELETE', grantPath(ORG, GRANT), { token: 'wrong' });
    const calls = simulator.calls.list();
    expect(calls).toMatchObject([
      { vendor: 'altostrat', method: 'DELETE', path: sessionPath(SITE, SESSION), authorization: 'valid', status: 204 },
      { vendor: 'aitronos', authorization: 'missing', status: 401 },
      { vendor: 'aitronos', authorization: 'invalid', status: 401 },
    ]);
    for (const call of calls) {
      expect(call.end).toBe('answered');
      expect(call.receivedAt).toBeGreaterThanOrEqual(before);
      expect(call.answeredAt).toBeGreaterThanOrEqual(call.receivedAt);
    }
    expect(simulator.calls.count({ vendor: 'aitronos' })).toBe(2);
    expect(simulator.calls.count({ path: '/transient-accesses/' })).toBe(1);
  });

  test('latency delays every call, and maxInFlight counts the calls held at once', async () => {
    await startWith({ latencyMs: 80 });
    const started = Date.now();
    const answers = await Promise.all(
      demoSeed.organizations[0].grants.map((grant) =>
        rawCall(url, 'DELETE', grantPath(ORG, idOf(grant)), { token: aitronosToken }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(simulator.calls.maxInFlight).toBe(3);
    expect(simulator.calls.inFlight).toBe(0);
  });

  test('a client that gives up is recorded as aborted, and stop() ends held calls', async () => {
    await startWith();
    simulator.faults.add({ action: { type: 'delay', ms: 60_000 } });
    const gaveUp = request(`${url}${credentialsPath(SITE)}`, { method: 'POST', signal: AbortSignal.timeout(50) });
    await expect(gaveUp).rejects.toThrow();
    await expect(simulator.calls.waitFor((call) => call.end === 'aborted')).resolves.toMatchObject({ fault: 'delay' });

    const held = rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken });
    await simulator.calls.waitFor((call) => call.end === undefined);
    const started = Date.now();
    await simulator.stop();
    await expect(held).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('waitFor rejects after its deadline', async () => {
    await startWith();
    await expect(simulator.calls.waitFor(() => false, 20)).rejects.toThrow('within 20 ms');
  });
});

describe('lifecycle', () => {
  test('url is known only while running; start twice is an error; restart works', async () => {
    simulator = createSimulator();
    expect(() => simulator.url).toThrow('not running');
    const first = await simulator.start(0);
    expect(simulator.url).toBe(first);
    await expect(simulator.start(0)).rejects.toThrow('already running');
    await simulator.stop();
    expect(() => simulator.url).toThrow('not running');
    await simulator.start(0);
    expect((await rawCall(simulator.url, 'GET', '/x')).status).toBe(404);
  });

  test('reset() restores the seed and clears faults and calls', async () => {
    await startWith();
    simulator.faults.add({ path: '/nothing', action: { type: 'reset' } });
    await rawCall(url, 'DELETE', sessionPath(SITE, SESSION), { token: altostratToken });
    simulator.reset();
    expect(simulator.state.hasSession(SITE, SESSION)).toBe(true);
    expect(simulator.faults.list()).toEqual([]);
    expect(simulator.calls.count()).toBe(0);
  });
});
