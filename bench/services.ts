/**
 * The services process: the fake Slack Web API and the vendor simulator, answered from their
 * own event loop so that their work is not charged to the load generator's timings (and
 * theirs can be measured apart). Driven over the IPC channel by services-client.ts.
 */
import { performance } from 'node:perf_hooks';
import { createSimulator } from '../src/simulator';
import { FakeSlack, type RecordedMessage } from '../test/support/fake-slack';
import type { Posted, ServicesApi, ServicesReady, ServicesReply, ServicesRequest } from './services-api';

// Fault probabilities (the 10 % of 429s) come from a fixed seed, so every run sees the same faults.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// How often a wait re-checks the fake: the figures come from the fake's own timestamps, so this
// only decides how soon a wait notices, and a slow pace keeps the checks off the Slack hot path.
const pollMs = 10;

/**
 * Checks every pending key each tick until each has a value. At the deadline it rejects naming
 * how many are missing or, when `partial`, resolves with the values found (in the keys' order).
 */
function pollAll<T>(
  keys: readonly string[],
  probe: (key: string) => T | undefined,
  timeoutMs: number,
  what: string,
  partial = false,
): Promise<T[]> {
  const found = new Map<string, T>();
  let pending = [...new Set(keys)];
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      pending = pending.filter((key) => {
        const value = probe(key);
        if (value !== undefined) found.set(key, value);
        return value === undefined;
      });
      if (pending.length === 0) return resolve(keys.map((key) => found.get(key)!));
      if (performance.now() > deadline) {
        if (partial) return resolve(keys.flatMap((key) => (found.has(key) ? [found.get(key)!] : [])));
        return reject(new Error(`${pending.length} of ${keys.length} ${what} never came within ${timeoutMs} ms (first missing: ${pending[0]})`));
      }
      setTimeout(tick, pollMs);
    };
    tick();
  });
}

function posted(message: RecordedMessage, withBlocks: boolean): Posted {
  return {
    channel: message.channel,
    ts: message.ts,
    at: message.history[0]!.at,
    text: message.text ?? '',
    ...(withBlocks ? { blocks: message.blocks } : {}),
  };
}

async function main(): Promise<void> {
  const slack = new FakeSlack();
  await slack.start();
  const simulator = createSimulator({ random: seededRandom(7) });
  const vendorUrl = await simulator.start(0);

  let lastMark = { at: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() };

  const api: ServicesApi = {
    configure({ latencyMs, faults }) {
      simulator.latencyMs = latencyMs;
      simulator.faults.clear();
      for (const fault of faults) simulator.faults.add(fault);
    },
    addSessions(siteId, sessionIds) {
      if (!simulator.state.hasSite(siteId)) simulator.state.addSite(siteId);
      for (const id of sessionIds) simulator.state.addSession(siteId, id);
    },
    addGrants(organizationId, grantIds) {
      if (!simulator.state.hasOrganization(organizationId)) simulator.state.addOrganization(organizationId);
      for (const id of grantIds) simulator.state.addGrant(organizationId, id);
    },
    clear() {
      slack.reset();
      simulator.calls.clear();
    },
    awaitMessages({ channels, withBlocks = false, timeoutMs, partial }) {
      const first = (channel: string) => {
        const message = slack.messages(channel)[0];
        return message && posted(message, withBlocks);
      };
      return pollAll(channels, first, timeoutMs, 'channel messages', partial);
    },
    dmChannelFor(userId) {
      return slack.dmChannelFor(userId);
    },
    vendorCalls() {
      const calls = simulator.calls
        .list()
        .map(({ path, receivedAt, answeredAt, status, end }) => ({ path, receivedAt, answeredAt, status, end }));
      return { calls, maxInFlight: simulator.calls.maxInFlight };
    },
    sessionsLeft(siteId, sessionIds) {
      return sessionIds.filter((id) => simulator.state.hasSession(siteId, id));
    },
    slackCalls() {
      return slack.recordedCalls().map(({ method, at }) => ({ method, at }));
    },
    usage() {
      const now = { at: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() };
      const cpu = process.cpuUsage(lastMark.cpu);
      const use = {
        wallMs: now.at - lastMark.at,
        cpuMs: (cpu.user + cpu.system) / 1000,
        elu: performance.eventLoopUtilization(now.elu, lastMark.elu).utilization,
      };
      lastMark = now;
      return use;
    },
  };

  process.on('message', (request: ServicesRequest) => {
    const invoke = api[request.method] as (...args: unknown[]) => unknown;
    Promise.resolve()
      .then(() => invoke(...request.args))
      .then(
        (result) => reply({ id: request.id, result }),
        (error: unknown) => reply({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  // The benchmark ends this process by closing the channel; nothing here must outlive it.
  process.on('disconnect', () => {
    void Promise.all([slack.stop(), simulator.stop()]).finally(() => process.exit(0));
  });

  const ready: ServicesReady = {
    ready: {
      slackBaseUrl: slack.baseUrl,
      slackApiUrl: slack.apiUrl,
      botToken: slack.botToken,
      vendorUrl,
      vendorTokens: { ...simulator.tokens },
    },
  };
  process.send!(ready);
}

function reply(message: ServicesReply): void {
  process.send?.(message);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench services: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
