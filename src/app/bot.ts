import { createLogger, type Logger } from '../lib/logger';
import { loadPolicy } from '../policy/load';
import { createSlackTransport } from '../slack/app';
import { openStore, type StoreOptions } from '../store';
import { createVendorClients } from '../vendors';
import { assembleCore } from './assemble';
import { type Config, secretValues } from './config';
import { opsRoutes, type Phase, readiness, serveOps } from './health';
import { Metrics } from './metrics';

const defaultSweepIntervalMs = 5_000;
// How often SQLite's write-ahead log is copied into the database file, off the event loop.
const walCheckpointIntervalMs = 1_000;

export interface RunningBot {
  /** The HTTP port: Slack's and the ops endpoints in HTTP mode; the ops endpoints in Socket Mode when PORT is set. */
  port?: number;
  stop(): Promise<void>;
}

export interface BotOptions {
  logger?: Logger;
  /** The clock; tests move it to make requests expire. */
  now?: () => Date;
  /** How often overdue requests are expired. */
  sweepIntervalMs?: number;
  /** Bounds on waiting for PostgreSQL, when not the defaults (tests shorten them). */
  databaseTimeouts?: StoreOptions['timeouts'];
}

/** Loads the policy, opens the store, builds the core and serves Slack: everything `npm start` does after reading the environment. */
export async function startBot(config: Config, options: BotOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const policy = loadPolicy(config.policyFile, { onWarning: (warning) => logger.warn('policy warning', { warning }) });
  // The file is this process's alone: a second bot on it would act on the same requests.
  const store = await openStore(config.database, {
    checkpointEveryMs: walCheckpointIntervalMs,
    exclusive: true,
    timeouts: options.databaseTimeouts,
    logger,
  });
  const metrics = new Metrics(async () => (await store.listRequests({ statuses: ['pending'] })).length);
  const vendors = createVendorClients(config.vendors, { logger, onAttempt: (attempt) => metrics.vendorAttempt(attempt) });

  let phase: Phase = 'starting';
  const routes = opsRoutes(readiness(() => phase, store), metrics);
  const slack = createSlackTransport({ slack: config.slack, port: config.port, logLevel: config.logLevel, logger, routes });
  const assembled = assembleCore({ config, policy, store, vendors, logger, now: options.now, observer: metrics }, slack.chat);
  slack.serve(assembled.core);

  const release = async () => {
    await vendors.close();
    await store.close();
  };
  let port: number | undefined;
  let ops: Awaited<ReturnType<typeof serveOps>> | undefined;
  try {
    ({ port } = await slack.start());
    // In Socket Mode there is no Bolt HTTP server to add the routes to: they get a port of their own.
    if (config.mode === 'socket' && config.port !== undefined) ({ port } = ops = await serveOps(config.port, routes));
  } catch (error) {
    await slack.stop().catch(() => undefined);
    await release();
    throw error;
  }
  phase = 'serving';
  logger.info('twokey is serving Slack', { mode: config.mode, port });

  await assembled.recoverInterrupted();
  const sweeper = assembled.startSweeping(options.sweepIntervalMs ?? defaultSweepIntervalMs);

  return {
    port,
    async stop() {
      phase = 'stopping';
      sweeper.stop();
      await ops?.close();
      await slack.stop();
      // Vendor calls under way finish and their outcomes are recorded before the store closes.
      await assembled.core.drain(assembled.longestVendorCallMs);
      await release();
    },
  };
}
