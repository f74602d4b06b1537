import fs from 'node:fs';
import net from 'node:net';
import { Harness, ids, immediatePolicy, incidentChannel, messageText } from '../support/harness';

const resultIn = (harness: Harness, fragment: string) =>
  harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(fragment));

describe('vendor failures reach the channel in words on-call can act on', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ env: { VENDOR_TIMEOUT_MS: '1000' } });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  test('Altostrat 404 on a revocation: already gone, with status, code, message and what it means', async () => {
    await harness.command('/revoke-access', `${ids.site} ${ids.missing}`);
    const text = messageText(await resultIn(harness, ids.missing));
    expect(text).toContain('the session was already gone');
    expect(text).toContain('*404* `resource_not_found`');
    expect(text).toContain('The site or the session does not exist: already gone, or an ID is wrong.');
    expect(harness.simulator.calls.count()).toBe(1);
    const executed = (await harness.audit()).filter((entry) => entry.event === 'executed').at(-1);
    expect(executed).toMatchObject({ outcome: 'succeeded' });
    expect(executed?.detail).toContain(`${ids.missing}: already gone (404`);
  });

  test('Aitronos 404 in its own envelope, with the trace id', async () => {
    await harness.command('/revoke-grant', `${ids.organization} agrant_gone1`);
    const text = messageText(await resultIn(harness, 'agrant_gone1'));
    expect(text).toContain('*404* `RESOURCE_NOT_FOUND`');
    expect(text).toMatch(/trace `[^`]+`/);
    expect(text).toContain('The organization or the grant does not exist');
  });

  test('a DELETE answered 503 once is retried and succeeds', async () => {
    harness.simulator.faults.add({ method: 'DELETE', times: 1, action: { type: 'status', status: 503 } });
    await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`);
    expect(messageText(await resultIn(harness, ids.session(1)))).toContain('done for 1 session');
    expect(harness.simulator.calls.list().map((call) => call.status)).toEqual([503, 204]);
  });

  test('a DELETE answered 429 waits for Retry-After, then succeeds', async () => {
    harness.simulator.faults.add({ method: 'DELETE', times: 1, action: { type: 'rate_limit', retryAfterSeconds: 1 } });
    await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)}`);
    expect(messageText(await resultIn(harness, ids.peer(1)))).toContain('done for 1 peer');
    const [limited, retried] = harness.simulator.calls.list();
    expect(limited.status).toBe(429);
    expect(retried.status).toBe(204);
    expect(retried.receivedAt - (limited.answeredAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  test('a DELETE whose connection is reset is retried', async () => {
    harness.simulator.faults.add({ method: 'DELETE', times: 1, action: { type: 'reset' } });
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)}`);
    expect(messageText(await resultIn(harness, ids.grant(1)))).toContain('done for 1 grant');
    expect(harness.simulator.calls.count()).toBe(2);
  });

  test('a DELETE that keeps failing gives up after the retry cap and says the outcome is unknown', async () => {
    harness.simulator.faults.add({ method: 'DELETE', action: { type: 'status', status: 500 } });
    await harness.command('/revoke-access', `${ids.site} ${ids.session(2)}`);
    const text = messageText(await resultIn(harness, ids.session(2)));
    expect(text).toContain('*500*');
    expect(text).toContain('Altostrat failed after 4 attempts. The outcome is unknown; running the command again is safe.');
    expect(harness.simulator.calls.count()).toBe(4);
    expect((await harness.audit()).filter((entry) => entry.event === 'executed').at(-1)).toMatchObject({ outcome: 'outcome_unknown' });
  });

  test('rotate is never retried after a 500: one call, outcome unknown', async () => {
    harness.simulator.faults.add({ method: 'POST', action: { type: 'status', status: 500 } });
    await harness.command('/rotate-credentials', `${ids.site} suspected leak`);
    const text = messageText(await resultIn(harness, ids.site));
    expect(text).toContain('The outcome is unknown: the site may have been changed. Check it before trying again.');
    expect(harness.simulator.calls.count({ method: 'POST' })).toBe(1);
  });

  test('rotate is never retried after a timeout: one call, outcome unknown', async () => {
    harness.simulator.faults.add({ method: 'POST', times: 1, action: { type: 'delay', ms: 2500 } });
    await harness.command('/rotate-credentials', `${ids.site} suspected leak`);
    const text = messageText(await resultIn(harness, ids.site));
    expect(text).toContain('Altostrat did not answer in time. The outcome is unknown');
    expect(harness.simulator.calls.count({ method: 'POST' })).toBe(1);
  });

  test('rotate answered with malformed JSON is reported, not a crash', async () => {
    harness.simulator.faults.add({ method: 'POST', times: 1, action: { type: 'malformed', status: 200 } });
    await harness.command('/rotate-credentials', `${ids.site} suspected leak`);
    const text = messageText(await resultIn(harness, ids.site));
    expect(text).toContain('answered 200 with a body twokey could not read');
    expect(harness.simulator.calls.count()).toBe(1);
  });

  test('a vendor error body of an unknown shape still yields the status and a safe excerpt', async () => {
    harness.simulator.faults.add({
      method: 'DELETE',
      action: { type: 'status', status: 418, body: '<html>teapot\u0000 at the gateway</html>', contentType: 'text/html' },
    });
    await harness.command('/revoke-access', `${ids.site} ${ids.session(3)}`);
    const text = messageText(await resultIn(harness, ids.session(3)));
    expect(text).toContain('*418*');
    expect(text).toContain('teapot');
    expect(text).toContain('refused the call; nothing was changed');
  });
});

