import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../model/ports';
import type { Metrics } from './metrics';

/** An HTTP route for the people who run twokey, in the shape Bolt's customRoutes take. */
export interface OpsRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Why twokey is not ready to serve; empty when it is. */
export type ReadinessCheck = () => Promise<string[]>;

export type Phase = 'starting' | 'serving' | 'stopping';

/**
 * How long the readiness check waits for the database. A probe (a load balancer's, an
 * orchestrator's) gives up after a few seconds: it must get its 503 before then, even from a
 * database that accepts connections and never answers.
 */
const databasePingTimeoutMs = 2_000;

/**
 * Ready when serving (Slack accepted the token, not shutting down) and the database answers
 * within `pingTimeoutMs`. `store` is undefined until the database is open.
 */
export function readiness(
  phase: () => Phase,
  store: () => Pick<Store, 'ping'> | undefined,
  pingTimeoutMs = databasePingTimeoutMs,
): ReadinessCheck {
  return async () => {
    const problems: string[] = [];
    if (phase() === 'starting') problems.push('starting: Slack has not accepted the token yet');
    if (phase() === 'stopping') problems.push('shutting down');
    const opened = store();
    if (!opened) problems.push('the database is not open yet');
    else if (!(await answersWithin(opened.ping(), pingTimeoutMs))) problems.push('the database does not answer');
    return problems;
  };
}

/** Whether `ping` resolves within `ms`; one still under way then is left to finish or fail on its own. */
async function answersWithin(ping: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([ping.then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType });
  res.end(body);
}

/** `/healthz` (the process is up), `/readyz` (the store answers, Slack accepted the token), `/metrics`. */
export function opsRoutes(ready: ReadinessCheck, metrics: Metrics): OpsRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => send(res, 200, 'ok') },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        ready().then(
          (problems) => send(res, problems.length ? 503 : 200, problems.length ? `not ready:\n${problems.join('\n')}` : 'ready'),
          () => send(res, 503, 'not ready: the readiness check failed'),
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        metrics.registry.metrics().then(
          (text) => send(res, 200, text, metrics.registry.contentType),
          () => send(res, 500, 'metrics could not be collected'),
        );
      },
    },
  ];
}

export interface OpsServer {
  port: number;
  /** Stops listening and ends idle keep-alive connections; resolves once the requests under way are answered. */
  close(): Promise<void>;
}

/**
 * Serves the routes, and every other request through `fallback` (Slack's, in HTTP mode) or
 * with a 404. It listens from the first moment of start-up to the last of a stop, so that a
 * probe always gets an answer: 503 from `/readyz` while twokey is not ready, never a refused
 * connection.
 */
export async function serveOps(port: number, routes: readonly OpsRoute[], fallback?: RequestListener): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((candidate) => candidate.path === path && candidate.method.includes(req.method ?? 'GET'));
    if (route) route.handler(req, res);
    else if (fallback) fallback(req, res);
    else send(res, 404, 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Answers a request twokey will not take now (starting, or shutting down): Slack tries again later, or another replica. */
export function unavailable(res: ServerResponse, why: string): void {
  res.setHeader('Retry-After', '1');
  send(res, 503, why);
}
