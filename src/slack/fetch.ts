import { type Dispatcher, Headers, request } from 'undici';

/** What Bolt (for response_url posts) and `@slack/web-api` read of a fetch response. */
type SlackResponse = Pick<Response, 'ok' | 'status' | 'statusText' | 'headers' | 'url' | 'text' | 'json' | 'arrayBuffer'>;

/**
 * The `fetch` that Bolt's Web API client and its response_url posts are given. The global
 * fetch spends most of a Slack call's CPU on web streams and abort plumbing that a small
 * form or JSON post does not need: undici's request API sends the same request for about a
 * third of the cost, and the answer (a few kilobytes of JSON) is read whole. Any body other
 * than a string, such as a file upload's form data, goes through the global fetch.
 */
export async function slackFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  // (A Request is not tested for by name: the global Request loads Node's own copy of undici.)
  if (!(typeof input === 'string' || input instanceof URL) || (init.body != null && typeof init.body !== 'string')) {
    return fetch(input, init);
  }
  const url = String(input);
  const answer = await request(url, {
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers as Dispatcher.RequestOptions['headers'],
    body: init.body,
    signal: init.signal ?? undefined,
  });
  const bytes = await answer.body.arrayBuffer();
  const text = Buffer.from(bytes).toString('utf8');
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response: SlackResponse = {
    ok: answer.statusCode >= 200 && answer.statusCode <= 299,
    status: answer.statusCode,
    // HTTP/1.1 reason phrases are optional and undici does not keep them.
    statusText: '',
    headers,
    url,
    text: async () => text,
    json: async () => JSON.parse(text),
    arrayBuffer: async () => bytes,
  };
  // Only the members above are read by the callers (the end-to-end tests drive both through it).
  return response as Response;
}
