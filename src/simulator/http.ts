import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SimulatedVendor } from './contract';

/** An answer before it is written: `body` is the exact text sent. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export function jsonResponse(status: number, value: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

export const noContent: SimResponse = { status: 204 };

export function writeResponse(res: ServerResponse, response: SimResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** The standard reason phrase of a status as words, e.g. 503 → ['service', 'unavailable']. */
export function statusWords(status: number): string[] {
  return (STATUS_CODES[status] ?? `status ${status}`).toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? `HTTP ${status}`;
}

/** The path of a request URL as received, without the query. */
export function requestPath(url: string | undefined): string {
  return (url ?? '/').split('?')[0];
}

/** The query of a request URL as received, without the `?`; empty when there is none. */
export function requestQuery(url: string | undefined): string {
  const at = (url ?? '').indexOf('?');
  return at < 0 ? '' : (url ?? '').slice(at + 1);
}

/** The decoded segments of a path; `%2F` inside a segment stays inside it. */
export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

export type Params = Record<string, string>;

/** A handler for one method and path pattern such as `/sites/:siteId`; `query` is the request's query. */
export interface Route<Context> {
  method: string;
  pattern: string;
  handle(params: Params, context: Context, query: URLSearchParams): SimResponse | Promise<SimResponse>;
}

function matchPattern(pattern: string, segments: string[]): Params | undefined {
  const parts = pattern.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const params: Params = {};
  for (const [index, part] of parts.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = segments[index];
    else if (part !== segments[index]) return undefined;
  }
  return params;
}

/** The route for a request and its path parameters, if one matches. */
export function findRoute<Context>(
  routes: ReadonlyArray<Route<Context>>,
  method: string,
  segments: string[],
): { route: Route<Context>; params: Params } | undefined {
  for (const route of routes) {
    const params = route.method === method ? matchPattern(route.pattern, segments) : undefined;
    if (params) return { route, params };
  }
  return undefined;
}

/** One simulated vendor: the paths it owns, its authentication and error envelopes, its endpoints. */
export interface VendorSimulation {
  vendor: SimulatedVendor;
  /** First path segments that belong to this vendor, e.g. `control-plane`. */
  roots: readonly string[];
  /** The answer to a call without the right bearer token. */
  unauthenticated(): SimResponse;
  /** A generic error in the vendor's envelope, as a fault answers. */
  error(status: number): SimResponse;
  /** Handles an authenticated call; an unknown route is the vendor's 404. */
  handle(method: string, segments: string[], query: URLSearchParams): SimResponse | Promise<SimResponse>;
}

/** Reads a request body of at most `limit` bytes as text. */
export async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new Error(`request body larger than ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
