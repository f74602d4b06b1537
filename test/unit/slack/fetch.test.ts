import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, WebClient } from '@slack/web-api';
import { slackFetch } from '../../../src/slack/fetch';

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** A server that records each request and gives the answers the test sets in turn, the last one again and again. */
async function recordingServer() {
  const seen: Seen[] = [];
  let answers: Answer[] = [{ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json', 'x-slack-req-id': 'abc' } }];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const answer = answers.length > 1 ? (answers.shift() as Answer) : answers[0];
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    answer: (...next: Answer[]) => {
      answers = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('slackFetch', () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  beforeEach(async () => {
    server = await recordingServer();
  });
  afterEach(async () => {
    await server.close();
  });

  test('sends the method, headers and body, and reads back status, headers and JSON', async () => {
    const response = await slackFetch(`${server.origin}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer xoxb-1' },
      body: 'channel=C1&text=hello%20there',
    });
    expect(server.seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/api/chat.postMessage',
        body: 'channel=C1&text=hello%20there',
        headers: expect.objectContaining({ 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-1' }),
      }),
    ]);
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${server.origin}/api/chat.postMessage`);
    expect(response.headers.get('x-slack-req-id')).toBe('abc');
    expect(Object.fromEntries(response.headers.entries())).toMatchObject({ 'content-type': 'application/json' });
    expect(await response.json()).toEqual({ ok: true });
    expect(new TextDecoder().decode(await response.arrayBuffer())).toBe('{"ok":true}');
  });

  test('a non-2xx answer is not ok and keeps its body', async () => {
    server.answer({ status: 404, body: 'expired_url', headers: { 'content-type': 'text/plain' } });
    const response = await slackFetch(`${server.origin}/response/1`, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('expired_url');
  });

  test('a body that is not a string goes through the global fetch', async () => {
    const form = new FormData();
    form.set('channel', 'C1');
    const response = await slackFetch(`${server.origin}/api/files.upload`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(server.seen[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(server.seen[0].body).toContain('name="channel"');
  });

  test('Slack Web API calls through it: a 429 is waited out and retried, and the result is parsed', async () => {
    server.answer(
      { status: 429, body: '', headers: { 'retry-after': '0' } },
      { status: 200, body: '{"ok":true,"channel":"C1","ts":"1.2"}', headers: { 'content-type': 'application/json' } },
    );
    const client = new WebClient('xoxb-1', {
      slackApiUrl: `${server.origin}/api/`,
      fetch: slackFetch,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 10 },
    });
    const result = await client.chat.postMessage({ channel: 'C1', text: 'hi' });
    expect(result).toMatchObject({ ok: true, channel: 'C1', ts: '1.2' });
    expect(server.seen.length).toBe(2);
    expect(server.seen.every((request) => request.body.includes('text=hi'))).toBe(true);
  });
});
