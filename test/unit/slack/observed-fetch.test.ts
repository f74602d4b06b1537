import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { observedSlackFetch } from '../../../src/slack/fetch';

/** Answers by path: `/api/<method>` as a Slack method would (conversations.history never), `/response/…` as a response_url does. */
function slackLike() {
  const server = http.createServer((req, res) => {
    const route = req.url ?? '';
    if (route === '/api/conversations.history') return;
    const answers: Record<string, [number, string]> = {
      '/api/chat.postMessage': [200, '{"ok":true,"ts":"1.2"}'],
      '/api/chat.update': [200, '{"ok":false,"error":"message_not_found"}'],
      '/api/conversations.open': [429, '{"ok":false,"error":"ratelimited"}'],
      '/api/usergroups.users.list': [503, '<html>Service Unavailable</html>'],
      '/response/1': [200, 'ok'],
      '/response/2': [404, '{"ok":false,"error":"used_url"}'],
    };
    const [status, body] = answers[route.split('?')[0]] ?? [404, 'no such route'];
    res.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/plain' });
    res.end(body);
  });
  return new Promise<{ origin: string; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise((closed) => server.close(() => closed()));
        },
      }),
    ),
  );
}

describe('observedSlackFetch', () => {
  let server: Awaited<ReturnType<typeof slackLike>>;
  let seen: [string, string][];
  let fetch: ReturnType<typeof observedSlackFetch>;
  beforeEach(async () => {
    server = await slackLike();
    seen = [];
    fetch = observedSlackFetch(`${server.origin}/api/`, (method, outcome) => seen.push([method, outcome]));
  });
  afterEach(() => server.close());

  const post = (path: string, init: RequestInit = {}) => fetch(`${server.origin}${path}`, { method: 'POST', body: 'a=b', ...init });

  test("names each call by its Web API method and says what it came to: ok, Slack's error, or the HTTP status", async () => {
    await post('/api/chat.postMessage');
    await post('/api/chat.update');
    await post('/api/conversations.open');
    await post('/api/usergroups.users.list?x=1');
    expect(seen).toEqual([
      ['chat.postMessage', 'ok'],
      ['chat.update', 'message_not_found'],
      ['conversations.open', 'ratelimited'],
      ['usergroups.users.list', '503'],
    ]);
  });

  test('counts response_url posts as response_url, and leaves the answer readable by the caller', async () => {
    const first = await post('/response/1');
    const second = await post('/response/2');
    expect(await first.text()).toBe('ok');
    expect(await second.json()).toEqual({ ok: false, error: 'used_url' });
    expect(seen).toEqual([
      ['response_url', 'ok'],
      ['response_url', 'used_url'],
    ]);
  });

  test('a call past its deadline is a timeout, one that cannot connect a connection failure; both still reject', async () => {
    await expect(post('/api/conversations.history', { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const closed = server.origin;
    await server.close();
    await expect(fetch(`${closed}/api/chat.postMessage`, { method: 'POST', body: 'a=b' })).rejects.toThrow();
    expect(seen).toEqual([
      ['conversations.history', 'timeout'],
      ['chat.postMessage', 'connection'],
    ]);
    server = await slackLike();
  });

  test('counts every try of a call the Web API client retries', async () => {
    const client = new WebClient('xoxb-test', {
      slackApiUrl: `${server.origin}/api/`,
      fetch,
      retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 },
    });
    await expect(client.usergroups.users.list({ usergroup: 'S0ONCALL1' })).rejects.toThrow();
    expect(seen).toEqual([
      ['usergroups.users.list', '503'],
      ['usergroups.users.list', '503'],
      ['usergroups.users.list', '503'],
    ]);
  });
});
