import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type BotOptions, type RunningBot, startBot } from '../../src/app/bot';
import { type Config, loadConfig, secretValues } from '../../src/app/config';
import { createLogger } from '../../src/lib/logger';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import { SqliteStore } from '../../src/store/sqlite';
import type { AuditEntry } from '../../src/model/audit';
import type { RequestQuery } from '../../src/model/ports';
import type { RequestRecord } from '../../src/model/request';
import { FakeSlack, type FakeSlackOptions, type RecordedHome, type RecordedMessage } from './fake-slack';
import {
  blockActionsBody,
  blockActionsPayload,
  eventCallback,
  type PostedMessage,
  type PostResult,
  postToSlackEndpoint,
  slashCommandBody,
  viewBlockActionsPayload,
} from './signing';

export const signingSecret = 'test-signing-secret-0123456789';

export const users = {
  oncall: 'U0ONCALL1',
  approver: 'U0APPROVER1',
  admin: 'U0ADMIN1',
  groupMember: 'U0GROUPIE1',
  stranger: 'U0STRANGER1',
} as const;

export const incidentChannel = { id: 'C0INCIDENT1', name: 'inc-db-outage' } as const;

/** Vendor objects the tests act on; the simulator is seeded with them. */
export const ids = {
  site: 'd290f1ee-6c54-4b01-90e6-d701748f0851',
  otherSite: '6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80',
  session: (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  instance: 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d',
  peer: (n: number) => `11111111-0000-4000-8000-${String(n).padStart(12, '0')}`,
  organization: 'org_xyz789',
  grant: (n: number) => `agrant_test${n}`,
  missing: 'deadbeef-0000-4000-8000-000000000000',
};

const seed = {
  sites: [
    { id: ids.site, name: 'Test site', sessions: Array.from({ length: 60 }, (_, i) => ids.session(i + 1)) },
    { id: ids.otherSite, name: 'Other site', sessions: [] },
  ],
  vpnInstances: [{ id: ids.instance, peers: Array.from({ length: 10 }, (_, i) => ids.peer(i + 1)) }],
  organizations: [{ id: ids.organization, grants: Array.from({ length: 10 }, (_, i) => ids.grant(i + 1)) }],
};

/** Every operation runs at once, so each can be tested end to end without approvals. */
export const immediatePolicy = `
roles:
  oncall:
    users: [${users.oncall}]
    usergroups: [S0ONCALL1]
  admin:
    users: [${users.admin}]
channels: [${incidentChannel.id}, "inc-*"]
actions:
  revoke-access:      { request: [oncall, admin], approvals: 0 }
  rotate-credentials: { request: [oncall, admin], approvals: 0 }
  delete-peer:        { request: [oncall, admin], approvals: 0 }
  revoke-grant:       { request: [oncall, admin], approvals: 0 }
reveal_password: never
`;

/** Approvals as PRODUCT.md §2's example has them, with every operation enabled. */
export const approvalPolicy = `
roles:
  oncall:
    users: [${users.oncall}]
  approver:
    users: [${users.approver}, U0APPROVER2, U0APPROVER3]
  admin:
    users: [${users.admin}]
channels: [${incidentChannel.id}, "inc-*"]
actions:
  revoke-access:      { request: [oncall, admin], approvals: 0 }
  revoke-grant:       { request: [oncall, admin], approvals: 1, approve: [approver, admin] }
  rotate-credentials: { request: [oncall, admin], approvals: 1, approve: [approver, admin], expires: 15m, reason: required }
  delete-peer:        { request: [oncall, admin], approvals: 2, approve: [approver, admin] }
reveal_password: never
`;

/** A clock the tests move by hand. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface HarnessOptions {
  policy?: string;
  /** Environment on top of the harness's own (vendor URLs, tokens, …). */
  env?: Record<string, string>;
  slack?: FakeSlackOptions;
  simulator?: SimulatorOptions;
  /** Connect over Socket Mode instead of serving HTTP. */
  socketMode?: boolean;
  clock?: TestClock;
  /** How often the bot sweeps (default every 50 ms), and its bounds on waiting for PostgreSQL. */
  bot?: Pick<BotOptions, 'sweepIntervalMs' | 'databaseTimeouts'>;
}

export interface CommandOptions {
  userId?: string;
  channelId?: string;
  channelName?: string;
  /** Signature timestamp in seconds. */
  timestamp?: number;
  badSignature?: boolean;
  /** The command's trigger_id; by default a fresh one the fake issued, as Slack issues one with each command. */
  triggerId?: string;
}

let responseCounter = 0;

/**
 * The real bot (`startBot`, what `npm start` runs) against a fake Slack Web API and the vendor
 * simulator, with its own policy file, database and captured log lines.
 */
