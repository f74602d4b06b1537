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

/** Told of each Slack call: `method` is the Web API method, or `response_url`; `outcome` what it came to. */
export type SlackCallObserver = (method: string, outcome: string) => void;

/**
 * `slackFetch`, telling `observe` of each call it sends (every try of a retried one): the Web API
 * method for a URL under `apiUrl`, `response_url` for any other, and the outcome: `ok`, Slack's
 * error code (`not_in_channel`, `ratelimited`), the HTTP status of another failure, `timeout`
 * (the call's deadline passed) or `connection`.
 */
export function observedSlackFetch(apiUrl: string, observe: SlackCallObserver): typeof slackFetch {
  return async (input, init) => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    const method = url.startsWith(apiUrl) ? url.slice(apiUrl.length).split(/[?#]/)[0] : 'response_url';
    let response: Response;
    try {
      response = await slackFetch(input, init);
    } catch (error) {
      // A call's deadline aborts it through its signal.
      const name = (error as { name?: unknown } | undefined)?.name;
      observe(method, name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection');
      throw error;
    }
    // The global fetch's answer (a file upload's) can be read once only: a copy of it is read here.
    observe(method, slackOutcome(response.status, await (typeof response.clone === 'function' ? response.clone() : response).text()));
    return response;
  };
}

function slackOutcome(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { ok?: unknown; error?: unknown } | null;
    if (body?.ok === false && typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: a response_url's plain `ok`, or a proxy's error page.
  }
  return status >= 200 && status <= 299 ? 'ok' : String(status);
}