describe('vendor credentials and reachability', () => {
  test('a rejected Altostrat token (401) says whose token to renew, without retrying', async () => {
    const harness = await Harness.start({ env: { ALTOSTRAT_API_TOKEN: 'wrong-token' } });
    try {
      await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`);
      const text = messageText(await resultIn(harness, ids.session(1)));
      expect(text).toContain('*401*');
      expect(text).toContain('Unauthenticated.');
      expect(text).toContain("Altostrat rejected twokey's API token: an admin must renew ALTOSTRAT_API_TOKEN.");
      expect(harness.simulator.calls.list().map((call) => call.authorization)).toEqual(['invalid']);
      expect(harness.logs.join('\n')).not.toContain('wrong-token');
    } finally {
      await harness.stop();
    }
  });

  test('a rejected Aitronos token (401) in the Aitronos envelope', async () => {
    const harness = await Harness.start({ env: { AITRONOS_API_TOKEN: 'wrong-token' } });
    try {
      await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)}`);
      const text = messageText(await resultIn(harness, ids.grant(1)));
      expect(text).toContain('*401* `UNAUTHORIZED`');
      expect(text).toContain('renew AITRONOS_API_TOKEN');
    } finally {
      await harness.stop();
    }
  });

  test('a token without the vpn:delete scope (403) names the scope', async () => {
    const harness = await Harness.start({ simulator: { scopes: [] } });
    try {
      await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)}`);
      const text = messageText(await resultIn(harness, ids.peer(1)));
      expect(text).toContain('*403*');
      expect(text).toContain("twokey's Altostrat token lacks a permission (this call needs `vpn:delete`)");
      expect(harness.simulator.state.hasPeer(ids.instance, ids.peer(1))).toBe(true);
    } finally {
      await harness.stop();
    }
  });

  test('an unreachable vendor: nothing was changed', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const harness = await Harness.start({ env: { AITRONOS_API_URL: `http://127.0.0.1:${closedPort}`, VENDOR_RETRIES: '1' } });
    try {
      await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)}`);
      const text = messageText(await resultIn(harness, ids.grant(1)));
      expect(text).toContain('twokey could not reach Aitronos after 2 attempts; nothing was changed.');
    } finally {
      await harness.stop();
    }
  });
});

describe('a channel the bot has not joined', () => {
  test('still gets the outcome through the response_url, with a hint to invite the bot', async () => {
    const harness = await Harness.start({
      slack: { channels: [{ id: 'C0NOTJOINED', name: 'inc-elsewhere', botIsMember: false }] },
    });
    try {
      const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`, {
        channelId: 'C0NOTJOINED',
        channelName: 'inc-elsewhere',
      });
      const [response] = await harness.waitForResponses(responseUrlId);
      expect(response.status).toBe(200);
      expect(response.body.response_type).toBe('in_channel');
      const text = messageText(response.body);
      expect(text).toContain('done for 1 session');
      expect(text).toContain('/invite @twokey');
      expect(harness.slack.recordedCalls('chat.postMessage').at(-1)?.result).toMatchObject({ ok: false, error: 'not_in_channel' });
    } finally {
      await harness.stop();
    }
  });
});

describe('a rotated password never leaks', () => {
  async function rotateAndCollect(reveal: 'never' | 'requester') {
    const harness = await Harness.start({ policy: immediatePolicy.replace('reveal_password: never', `reveal_password: ${reveal}`) });
    try {
      const { responseUrlId } = await harness.command('/rotate-credentials', `${ids.site} ${ids.otherSite} rotation drill`);
      await resultIn(harness, 'done for 2 sites');
      const passwords = [ids.site, ids.otherSite].map((site) => harness.simulator.state.credentialOf(site)!.password);
      if (reveal === 'requester') await harness.waitForResponses(responseUrlId, 2);
      await harness.bot.stop().catch(() => undefined);
      return {
        passwords,
        channel: JSON.stringify(harness.slack.messages()),
        traffic: harness.slack.allTraffic(),
        trafficLog: harness.slack.trafficLog(),
        responses: harness.slack.responses(responseUrlId),
        logs: harness.logs.join('\n'),
        database: fs.readdirSync(harness.dir).map((file) => fs.readFileSync(`${harness.dir}/${file}`).toString('latin1')).join('\n'),
      };
    } finally {
      await harness.simulator.stop();
      await harness.slack.stop();
      fs.rmSync(harness.dir, { recursive: true, force: true });
    }
  }

  test('with reveal_password: never it appears in no Slack traffic, log line or database file', async () => {
    const seen = await rotateAndCollect('never');
    expect(seen.logs).toContain('request executed');
    for (const password of seen.passwords) {
      expect(password.length).toBeGreaterThan(8);
      expect(seen.traffic).not.toContain(password);
      expect(seen.logs).not.toContain(password);
      expect(seen.database).not.toContain(password);
    }
  });

  test('with reveal_password: requester only the requester sees it, ephemerally', async () => {
    const seen = await rotateAndCollect('requester');
    for (const password of seen.passwords) {
      const carriers = seen.responses.filter((response) => JSON.stringify(response.body).includes(password));
      expect(carriers).toHaveLength(1);
      expect(carriers[0].body.response_type).toBe('ephemeral');
      expect(seen.channel).not.toContain(password);
      expect(seen.logs).not.toContain(password);
      expect(seen.database).not.toContain(password);
    }
    // Nothing but those two private answers to the requester's command carried a password.
    const carriers = seen.trafficLog.filter((entry) => seen.passwords.some((password) => entry.decoded.includes(password)));
    expect(carriers).toHaveLength(2);
    for (const entry of carriers) {
      expect(entry.route).toMatch(/^POST \/response\//);
      expect(JSON.parse(entry.raw)).toMatchObject({ response_type: 'ephemeral' });
    }
  });
});