export class Harness {
  private constructor(
    /** Every line the bot logged, as written. */
    readonly logs: string[],
    readonly slack: FakeSlack,
    readonly simulator: Simulator,
    public bot: RunningBot,
    readonly dir: string,
    readonly databaseFile: string,
    private readonly config: Config,
    readonly clock: TestClock,
    private readonly botOptions: HarnessOptions['bot'],
  ) {}

  /** Commands and clicks go over Socket Mode (else signed HTTP). */
  get socketMode(): boolean {
    return this.config.mode === 'socket';
  }

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-e2e-'));
    const slack = new FakeSlack({ usergroups: { S0ONCALL1: [users.groupMember] }, ...options.slack });
    await slack.start();
    const simulator = createSimulator({ seed, ...options.simulator });
    const vendorUrl = await simulator.start(0);
    const policyFile = path.join(dir, 'policy.yml');
    fs.writeFileSync(policyFile, options.policy ?? immediatePolicy);
    const databaseFile = path.join(dir, 'twokey.db');
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      // In Socket Mode PORT only serves the ops endpoints, so a test asks for it.
      ...(options.socketMode ? { SLACK_APP_TOKEN: slack.appToken } : { PORT: '0' }),
      ALTOSTRAT_API_URL: vendorUrl,
      ALTOSTRAT_API_TOKEN: simulator.tokens.altostrat,
      AITRONOS_API_URL: vendorUrl,
      AITRONOS_API_TOKEN: simulator.tokens.aitronos,
      POLICY_FILE: policyFile,
      DATABASE_URL: databaseFile,
      LOG_LEVEL: 'debug',
      VENDOR_TIMEOUT_MS: '3000',
      ...options.env,
    });
    const logs: string[] = [];
    const clock = options.clock ?? new TestClock();
    const bot = await Harness.startBot(config, logs, clock, options.bot);
    return new Harness(logs, slack, simulator, bot, dir, databaseFile, config, clock, options.bot);
  }

  private static startBot(config: Config, logs: string[], clock: TestClock, options: HarnessOptions['bot']): Promise<RunningBot> {
    const logger = createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: secretValues(config) });
    return startBot(config, { logger, now: clock.now, sweepIntervalMs: 50, ...options });
  }

  /** Stops the bot and starts a new one on the same database, as a deploy or a crash would. */
  async restart(): Promise<void> {
    await this.bot.stop();
    this.bot = await Harness.startBot(this.config, this.logs, this.clock, this.botOptions);
  }

  get eventsUrl(): string {
    return `http://127.0.0.1:${this.bot.port}/slack/events`;
  }

  /**
   * Sends a slash command as Slack would: signed over HTTP, or as a Socket Mode envelope.
   * Resolves once the bot has acknowledged it; `responseUrlId` names its response_url in the fake.
   */
  async command(command: string, text: string, options: CommandOptions = {}) {
    const userId = options.userId ?? users.oncall;
    const channelId = options.channelId ?? incidentChannel.id;
    responseCounter += 1;
    const responseUrlId = `cmd-${responseCounter}`;
    const fields = {
      command,
      text,
      user_id: userId,
      channel_id: channelId,
      channel_name: options.channelName ?? (channelId === incidentChannel.id ? incidentChannel.name : channelId.toLowerCase()),
      response_url: this.slack.responseUrl(responseUrlId, { channel: channelId, user: userId }),
      trigger_id: options.triggerId ?? this.slack.issueTriggerId(userId),
    };
    if (this.socketMode) {
      const ack = await this.slack.sendEnvelope('slash_commands', { ...fields, team_id: this.slack.teamId });
      return { responseUrlId, ack };
    }
    const post: PostResult = await postToSlackEndpoint(this.eventsUrl, slashCommandBody(fields), signingSecret, {
      timestamp: options.timestamp,
      badSignature: options.badSignature,
    });
    return { responseUrlId, post };
  }

  /**
   * Clicks a button of a posted message as `userId`, as Slack would deliver it. Resolves once the
   * bot has acknowledged; `responseUrlId` names the click's response_url in the fake.
   */
  async click(
    message: PostedMessage,
    button: string,
    userId: string,
    options: { timestamp?: number; responseUrlExpired?: boolean; picked?: string[]; triggerId?: string } = {},
  ) {
    responseCounter += 1;
    const responseUrlId = `click-${responseCounter}`;
    const responseUrl = this.slack.responseUrl(responseUrlId, { channel: message.channel, user: userId, messageTs: message.ts });
    if (options.responseUrlExpired) this.slack.expireResponseUrl(responseUrlId);
    const payload = blockActionsPayload(message, button, {
      user: { id: userId },
      responseUrl,
      channelName: incidentChannel.name,
      picked: options.picked,
      triggerId: options.triggerId,
    });
    if (this.socketMode) {
      const ack = await this.slack.sendEnvelope('interactive', payload);
      return { responseUrlId, ack };
    }
    const post = await postToSlackEndpoint(this.eventsUrl, blockActionsBody(payload), signingSecret, options);
    return { responseUrlId, post };
  }

  /**
   * `userId` opens the app's Home tab: Slack sends `app_home_opened` through the Events API.
   * Resolves once the bot has acknowledged.
   */
  async openHome(userId: string) {
    const payload = eventCallback({ type: 'app_home_opened', user: userId, channel: this.slack.dmChannelFor(userId), tab: 'home' });
    if (this.socketMode) return { ack: await this.slack.sendEnvelope('events_api', payload) };
    return { post: await postToSlackEndpoint(this.eventsUrl, JSON.stringify(payload), signingSecret) };
  }

  /**
   * Clicks `button` (action_id or text) for `requestId` in `home`, the Home tab the fake holds for
   * its user, as Slack would deliver it. Resolves once the bot has acknowledged.
   */
  async clickHome(home: RecordedHome, button: string, requestId: string) {
    const view = { ...home.view, id: home.id };
    const triggerId = this.slack.issueTriggerId(home.user);
    const payload = viewBlockActionsPayload(view, button, requestId, { user: { id: home.user }, triggerId });
    if (this.socketMode) return { ack: await this.slack.sendEnvelope('interactive', payload) };
    return { post: await postToSlackEndpoint(this.eventsUrl, blockActionsBody(payload), signingSecret) };
  }

  /** The current state of the approval card posted in the incident channel for `fragment`. */
  card(fragment: string): RecordedMessage {
    const card = this.slack
      .messages(incidentChannel.id)
      .find((m) => m.history[0].text?.startsWith('Approval needed') && messageText(m.history[0]).includes(fragment));
    if (!card) throw new Error(`no card mentioning ${fragment}`);
    return this.slack.message(card.channel, card.ts)!;
  }

  /** The first top-level message in a channel that satisfies `predicate`, once it is there. */
  waitForMessage(channel: string, predicate: (message: RecordedMessage) => boolean = () => true, timeoutMs = 8000) {
    return this.slack.waitFor(() => this.slack.messages(channel).find(predicate), {
      timeoutMs,
      description: `a message in ${channel}`,
    });
  }

  /** The responses posted to a command's response_url, once there are `count` of them. */
  waitForResponses(responseUrlId: string, count = 1, timeoutMs = 8000) {
    return this.slack.waitFor(
      () => {
        const responses = this.slack.responses(responseUrlId);
        return responses.length >= count ? responses : undefined;
      },
      { timeoutMs, description: `${count} response(s) to ${responseUrlId}` },
    );
  }

  /** The requests in the bot's database, newest first. */
  async requests(query: RequestQuery = {}): Promise<RequestRecord[]> {
    const store = new SqliteStore(this.databaseFile);
    try {
      return await store.listRequests(query);
    } finally {
      await store.close();
    }
  }

  /** How many messages the bot owes and has not delivered yet. */
  owedCount(): number {
    return this.count('SELECT COUNT(*) AS n FROM owed_messages');
  }

  /**
   * The vendors' secrets (the simulator's passwords, usernames, winbox links, peer tokens) found
   * in Slack's traffic, in `more`, in the bot's logs or in its database files: none may be.
   */
  leakedSecrets(more = ''): string[] {
    const database = ['', '-wal']
      .map((suffix) => this.databaseFile + suffix)
      .filter((file) => fs.existsSync(file))
      .map((file) => fs.readFileSync(file).toString('latin1'));
    const places = [this.slack.allTraffic(), more, this.logs.join('\n'), ...database];
    const secrets = this.simulator.state.secrets();
    if (secrets.length === 0) throw new Error('the simulator holds no secrets: nothing would be found');
    return secrets.filter((secret) => places.some((place) => place.includes(secret)));
  }

  /** Finished requests still waiting to be announced. */
  unannouncedCount(): number {
    return this.count('SELECT COUNT(*) AS n FROM requests WHERE announce_after IS NOT NULL');
  }

  private count(sql: string): number {
    const db = new Database(this.databaseFile, { readonly: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  }

  async audit(): Promise<AuditEntry[]> {
    const store = new SqliteStore(this.databaseFile);
    try {
      return (await store.listAudit()).reverse();
    } finally {
      await store.close();
    }
  }

  async stop(): Promise<void> {
    await this.bot.stop();
    await this.simulator.stop();
    await this.slack.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Everything a message shows, blocks included, as one string to search. */
export function messageText(message: { text?: string; blocks?: unknown[] } | { body: unknown }): string {
  return JSON.stringify(message);
}
