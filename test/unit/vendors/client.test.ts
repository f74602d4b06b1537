import { apiCredentialSchema, findOperation, type OperationName } from '../../../src/operations/catalog';
import { MockAgent } from 'undici';
import { createLogger } from '../../../src/lib/logger';
import { createSimulator, demoSeed, type SimulatorSeed } from '../../../src/simulator';
import { createVendorClients } from '../../../src/vendors';
import { createVendorClient } from '../../../src/vendors/http';
import type { VendorCall } from '../../../src/vendors/types';
import { closedPort, Harness, testSettings, vendorError } from './helpers';

const SITE = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const SESSION = 'f0e9d8c7-b6a5-4f3e-8d1c-0b9a8e7f6d5c';
const INSTANCE = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d';
const PEER = '550e8400-e29b-41d4-a716-446655440000';
const ORG = 'org_xyz789';
const GRANT = 'agrant_abc123def456';

function call(name: OperationName, parent: string | undefined, target: string): VendorCall {
  const operation = findOperation(name);
  if (!operation) throw new Error(`no operation ${name}`);
  return operation.call(parent, target);
}

const revokeAccess = call('revoke-access', SITE, SESSION);
const rotate = call('rotate-credentials', undefined, SITE);
const deletePeer = call('delete-peer', INSTANCE, PEER);
const revokeGrant = call('revoke-grant', ORG, GRANT);

