import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver } from './bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../config';
import { boltLogger, type Logger } from '../logger';
import { type OpsRoute, serveOps } from '../ops';
import type { Twokey } from '../twokey';
import { slackFetch } from './fetch';
import { registerActions } from './listeners/actions';
import { registerCommands } from './listeners/commands';

export interface SlackTransport {
  app: App;
  core: Twokey;
  /** Starts serving; resolves with the HTTP port in HTTP mode. */
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

const boltLevels: Record<Config['logLevel'], LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

/**
 * The Bolt app: Socket Mode when an app-level token is set, HTTP mode on `port` otherwise.
 * `buildCore` receives the app's Web API client, which the core needs for user-group lookups.
 */
export function createSlackTransport(
  config: Config,
  logger: Logger,
  buildCore: (client: WebClient) => Twokey,
  routes: readonly OpsRoute[],
): SlackTransport {
  // Slack retries failed Web API calls for up to half an hour by default; a result that
  // arrives that late misleads more than it helps, so give up after a few tries.
  const clientOptions = { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 2, maxRetryTime: 10_000 }, fetch: slackFetch };
  const common = {
    token: config.slack.botToken,
    logger: boltLogger(logger, config.logLevel),
    logLevel: boltLevels[config.logLevel],
    clientOptions,
    // Bolt checks the token with auth.test when the app is made; deferring it to start()
    // turns a rejected token into a start-up error instead of an unhandled rejection.
    deferInitialization: true,
  };
  // Kept at hand so that a stop can wait for the WebSocket to close, which Bolt's does not.
  const socket =
    config.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: config.slack.appToken ?? '',
          logger: common.logger,
          logLevel: common.logLevel,
          // Socket Mode opens its connection through the installer's client, not the app's.
          installerOptions: { clientOptions },
        })
      : undefined;
  const app = socket
    ? new App({ ...common, receiver: socket })
    : new App({ ...common, signingSecret: config.slack.signingSecret, customRoutes: [...routes] });

  const core = buildCore(app.client);
  registerCommands(app, core, logger);
  registerActions(app, core, logger);
  app.error(async (error) => {
    logger.error('unhandled error in a Slack listener', { error });
  });

  let ops: Awaited<ReturnType<typeof serveOps>> | undefined;
  return {
    app,
    core,
    async start() {
      await app.init();
      if (socket) {
        await app.start();
        if (config.port !== undefined) ops = await serveOps(config.port, routes);
        return { port: ops?.port };
      }
      const server = (await app.start(config.port ?? 3000)) as Server;
      return { port: (server.address() as AddressInfo).port };
    },
    async stop() {
      await ops?.close();
      if (socket) await socket.client.disconnect();
      else await app.stop();
    },
  };
}
