import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger, LogLevel as TwokeyLogLevel } from '../lib/logger';
import type { ChatPorts } from '../model/ports';
import type { Twokey } from '../requests/core';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from './bolt';
import { observedSlackFetch, type SlackCallObserver, slackFetch } from './fetch';
import { registerHome } from './home';
import { registerActions } from './listeners/actions';
import { registerCommands } from './listeners/commands';
import { registerViews } from './listeners/views';
import { boltLogger } from './logger';
import { slackMessenger } from './messenger';
import { refuseFutureTimestamps } from './timestamps';
import { slackUsergroupMembers } from './usergroups';
import { slackAccountLookup } from './users';

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
  logLevel: TwokeyLogLevel;
  logger: Logger;
  /** Told of each Slack call and its outcome (metrics). */
  onSlackCall?: SlackCallObserver;
}

export interface SlackTransport {
  /** Where the core posts and how it looks up user groups and accounts, through the app's Web API client. */
  chat: ChatPorts;
  /**
   * Looks up each of `usergroups` once, so that a group Slack does not know (or will not show)
   * is in the log, as a warning, before anyone is refused for it; never rejects.
   */
  checkUsergroups(usergroups: readonly string[]): Promise<void>;
  /** Hands Slack's commands and clicks to `core`; once, before `start`. */
  serve(core: Twokey): void;
  /**
   * In HTTP mode, Slack's requests (`POST /slack/events`), for the bot's HTTP server to hand on
   * once the transport has started; it answers 404 to any other path.
   */
  requestListener?: RequestListener;
  /** Checks the token with Slack and, in Socket Mode, connects. */
  start(): Promise<void>;
  /** In Socket Mode, disconnects; in HTTP mode the bot's server stops taking Slack's requests. */
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
export function createSlackTransport({ slack, logLevel, logger, onSlackCall }: SlackTransportOptions): SlackTransport {
  // Slack retries failed Web API calls for up to half an hour by default; a result that
  // arrives that late misleads more than it helps, so give up after a few tries. Each try has
  // a deadline of its own, so that one hung call cannot hold up what waits behind it.
  const clientOptions = {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 2, maxRetryTime: 10_000 },
    timeout: slackCallTimeoutMs,
    // A call is named by its URL under the Web API's base URL (Slack's own when none is set).
    fetch: onSlackCall ? observedSlackFetch(slack.apiUrl ?? 'https://slack.com/api/', onSlackCall) : slackFetch,
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
        logger: common.logger,
        logLevel: common.logLevel,
      });
  const app = new App({ ...common, receiver: socket ?? http });
  app.error(async (error) => {
    logger.error('unhandled error in a Slack listener', { error });
  });

  const chat = {
    messenger: slackMessenger(app.client),
    usergroupMembers: slackUsergroupMembers(app.client, logger),
    account: slackAccountLookup(app.client, logger),
  };

  return {
    chat,
    async checkUsergroups(usergroups) {
      await Promise.allSettled(usergroups.map((usergroup) => chat.usergroupMembers(usergroup)));
    },
    serve(core) {
      registerCommands(app, core, logger);
      registerActions(app, core, logger);
      registerViews(app, core, logger);
      registerHome(app, core, logger);
    },
    requestListener: http && refuseFutureTimestamps(routedOnly(http.requestListener), logger),
    async start() {
      await app.init();
      if (socket) await app.start();
    },
    async stop() {
      if (socket) await socket.client.disconnect();
    },
  };
}

/** Bolt's listener, with a 404 for a path that is not Slack's (Bolt throws, leaving the connection open). */
function routedOnly(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    try {
      listener(req, res);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    }
  };
}
