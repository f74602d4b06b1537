import { request } from 'undici';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

/** One HTTP call with no client logic in between, to see exactly what the simulator answers. */
export async function rawCall(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE' | 'PUT',
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const { body: given } = options;
  const body = typeof given === 'string' || given === undefined ? given : JSON.stringify(given);
  const response = await request(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}
