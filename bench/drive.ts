/**
 * Sending Slack requests to an app and timing its acknowledgements: sustained load over a
 * pool of keep-alive connections, requests at an even pace, bursts on fresh connections,
 * and one request at a time.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, type Dispatcher, Pool } from 'undici';
import type { SignedRequest } from './slack-requests';

export const eventsPath = '/slack/events';

// Slack gives up after 3 s; an answer that has not come in 30 s is a failure to measure.
const timeouts = { headersTimeout: 30_000, bodyTimeout: 30_000 };

export interface Ack {
  /** Epoch ms at sending, to compare with the fake Slack's and the simulator's timestamps. */
  sentAt: number;
  /** From sending to the whole answer read. */
  ackMs: number;
  status: number;
}

async function send(dispatcher: Dispatcher, request: SignedRequest): Promise<Ack> {
  const sentAt = Date.now();
  const started = performance.now();
  const response = await dispatcher.request({ path: eventsPath, method: 'POST', headers: request.headers, body: request.body });
  await response.body.dump();
  return { sentAt, ackMs: performance.now() - started, status: response.statusCode };
}

/** Every answer must be Slack's 200; anything else means the measurement failed. */
function checked(acks: Ack[], what: string): Ack[] {
  const bad = acks.find((ack) => ack.status !== 200);
  if (bad) throw new Error(`${what}: a request was answered ${bad.status}, not acknowledged`);
  return acks;
}

export interface Sustained {
  acks: Ack[];
  /** From the first measured send to the last measured ack. */
  elapsedMs: number;
}

/**
 * Keeps `concurrency` requests in flight over as many keep-alive connections: the warm-up
 * first (untimed, it also opens the connections), then the measured requests straight after.
 */
export async function sustained(
  origin: string,
  warmup: readonly SignedRequest[],
  measured: readonly SignedRequest[],
  concurrency: number,
): Promise<Sustained> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, ...timeouts });
  const run = async (requests: readonly SignedRequest[]) => {
    const acks = new Array<Ack>(requests.length);
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const index = next++;
        acks[index] = await send(pool, requests[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
    return acks;
  };
  try {
    checked(await run(warmup), 'warm-up');
    const started = performance.now();
    const acks = checked(await run(measured), 'sustained load');
    return { acks, elapsedMs: performance.now() - started };
  } finally {
    await pool.close();
  }
}

/**
 * Sends the requests evenly spread over `overMs`, each on time whether or not the earlier ones
 * have been acknowledged (as Slack delivers commands), over keep-alive connections opened as needed.
 */
export async function paced(origin: string, requests: readonly SignedRequest[], overMs: number): Promise<Ack[]> {
  const pool = new Pool(origin, { pipelining: 1, ...timeouts });
  const gapMs = overMs / requests.length;
  const started = performance.now();
  const sent: Promise<Ack>[] = [];
  try {
    for (const [index, request] of requests.entries()) {
      const untilDue = started + index * gapMs - performance.now();
      if (untilDue > 0) await delay(untilDue);
      const ack = send(pool, request);
      // Awaited with the others below; until then a failure must not count as unhandled.
      ack.catch(() => undefined);
      sent.push(ack);
    }
    return checked(await Promise.all(sent), 'paced load');
  } finally {
    await Promise.allSettled(sent);
    await pool.close();
  }
}

/** Sends every request at the same instant, each on a connection of its own opened for it. */
export async function burst(origin: string, requests: readonly SignedRequest[]): Promise<Ack[]> {
  const clients = requests.map(() => new Client(origin, { pipelining: 1, ...timeouts }));
  try {
    return checked(await Promise.all(requests.map((request, index) => send(clients[index]!, request))), 'burst');
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** One request on a fresh connection, as a lone command or click arrives. */
export async function single(origin: string, request: SignedRequest): Promise<Ack> {
  const [ack] = await burst(origin, [request]);
  return ack!;
}
