import type { RequestListener } from 'node:http';
import { createLogger, type Logger } from '../lib/logger';
import type { Store } from '../model/ports';
import { policyUsergroups } from '../policy/roles';
import { createSlackTransport } from '../slack/app';
import { openStore, type StoreOptions } from '../store';
import { createVendorClients } from '../vendors';
import { assembleCore } from './assemble';
import { type Config, secretValues } from './config';
import { opsRoutes, type Phase, readiness, serveOps, unavailable } from './health';
import { Metrics } from './metrics';
import { loadPolicyFile, type LoadedPolicy, type PolicyReload, watchPolicy } from './policy-reload';

const defaultSweepIntervalMs = 5_000;
// Bolt's default, and the README's.
const defaultHttpPort = 3000;
// How often SQLite's write-ahead log is copied into the database file, off the event loop.
const walCheckpointIntervalMs = 1_000;

export interface RunningBot {
  /** The HTTP port: Slack's and the ops endpoints in HTTP mode; the ops endpoints in Socket Mode when PORT is set. */
  port?: number;
  /** Reads the policy file again and puts it in force if it is valid (SIGHUP); the file is also watched. */
  reloadPolicy(): Promise<PolicyReload>;
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

/**
 * Loads the policy, opens the store, builds the core and serves Slack: everything `npm start`
 * does after reading the environment. The HTTP server (Slack's requests in HTTP mode, and the
 * ops endpoints) listens first and closes last, so that from the first moment of start-up to
 * the last of a stop a probe gets an answer, and a 503 until twokey is ready.
 */
export async function startBot(config: Config, options: BotOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const policyFile = loadPolicyFile(config.policyFile, logger);

  let phase: Phase = 'starting';
  let store: Store | undefined;
  let slackRequests: RequestListener | undefined;
  const metrics = new Metrics(async () => (store ? store.countRequests(['pending']) : 0));
  const routes = opsRoutes(
    readiness(() => phase, () => store),
    metrics,
  );
  // Slack's requests are taken only while serving: before, there is no core; during a stop, new work would outlast it.
  const toSlack: RequestListener = (req, res) => {
    if (phase === 'serving' && slackRequests) slackRequests(req, res);
    else unavailable(res, phase === 'stopping' ? 'twokey is shutting down' : 'twokey is starting');
  };
  const server =
    config.mode === 'http'
      ? await serveOps(config.port ?? defaultHttpPort, routes, toSlack)
      : config.port !== undefined
        ? await serveOps(config.port, routes)
        : undefined;

  let parts: OpenedParts | undefined;
  try {
    parts = await openParts(config, options, logger, metrics, policyFile);
    store = parts.store;
    slackRequests = parts.slack.requestListener;
    await parts.slack.start();
  } catch (error) {
    await parts?.close().catch(() => undefined);
    await server?.close();
    throw error;
  }
  const opened = parts;
  const { slack, assembled } = opened;
  phase = 'serving';
  logger.info('twokey is serving Slack', { mode: config.mode, port: server?.port });

  await assembled.recoverInterrupted();
  const sweeper = assembled.startSweeping(options.sweepIntervalMs ?? defaultSweepIntervalMs);
  const policyReloader = watchPolicy(policyFile, {
    logger,
    apply: (next) => {
      assembled.core.usePolicy(next);
      void slack.checkUsergroups(policyUsergroups(next));
    },
    onReload: (reload) => {
      metrics.policyReloaded(reload.result);
      assembled.core.policyReloaded(reload);
    },
  });
  // A group Slack does not know is logged now (and at each reload) rather than found by a refused
  // member; not waited for, so a slow Slack holds nothing up.
  void slack.checkUsergroups(policyUsergroups(policyFile.policy));

  return {
    port: server?.port,
    reloadPolicy: () => policyReloader.reload(),
    async stop() {
      logger.info('stopping', { workUnderWay: assembled.core.workUnderWay() });
      phase = 'stopping';
      sweeper.stop();
      policyReloader.close();
      await slack.stop();
      // Vendor calls under way finish and their outcomes are recorded before the store closes.
      await assembled.core.drain(assembled.longestVendorCallMs);
      await opened.close();
      await server?.close();
      logger.info('stopped');
    },
  };
}

type OpenedParts = Awaited<ReturnType<typeof openParts>>;

/** The store, the vendor clients, the Slack transport and the core, opened in turn; `close` closes them. */
async function openParts(config: Config, options: BotOptions, logger: Logger, metrics: Metrics, policyFile: LoadedPolicy) {
  // The file is this process's alone: a second bot on it would act on the same requests.
  const store = await openStore(config.database, {
    checkpointEveryMs: walCheckpointIntervalMs,
    exclusive: true,
    timeouts: options.databaseTimeouts,
    logger,
  });
  const vendors = createVendorClients(config.vendors, { logger, onAttempt: (attempt) => metrics.vendorAttempt(attempt) });
  const onSlackCall = (method: string, outcome: string) => metrics.slackCall(method, outcome);
  const slack = createSlackTransport({ slack: config.slack, logLevel: config.logLevel, logger, onSlackCall });
  const assembled = assembleCore({ config, policy: policyFile.policy, store, vendors, logger, now: options.now, observer: metrics }, slack.chat);
  slack.serve(assembled.core);
  return {
    store,
    slack,
    assembled,
    async close() {
      await slack.stop().catch(() => undefined);
      await vendors.close();
      await store.close();
    },
  };
}
