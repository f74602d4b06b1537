import { createSimulator, demoSeed, idOf, type Simulator, type SimulatorSeed } from '../../../src/simulator';
import { rawCall } from './helpers';

const SITE = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const SESSION = 'f0e9d8c7-b6a5-4f3e-8d1c-0b9a8e7f6d5c';
const revokePath = `/control-plane/${SITE}/transient-accesses/${SESSION}`;

let simulator: Simulator;
let url: string;
let token: string;

beforeEach(async () => {
  simulator = createSimulator({ seed: demoSeed });
  url = await simulator.start(0);
  token = simulator.tokens.altostrat;
});

afterEach(async () => {
  await simulator.stop();
});

describe('/__simulator control routes', () => {
  test('POST /faults adds a fault that vendor calls then meet', async () => {
    const added = await rawCall(url, 'POST', '/__simulator/faults', {
      body: {
        vendor: 'altostrat',
        method: 'delete',
        path: '/transient-accesses/',
        times: 1,
        action: { type: 'status', status: 500 },
      },
    });
    expect(added).toMatchObject({
      status: 201,
      json: { id: expect.any(String), method: 'DELETE', times: 1, applied: 0, action: { type: 'status', status: 500 } },
    });
    expect((await rawCall(url, 'DELETE', revokePath, { token })).status).toBe(500);
    expect((await rawCall(url, 'DELETE', revokePath, { token })).status).toBe(204);
  });

  test('GET /faults lists them; DELETE /faults/{id} removes one; DELETE /faults removes all', async () => {
    const first = await rawCall(url, 'POST', '/__simulator/faults', { body: { action: { type: 'reset' } } });
    await rawCall(url, 'POST', '/__simulator/faults', { body: { action: { type: 'rate_limit', retryAfterSeconds: 3 } } });
    const listed = await rawCall(url, 'GET', '/__simulator/faults');
    expect(listed.json).toMatchObject({ faults: [{ action: { type: 'reset' } }, { action: { type: 'rate_limit' } }] });

    const id = (first.json as { id: string }).id;
    expect((await rawCall(url, 'DELETE', `/__simulator/faults/${id}`)).status).toBe(204);
    expect((await rawCall(url, 'DELETE', `/__simulator/faults/${id}`)).status).toBe(404);
    expect(simulator.faults.list()).toMatchObject([{ action: { type: 'rate_limit', retryAfterSeconds: 3 } }]);

    expect((await rawCall(url, 'DELETE', '/__simulator/faults')).status).toBe(204);
    expect(simulator.faults.list()).toEqual([]);
  });

  test('an invalid fault is a 400 that names the problem', async () => {
    const answer = await rawCall(url, 'POST', '/__simulator/faults', {
      body: { vendor: 'nobody', action: { type: 'status', status: 700 }, extra: true },
    });
    expect(answer.status).toBe(400);
    const issues = (answer.json as { issues: string[] }).issues.join('\n');
    expect(issues).toMatch(/^vendor: /m);
    expect(issues).toMatch(/^action\.status: /m);
    expect(issues).toContain('extra');
    expect(simulator.faults.list()).toEqual([]);
  });

  test('a body that is not JSON is a 400', async () => {
    const answer = await rawCall(url, 'POST', '/__simulator/faults', { body: '{not json' });
    expect(answer).toMatchObject({ status: 400, json: { error: 'the body is not JSON' } });
  });

  test('GET /calls reports vendor calls only, with maxInFlight; DELETE /calls clears them', async () => {
    await rawCall(url, 'DELETE', revokePath, { token });
    const report = await rawCall(url, 'GET', '/__simulator/calls');
    expect(report.json).toMatchObject({
      inFlight: 0,
      maxInFlight: 1,
      calls: [{ vendor: 'altostrat', method: 'DELETE', path: revokePath, authorization: 'valid', status: 204 }],
    });
    expect((report.json as { calls: unknown[] }).calls).toHaveLength(1);
    expect((await rawCall(url, 'DELETE', '/__simulator/calls')).status).toBe(204);
    expect(simulator.calls.count()).toBe(0);
  });

  test('GET /state shows the data; POST /reset restores the seed and clears faults and calls', async () => {
    await rawCall(url, 'DELETE', revokePath, { token });
    simulator.faults.add({ action: { type: 'reset' }, path: '/nowhere' });
    const state = await rawCall(url, 'GET', '/__simulator/state');
    expect((state.json as SimulatorSeed).sites[0].sessions.map(idOf)).not.toContain(SESSION);
    expect(JSON.stringify(state.json)).not.toContain('password');
    for (const secret of simulator.state.secrets()) expect(state.text).not.toContain(secret);

    expect((await rawCall(url, 'POST', '/__simulator/reset')).status).toBe(204);
    expect(simulator.state.hasSession(SITE, SESSION)).toBe(true);
    expect(simulator.faults.list()).toEqual([]);
    expect(simulator.calls.count()).toBe(0);
    expect((await rawCall(url, 'GET', '/__simulator/state')).json).toEqual(simulator.state.snapshot());
    expect(simulator.state.snapshot().sites[0].sessions.map(idOf)).toEqual(demoSeed.sites[0].sessions.map(idOf));
  });

  test('an unknown control route is a 404', async () => {
    expect((await rawCall(url, 'GET', '/__simulator/nothing')).status).toBe(404);
    expect((await rawCall(url, 'PUT', '/__simulator/faults')).status).toBe(404);
  });
});
