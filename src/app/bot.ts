import { subMilliseconds } from 'date-fns/subMilliseconds';
import { type Config, secretValues } from './config';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { opsRoutes, type Phase, readiness } from './ops';
import { maxTargets } from './operations/grammar';
import { loadPolicy } from './policy/load';
import { RoleResolver } from './policy/roles';
import { createSlackTransport } from './slack/app';
import { slackMessenger } from './slack/messenger';
import { openStore } from './store';
import { Twokey } from './twokey';
import { createVendorClients } from './vendors';

const defaultSweepIntervalMs = 5_000;
// How often SQLite's write-ahead log is copied into the database file, off the event loop.
const walCheckpointIntervalMs = 1_000;

export interface RunningBot {
  /** The HTTP port: Slack's and the ops endpoints in HTTP mode; the ops endpoints in Socket Mode when PORT is set. */
  port?: number;
  core: Twokey;
  stop(): Promise<void>;
}

export interface BotOptions {
  logger?: Logger;
  /** The clock; tests move it to make requests expire. */
  now?: () => Date;
  /** How often overdue requests are expired. */
  sweepIntervalMs?: number;
}

/** Loads the policy, opens the store, builds the core and serves Slack: everything `npm start` does after reading the environment. */
export async function startBot(config: Config, options: BotOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const now = options.now ?? (() => new Date());
  const policy = loadPolicy(config.policyFile);
  const store = await openStore(config.database, { checkpointEveryMs: walCheckpointIntervalMs });
  const metrics = new Metrics(async () => (await store.listRequests({ statuses: ['pending'] })).length);
  const vendors = createVendorClients(config.vendors, { logger, onAttempt: (attempt) => metrics.vendorAttempt(attempt) });

  let phase: Phase = 'starting';

  const transport = createSlackTransport(
    config,
    logger,
    (slack) => {
      const roles = new RoleResolver(
        policy,
        async (usergroup) => (await slack.usergroups.users.list({ usergroup })).users ?? [],
        { ttlMs: config.usergroupCacheTtlMs },
      );
      const messenger = slackMessenger(slack);
      return new Twokey({ policy, roles, store, vendors, messenger, concurrency: config.concurrency, logger, now, observer: metrics });
    },
    opsRoutes(
      readiness(() => phase, store),
      metrics,
    ),
  );
  const release = async () => {
    await vendors.close();
    await store.close();
  };
  let port: number | undefined;
  try {
    ({ port } = await transport.start());
  } catch (error) {
    await release();
    throw error;
  }
  phase = 'serving';
  logger.info('twokey is serving Slack', { mode: config.mode, port });

  const { core } = transport;
  // An execution that ran longer than any could was cut off by a process that stopped. With
  // SQLite one process owns the file, so at start-up whatever is still executing was cut off.
  const longestExecutionMs = longestVendorCallMs(config) * Math.ceil(maxTargets / config.concurrency);
  await core.recoverInterrupted(config.database.kind === 'sqlite' ? now() : subMilliseconds(now(), longestExecutionMs));
  const sweeper = startSweeper(
    async () => {
      const expired = await core.sweep();
      const lost = await core.recoverInterrupted(subMilliseconds(now(), longestExecutionMs));
      logger.debug('swept', { expired: expired.length, lost: lost.length });
    },
    options.sweepIntervalMs ?? defaultSweepIntervalMs,
    logger,
  );

  return {
    port,
    core,
    async stop() {
      phase = 'stopping';
      sweeper.stop();
      await transport.stop();
      // Vendor calls under way finish and their outcomes are recorded before the store closes.
      await core.drain(longestVendorCallMs(config));
      await release();
    },
  };
}

/** Runs `sweep` every `intervalMs`, never two at once. */
function startSweeper(sweep: () => Promise<unknown>, intervalMs: number, logger: Logger): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep()
      .catch((error: unknown) => logger.error('expiry sweep failed', { error }))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The longest one vendor call can take, retries and their waits included. */
function longestVendorCallMs(config: Config): number {
  return Math.max(
    ...Object.values(config.vendors).map(
      ({ timeoutMs, retry }) => timeoutMs * (retry.attempts + 1) + retry.maxDelayMs * retry.attempts,
    ),
  );
}
