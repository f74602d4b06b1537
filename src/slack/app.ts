import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import type { Logger, LogLevel as TwokeyLogLevel } from '../lib/logger';
import type { ChatPorts } from '../model/ports';
import type { Twokey } from '../requests/core';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from './bolt';
import { slackFetch } from './fetch';
import { registerActions } from './listeners/actions';
import { registerCommands } from './listeners/commands';
import { boltLogger } from './logger';
import { slackMessenger } from './messenger';
import { refuseFutureTimestamps } from './timestamps';

/** What twokey needs to talk to Slack. */
export interface SlackSettings {
  /** Empty only when Slack is not required (the shell). */
  botToken: string;
  /** Required in HTTP mode. */
  signingSecret?: string;
  /** The app-level token: set, twokey connects over Socket Mode; unset, it serves HTTP. */
  appToken?: string;
  /** Web API base URL ending in `/`, as `@slack/web-api` expects (`…/api/`). */
  apiUrl?: string;
}

export interface SlackTransportOptions {
  slack: SlackSettings;
  /** The HTTP port in HTTP mode (default 3000). */
  port?: number;
  logLevel: TwokeyLogLevel;
  logger: Logger;
  /** More HTTP routes to serve beside Slack's, in HTTP mode. */
  routes: readonly CustomRoute[];
}

export interface SlackTransport {
  /** Where the core posts and how it looks up user groups, through the app's Web API client. */
  chat: ChatPorts;
  /** Hands Slack's commands and clicks to `core`; once, before `start`. */
  serve(core: Twokey): void;
  /** Starts serving; resolves with the HTTP port in HTTP mode. */
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

/** How long one Slack Web API call may take before it is given up (and retried). */
const slackCallTimeoutMs = 10_000;

const boltLevels: Record<TwokeyLogLevel, LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

/** The Bolt app: Socket Mode when an app-level token is set, HTTP mode on `port` otherwise. */
export function createSlackTransport({ slack, port, logLevel, logger, routes }: SlackTransportOptions): SlackTransport {
  // Slack retries failed Web API calls for up to half an hour by default; a result that
  // arrives that late misleads more than it helps, so give up after a few tries. Each try has
  // a deadline of its own, so that one hung call cannot hold up what waits behind it.
  const clientOptions = {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 2, maxRetryTime: 10_000 },
    timeout: slackCallTimeoutMs,
    fetch: slackFetch,
  };
  const common = {
    token: slack.botToken,
    logger: boltLogger(logger, logLevel),
    logLevel: boltLevels[logLevel],
    clientOptions,
    // Bolt checks the token with auth.test when the app is made; deferring it to start()
    // turns a rejected token into a start-up error instead of an unhandled rejection.
    deferInitialization: true,
  };
  // Kept at hand so that a stop can wait for the WebSocket to close, which Bolt's does not.
  const socket = slack.appToken
    ? new SocketModeReceiver({
        appToken: slack.appToken,
        logger: common.logger,
        logLevel: common.logLevel,
        // Socket Mode opens its connection through the installer's client, not the app's.
        installerOptions: { clientOptions },
      })
    : undefined;
  const http = socket
    ? undefined
    : new HTTPReceiver({
        signingSecret: slack.signingSecret ?? '',
        customRoutes: [...routes],
        logger: common.logger,
        logLevel: common.logLevel,
      });
  if (http) http.requestListener = refuseFutureTimestamps(http.requestListener, logger);
  const app = new App({ ...common, receiver: socket ?? http });
  app.error(async (error) => {
    logger.error('unhandled error in a Slack listener', { error });
  });

  return {
    chat: {
      messenger: slackMessenger(app.client),
      usergroupMembers: async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
    },
    serve(core) {
      registerCommands(app, core, logger);
      registerActions(app, core, logger);
    },
    async start() {
      await app.init();
      if (socket) {
        await app.start();
        return {};
      }
      const server = (await app.start(port ?? 3000)) as Server;
      return { port: (server.address() as AddressInfo).port };
    },
    async stop() {
      if (socket) await socket.client.disconnect();
      else await app.stop();
    },
  };
}