/** A `sleep` that does not wait but remembers what it was asked to wait. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

let harness: Harness;

beforeEach(async () => {
  harness = await Harness.start({ seed: demoSeed });
});

afterEach(async () => {
  await harness.close();
});

describe('each endpoint against the simulator', () => {
  test('revoke-access: 204, then 404 naming the session', async () => {
    const client = harness.client('altostrat');
    await expect(client.send(revokeAccess)).resolves.toEqual({ status: 204, body: undefined });
    expect(harness.simulator.state.hasSession(SITE, SESSION)).toBe(false);

    const error = await vendorError(client.send(revokeAccess));
    expect(error).toMatchObject({
      vendor: 'altostrat',
      kind: 'http',
      status: 404,
      code: 'resource_not_found',
      docUrl: 'https://docs.altostrat.io/errors/resource_not_found',
      outcome: 'failed',
      retryable: false,
      attempts: 1,
    });
    expect(error.message).toContain(`session ${SESSION}`);
  });

  test('revoke-access on an unknown site: 404 naming the site', async () => {
    const error = await vendorError(
      harness.client('altostrat').send(call('revoke-access', '00000000-0000-4000-8000-000000000000', SESSION)),
    );
    expect(error.status).toBe(404);
    expect(error.message).toContain('site 00000000-0000-4000-8000-000000000000');
  });

  test('rotate-credentials: 200 with a new ApiCredential the catalog can read', async () => {
    const before = harness.simulator.state.credentialOf(SITE);
    const response = await harness.client('altostrat').send(rotate);
    expect(response.status).toBe(200);
    const credential = apiCredentialSchema.parse(response.body);
    expect(credential).toMatchObject({ site_id: SITE, username: 'altostrat-api', api_port: 8728 });
    expect(credential.password).not.toBe(before?.password);
    expect(credential.id).not.toBe(before?.id);
    expect(harness.simulator.state.credentialOf(SITE)?.password).toBe(credential.password);
    expect(findOperation('rotate-credentials')?.interpret(response).secret?.value).toBe(credential.password);
  });

  test('delete-peer: 204, then 404', async () => {
    const client = harness.client('altostrat');
    await expect(client.send(deletePeer)).resolves.toEqual({ status: 204, body: undefined });
    expect(harness.simulator.state.hasPeer(INSTANCE, PEER)).toBe(false);
    const error = await vendorError(client.send(deletePeer));
    expect(error).toMatchObject({ status: 404, code: 'resource_not_found' });
    expect(error.message).toContain(`peer ${PEER}`);
  });

  test('revoke-grant: 204, then 404 in the Aitronos envelope with a trace ID', async () => {
    const client = harness.client('aitronos');
    await expect(client.send(revokeGrant)).resolves.toEqual({ status: 204, body: undefined });
    expect(harness.simulator.state.hasGrant(ORG, GRANT)).toBe(false);
    const error = await vendorError(client.send(revokeGrant));
    expect(error).toMatchObject({ vendor: 'aitronos', status: 404, code: 'RESOURCE_NOT_FOUND', outcome: 'failed' });
    expect(error.message).toContain('Access grant not found');
    expect(error.traceId).toMatch(/\S/);
  });

  test('the bearer token is sent and accepted', async () => {
    await harness.client('altostrat').send(revokeAccess);
    await harness.client('aitronos').send(revokeGrant);
    expect(harness.simulator.calls.list().map((record) => record.authorization)).toEqual(['valid', 'valid']);
  });
});

describe('authentication and scopes', () => {
  test('Altostrat: a wrong token is a 401 with the bare message', async () => {
    const error = await vendorError(harness.client('altostrat', { token: 'wrong' }).send(revokeAccess));
    expect(error).toMatchObject({ status: 401, message: 'Unauthenticated.', outcome: 'failed', attempts: 1 });
    expect(error.code).toBeUndefined();
    expect(harness.simulator.calls.list()).toMatchObject([{ authorization: 'invalid', status: 401 }]);
    expect(harness.simulator.state.hasSession(SITE, SESSION)).toBe(true);
  });

  test('Aitronos: a wrong token is a 401 UNAUTHORIZED with a trace ID', async () => {
    const error = await vendorError(harness.client('aitronos', { token: 'wrong' }).send(revokeGrant));
    expect(error).toMatchObject({ vendor: 'aitronos', status: 401, code: 'UNAUTHORIZED', retryable: false });
    expect(error.traceId).toMatch(/\S/);
    expect(error.message).not.toContain('wrong');
  });

  test('delete-peer without the vpn:delete scope is a 403 insufficient_scope', async () => {
    const restricted = await Harness.start({ seed: demoSeed, scopes: [] });
    try {
      const error = await vendorError(restricted.client('altostrat').send(deletePeer));
      expect(error).toMatchObject({ status: 403, code: 'insufficient_scope', outcome: 'failed', retryable: false });
      expect(error.message).toContain('vpn:delete');
      expect(restricted.simulator.state.hasPeer(INSTANCE, PEER)).toBe(true);
    } finally {
      await restricted.close();
    }
  });
});

describe('DELETE retries', () => {
  test.each([500, 503])('retried on %i until the fault clears', async (status) => {
    harness.simulator.faults.add({ method: 'DELETE', action: { type: 'status', status }, times: 2 });
    await expect(harness.client('altostrat').send(revokeAccess)).resolves.toMatchObject({ status: 204 });
    expect(harness.simulator.calls.list().map((record) => record.status)).toEqual([status, status, 204]);
    expect(harness.simulator.state.hasSession(SITE, SESSION)).toBe(false);
  });

  test('retried on 429, waiting at least Retry-After', async () => {
    harness.simulator.faults.add({ vendor: 'aitronos', action: { type: 'rate_limit', retryAfterSeconds: 1 }, times: 1 });
    const { waits, sleep } = recordingSleep();
    const client = harness.client('aitronos', { retry: { maxDelayMs: 2000 } }, { sleep });
    await expect(client.send(revokeGrant)).resolves.toMatchObject({ status: 204 });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(harness.simulator.calls.count()).toBe(2);
  });

  test('a Retry-After beyond maxDelayMs gives up at once', async () => {
    harness.simulator.faults.add({ action: { type: 'rate_limit', retryAfterSeconds: 30 } });
    const { waits, sleep } = recordingSleep();
    const error = await vendorError(harness.client('altostrat', {}, { sleep }).send(revokeAccess));
    expect(error).toMatchObject({ status: 429, retryAfterMs: 30_000, attempts: 1, outcome: 'failed' });
    expect(waits).toEqual([]);
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('retried after a connection reset', async () => {
    harness.simulator.faults.add({ action: { type: 'reset' }, times: 1 });
    await expect(harness.client('altostrat').send(deletePeer)).resolves.toMatchObject({ status: 204 });
    expect(harness.simulator.calls.list().map((record) => record.end)).toEqual(['reset', 'answered']);
  });

  test('retried after a timeout', async () => {
    harness.simulator.faults.add({ action: { type: 'delay', ms: 5000 }, times: 1 });
    const client = harness.client('aitronos', { timeoutMs: 100 });
    await expect(client.send(revokeGrant)).resolves.toMatchObject({ status: 204 });
    expect(harness.simulator.calls.count()).toBe(2);
    await harness.simulator.calls.waitFor((record) => record.end === 'aborted');
  });

  test('gives up after the cap, outcome unknown', async () => {
    harness.simulator.faults.add({ action: { type: 'status', status: 503 } });
    const error = await vendorError(harness.client('altostrat', { retry: { attempts: 2 } }).send(revokeAccess));
    expect(error).toMatchObject({ kind: 'http', status: 503, attempts: 3, outcome: 'unknown', retryable: true });
    expect(harness.simulator.calls.count()).toBe(3);
  });

  test('not retried on a 404', async () => {
    const error = await vendorError(harness.client('altostrat').send(call('delete-peer', INSTANCE, SESSION)));
    expect(error).toMatchObject({ status: 404, attempts: 1 });
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('timeouts on every attempt end as kind timeout, outcome unknown', async () => {
    harness.simulator.faults.add({ action: { type: 'delay', ms: 5000 } });
    const client = harness.client('altostrat', { timeoutMs: 50, retry: { attempts: 1 } });
    const error = await vendorError(client.send(revokeAccess));
    expect(error).toMatchObject({ kind: 'timeout', outcome: 'unknown', attempts: 2 });
    expect(harness.simulator.calls.count()).toBe(2);
  });
});

describe("a removal's retry that finds its target gone", () => {
  // The simulator cannot apply a call and then lose its answer; removing the target before a
  // failing first attempt looks the same from the client's side of the wire.
  test.each([
    ['a 503', { type: 'status', status: 503 } as const, { kind: 'http', status: 503 }, 503],
    ['a reset', { type: 'reset' } as const, { kind: 'connection' }, 'reset'],
  ])('after %s, a 404 means the earlier attempt removed it: done', async (_label, action, earlier, firstEnd) => {
    harness.simulator.state.revokeSession(SITE, SESSION);
    harness.simulator.faults.add({ action, times: 1 });
    const response = await harness.client('altostrat').send(revokeAccess);
    expect(response).toMatchObject({ status: 404, earlierFailure: { ...earlier, outcome: 'unknown', attempts: 2 } });
    expect(harness.simulator.calls.list().map((record) => record.status ?? record.end)).toEqual([firstEnd, 404]);
  });
});

describe('POST rotate is never sent twice', () => {
  test('not retried on 500: outcome unknown', async () => {
    harness.simulator.faults.add({ action: { type: 'status', status: 500 }, times: 1 });
    const error = await vendorError(harness.client('altostrat').send(rotate));
    expect(error).toMatchObject({ kind: 'http', status: 500, attempts: 1, outcome: 'unknown' });
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('not retried on 429', async () => {
    harness.simulator.faults.add({ action: { type: 'rate_limit', retryAfterSeconds: 0 }, times: 1 });
    const error = await vendorError(harness.client('altostrat').send(rotate));
    expect(error).toMatchObject({ status: 429, attempts: 1 });
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('not retried on a reset after sending: outcome unknown', async () => {
    harness.simulator.faults.add({ action: { type: 'reset' }, times: 1 });
    const error = await vendorError(harness.client('altostrat').send(rotate));
    expect(error).toMatchObject({ kind: 'connection', outcome: 'unknown', attempts: 1 });
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('a held call times out in about timeoutMs, is not retried, and its outcome is unknown', async () => {
    harness.simulator.faults.add({ action: { type: 'delay', ms: 10_000 } });
    const started = Date.now();
    const error = await vendorError(harness.client('altostrat', { timeoutMs: 200 }).send(rotate));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ kind: 'timeout', outcome: 'unknown', attempts: 1, retryable: true });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2000);
    await harness.simulator.calls.waitFor((record) => record.end === 'aborted');
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('retried when the connection is refused, outcome failed', async () => {
    const port = await closedPort();
    const client = harness.client('altostrat', { baseUrl: `http://127.0.0.1:${port}`, retry: { attempts: 2 } });
    const error = await vendorError(client.send(rotate));
    expect(error).toMatchObject({ kind: 'connection', outcome: 'failed', attempts: 3, retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  test('succeeds once the refused vendor comes up, with a single call received', async () => {
    const port = await closedPort();
    const late = createSimulator({ seed: demoSeed });
    const client = harness.client(
      'altostrat',
      { baseUrl: `http://127.0.0.1:${port}` },
      { sleep: async () => void (await late.start(port)) },
    );
    try {
      await expect(client.send(rotate)).resolves.toMatchObject({ status: 200 });
      expect(late.calls.count()).toBe(1);
    } finally {
      await late.stop();
    }
  });
});

describe('answers and paths', () => {
  test('a 2xx body that is not JSON is invalid_response, outcome unknown, not retried, not echoed', async () => {
    harness.simulator.faults.add({ action: { type: 'malformed', status: 200 } });
    const error = await vendorError(harness.client('altostrat').send(revokeAccess));
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200, outcome: 'unknown', retryable: false });
    expect(error.attempts).toBe(1);
    expect(error.message).not.toContain('5f0c');
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('an error answer with a body that is not JSON keeps the status and an excerpt', async () => {
    harness.simulator.faults.add({
      action: { type: 'status', status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' },
    });
    const error = await vendorError(harness.client('altostrat', { retry: { attempts: 0 } }).send(revokeAccess));
    expect(error).toMatchObject({ kind: 'http', status: 502, message: 'unrecognised answer: <html>Bad gateway</html>' });
  });

  test('an answer over the size limit is invalid_response', async () => {
    harness.simulator.faults.add({ action: { type: 'status', status: 200, body: 'x'.repeat(2 * 1024 * 1024) } });
    const error = await vendorError(harness.client('altostrat').send(rotate));
    expect(error).toMatchObject({ kind: 'invalid_response', outcome: 'unknown', attempts: 1 });
  });

  test.each([
    ['a slash', '../../vpn/instances/x', '/control-plane/' + SITE + '/transient-accesses/..%2F..%2Fvpn%2Finstances%2Fx'],
    ['a dot-dot segment', '..', `/control-plane/${SITE}/transient-accesses/%2E%2E`],
    ['a dot segment', '.', `/control-plane/${SITE}/transient-accesses/%2E`],
  ])('a target with %s stays one encoded segment', async (_label, target, path) => {
    const error = await vendorError(harness.client('altostrat').send(call('revoke-access', SITE, target)));
    expect(error.status).toBe(404);
    expect(harness.simulator.calls.list()).toMatchObject([{ path }]);
    expect(harness.simulator.state.hasSession(SITE, SESSION)).toBe(true);
  });

  test('a parent of ".." cannot climb either', async () => {
    await vendorError(harness.client('altostrat').send(call('rotate-credentials', undefined, '..')));
    expect(harness.simulator.calls.list()).toMatchObject([{ path: '/control-plane/%2E%2E/credentials' }]);
  });

  test('a query follows the path as it is, and a parent of ".." before it still cannot climb', async () => {
    const client = harness.client('altostrat');
    const list: VendorCall = { vendor: 'altostrat', method: 'GET', path: '/vpn/instances/../peers?type=site&x=..%2F..', idempotent: true };
    await vendorError(client.send(list));
    expect(harness.simulator.calls.list()).toMatchObject([
      { method: 'GET', path: '/vpn/instances/%2E%2E/peers', query: 'type=site&x=..%2F..' },
    ]);
  });

  test('a base URL with a trailing slash or a path prefix joins cleanly', async () => {
    await harness.client('altostrat', { baseUrl: `${harness.simulator.url}/` }).send(revokeAccess);
    await vendorError(harness.client('altostrat', { baseUrl: `${harness.simulator.url}/api/` }).send(deletePeer));
    expect(harness.simulator.calls.list().map((record) => record.path)).toEqual([
      `/control-plane/${SITE}/transient-accesses/${SESSION}`,
      `/api/vpn/instances/${INSTANCE}/peers/${PEER}`,
    ]);
  });

  test('a closed client fails at once: nothing sent, not retried', async () => {
    const client = harness.client('altostrat');
    await client.close();
    const error = await vendorError(client.send(revokeAccess));
    expect(error).toMatchObject({ kind: 'connection', outcome: 'failed', retryable: false, attempts: 1 });
    expect(harness.simulator.calls.count()).toBe(0);
  });

  test('an invalid base URL is refused when the client is made', () => {
    expect(() => createVendorClient('altostrat', testSettings('not a url', 'altostrat'))).toThrow(/not a valid URL/);
    expect(() => createVendorClient('altostrat', testSettings('ftp://host', 'altostrat'))).toThrow(/http or https/);
  });
});

describe('logging', () => {
  test('each attempt is logged at debug, without token, headers or the rotated password', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    harness.simulator.faults.add({ method: 'DELETE', action: { type: 'status', status: 500 }, times: 1 });
    await harness.client('altostrat', {}, { logger }).send(revokeAccess);
    const rotated = await harness.client('altostrat', {}, { logger }).send(rotate);
    const password = apiCredentialSchema.parse(rotated.body).password;

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries[0].failure).toBe('http');
    expect(entries).toMatchObject([
      { level: 'debug', vendor: 'altostrat', method: 'DELETE', path: revokeAccess.path, attempt: 1, status: 500 },
      { level: 'debug', vendor: 'altostrat', method: 'DELETE', attempt: 2, status: 204 },
      { level: 'debug', vendor: 'altostrat', method: 'POST', attempt: 1, status: 200 },
    ]);
    for (const entry of entries) expect(typeof entry.ms).toBe('number');
    const all = lines.join('\n');
    expect(all).not.toContain(harness.simulator.tokens.altostrat);
    expect(all).not.toContain(password);
    expect(all).not.toMatch(/authorization/i);
  });
});

describe('a dispatcher passed in', () => {
  test('is used for the calls and left open by close()', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock
      .get('https://v1.api.altostrat.io')
      .intercept({ method: 'POST', path: rotate.path, headers: { authorization: 'Bearer t', 'user-agent': 'twokey' } })
      .reply(200, { id: 'c', site_id: SITE, username: 'altostrat-api', password: 'p' })
      .persist();
    const settings = testSettings('https://v1.api.altostrat.io', 'altostrat', { token: 't' });
    const first = createVendorClient('altostrat', settings, { dispatcher: mock });
    await expect(first.send(rotate)).resolves.toMatchObject({ status: 200, body: { id: 'c' } });
    await first.close();
    const second = createVendorClient('altostrat', settings, { dispatcher: mock });
    await expect(second.send(rotate)).resolves.toMatchObject({ status: 200 });
    await mock.close();
  });
});

describe('createVendorClients', () => {
  test('builds a client per vendor and closes both', async () => {
    const url = harness.simulator.url;
    const clients = createVendorClients({
      altostrat: testSettings(url, 'altostrat'),
      aitronos: testSettings(url, 'aitronos'),
    });
    expect(clients.altostrat.vendor).toBe('altostrat');
    expect(clients.aitronos.baseUrl).toBe(url);
    await expect(clients.altostrat.send(deletePeer)).resolves.toMatchObject({ status: 204 });
    await expect(clients.aitronos.send(revokeGrant)).resolves.toMatchObject({ status: 204 });
    await clients.close();
  });
});

describe('concurrency', () => {
  test('parallel calls run in parallel on the client', async () => {
    const sessions = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
    const seed: SimulatorSeed = { sites: [{ id: SITE, sessions }], vpnInstances: [], organizations: [] };
    const busy = await Harness.start({ seed, latencyMs: 50 });
    try {
      const client = busy.client('altostrat');
      const results = await Promise.all(
        sessions.map((session) => client.send(call('revoke-access', SITE, session))),
      );
      expect(results.every((result) => result.status === 204)).toBe(true);
      expect(busy.simulator.calls.maxInFlight).toBe(8);
    } finally {
      await busy.close();
    }
  });
});
