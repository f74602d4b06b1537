/**
 * A fake Slack for end-to-end tests: the Web API (`/api/<method>`), `response_url`
 * endpoints (`/response/<id>`) and Socket Mode (a WebSocket at `/link/`), all on one
 * local port.
 *
 * It answers like Slack where it matters and refuses what Slack refuses — bad tokens,
 * `not_in_channel`, Block Kit limits, `msg_too_long`, a sixth use of a response_url — so
 * that the bot's handling of those paths is tested too. Every request is recorded, and
 * messages are kept as Slack keeps them: top-level messages (edited in place, with their
 * history), thread replies and ephemerals, told apart as Teleport's fake Slack does. Modals
 * opened with views.open are kept too (views.ts), each opened with a trigger_id the fake issued,
 * and each user's App Home tab as views.publish last set it.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { waitFor, type Probe, type WaitOptions } from '../wait';
import { blockKitLimits } from './block-kit';
import {
  isObject,
  responseUrlMaxUses,
  type EnvelopeAck,
  type EnvelopeType,
  type FakeChannel,
  type FakeSlackOptions,
  type FakeUser,
  type JsonObject,
  type MessageSource,
  type MethodFailure,
  type RecordedCall,
  type RecordedEphemeral,
  type RecordedHome,
  type RecordedMessage,
  type RecordedResponse,
  type RecordedView,
  type ResponseUrlContext,
  type SendEnvelopeOptions,
  type TrafficEntry,
} from './records';
import { SocketModeLink } from './socket-mode';
import { ViewRegistry } from './views';
import {
  BadRequest,
  decodedStrings,
  messageContent,
  optionalString,
  parseParams,
  readBody,
  requiredString,
  sendJson,
  sendText,
  type MessageContent,
} from './wire';

const defaults = {
  botToken: 'xoxb-fake-bot-token',
  appToken: 'xapp-1-fake-app-token',
  teamId: 'T0TWOKEY1',
  teamDomain: 'twokey-test',
  botUserId: 'U0TWOKEYBOT',
  botId: 'B0TWOKEY1',
  appId: 'A0TWOKEY1',
} as const;

/** What a Slack user ID looks like; any such user exists here. */
const userIdPattern = /^[UW][A-Z0-9]+$/;

interface ResponseUrlState {
  uses: number;
  expired: boolean;
  context: ResponseUrlContext;
}

type MethodResult = JsonObject;
type MethodHandler = (params: JsonObject) => MethodResult;
type TokenKind = 'bot' | 'app';

class HttpFailure extends Error {
  constructor(readonly failure: Extract<MethodFailure, { httpStatus: number }>) {
    super(`HTTP ${failure.httpStatus}`);
  }
}

export class FakeSlack {
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;

  /** Fires `change` whenever something is recorded, so waiters re-check at once. */
  readonly events = new EventEmitter();

  private readonly options: FakeSlackOptions;
  private readonly server: Server;
  private readonly socketMode: SocketModeLink;
  private readonly viewRegistry: ViewRegistry;
  private port: number | undefined;

  private calls: RecordedCall[] = [];
  private traffic: TrafficEntry[] = [];
  private messageStore: RecordedMessage[] = [];
  private ephemeralStore: RecordedEphemeral[] = [];
  private responseStore: RecordedResponse[] = [];
  private responseUrls = new Map<string, ResponseUrlState>();
  private channelConfig = new Map<string, FakeChannel>();
  private usergroupMembers = new Map<string, string[]>();
  private userConfig = new Map<string, FakeUser>();
  private failures = new Map<string, { failure: MethodFailure; remaining: number }>();
  private holds = new Map<string, { ms: number; remaining: number }>();
  private lastTsMicros = 0;

  private readonly methods: Record<string, { token: TokenKind; handle: MethodHandler }> = {
    'auth.test': { token: 'bot', handle: () => this.authTest() },
    'chat.postMessage': { token: 'bot', handle: (p) => this.postMessage(p) },
    'chat.update': { token: 'bot', handle: (p) => this.update(p) },
    'chat.postEphemeral': { token: 'bot', handle: (p) => this.postEphemeral(p) },
    'chat.delete': { token: 'bot', handle: (p) => this.deleteMessage(p) },
    'conversations.open': { token: 'bot', handle: (p) => this.openConversation(p) },
    'usergroups.users.list': { token: 'bot', handle: (p) => this.usergroupUsers(p) },
    'users.info': { token: 'bot', handle: (p) => this.userInfo(p) },
    'views.open': { token: 'bot', handle: (p) => this.viewRegistry.open(p) },
    'views.update': { token: 'bot', handle: (p) => this.viewRegistry.update(p) },
    'views.publish': { token: 'bot', handle: (p) => this.viewRegistry.publish(p, (id) => userIdPattern.test(id)) },
    'apps.connections.open': { token: 'app', handle: () => this.openConnection() },
  };

  constructor(options: FakeSlackOptions = {}) {
    this.options = options;
    this.botToken = options.botToken ?? defaults.botToken;
    this.appToken = options.appToken ?? defaults.appToken;
    this.teamId = options.teamId ?? defaults.teamId;
    this.teamDomain = options.teamDomain ?? defaults.teamDomain;
    this.botUserId = options.botUserId ?? defaults.botUserId;
    this.botId = options.botId ?? defaults.botId;
    this.appId = options.appId ?? defaults.appId;
    this.viewRegistry = new ViewRegistry({ teamId: this.teamId, appId: this.appId, botId: this.botId });
    this.server = createServer((req, res) => void this.route(req, res));
    this.socketMode = new SocketModeLink({
      appId: this.appId,
      recordTraffic: (route, raw, contentType) => this.recordTraffic(route, raw, contentType),
      changed: () => this.changed(),
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.socketMode.upgrade(req, socket, head));
    this.applyConfiguration();
  }

  // --- lifecycle -------------------------------------------------------------------------

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.socketMode.close();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive connections of fetch clients would otherwise hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  /**
   * Forgets everything recorded and every forced failure; channels, user groups and users go
   * back to the options. Socket Mode connections stay.
   */
  reset(): void {
    this.calls = [];
    this.traffic = [];
    this.messageStore = [];
    this.ephemeralStore = [];
    this.responseStore = [];
    this.responseUrls.clear();
    this.failures.clear();
    this.holds.clear();
    this.viewRegistry.reset();
    this.socketMode.forgetAcks();
    this.applyConfiguration();
  }

  /** `http://127.0.0.1:PORT` */
  get baseUrl(): string {
    if (this.port === undefined) throw new Error('FakeSlack: call start() first');
    return `http://127.0.0.1:${this.port}`;
  }

  /** The Web API base URL, for `slackApiUrl` / `SLACK_API_URL`: `http://127.0.0.1:PORT/api/`. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  // --- configuration ---------------------------------------------------------------------

  setChannel(channel: FakeChannel): void {
    this.channelConfig.set(channel.id, channel);
  }

  setUsergroup(id: string, users: string[]): void {
    this.usergroupMembers.set(id, [...users]);
  }

  /** How `users.info` describes `id` from now on (until a reset); `{}` is an active full member. */
  setUser(id: string, user: FakeUser): void {
    this.userConfig.set(id, { ...user });
  }

  /** Makes `method` (or every method, with `'*'`) answer `failure`, `times` times or until reset. */
  failMethod(method: string, failure: MethodFailure, options: { times?: number } = {}): void {
    this.failures.set(method, { failure, remaining: options.times ?? Number.POSITIVE_INFINITY });
  }

  /** Makes `method` answer only after `ms`, `times` times or until reset: a slow or hung Slack. */
  holdMethod(method: string, ms: number, options: { times?: number } = {}): void {
    this.holds.set(method, { ms, remaining: options.times ?? Number.POSITIVE_INFINITY });
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /**
   * A response_url for a command or click, `http://127.0.0.1:PORT/response/<id>`. The context
   * says where its posts land: `in_channel` in `channel`, ephemeral to `user`, and
   * `replace_original` / `delete_original` on `messageTs`.
   */
  responseUrl(id: string, context: ResponseUrlContext = {}): string {
    const state = this.responseUrlState(id);
    state.context = { ...state.context, ...context };
    return `${this.baseUrl}/response/${encodeURIComponent(id)}`;
  }

  /** Makes a response_url answer as one older than Slack's 30 minutes does. */
  expireResponseUrl(id: string): void {
    this.responseUrlState(id).expired = true;
  }

  /**
   * A trigger_id for a command or click payload, as Slack issues one with each interaction:
   * views.open takes it once, within 3 seconds, and opens the view for `userId`.
   */
  issueTriggerId(userId?: string): string {
    return this.viewRegistry.issueTrigger(userId);
  }

  /** Makes a trigger_id answer as one older than Slack's 3 seconds does (`expired_trigger_id`). */
  expireTriggerId(id: string): void {
    this.viewRegistry.expireTrigger(id);
  }

  /**
   * Applies the bot's answer to a submission of view `viewId` (the JSON its ack carried) as Slack
   * would — `update`, `errors`, or closing it — and returns the view after; throws on an answer
   * Slack would refuse (an invalid view, errors for a block that is not an input).
   */
  answerViewSubmission(viewId: string, answer: unknown): RecordedView {
    const view = this.viewRegistry.answerSubmission(viewId, answer);
    this.changed();
    return view;
  }

  /** Throws when Slack would refuse the answer to a `block_suggestion` (`{ options: […] }`). */
  checkOptionsAnswer(answer: unknown): void {
    this.viewRegistry.checkOptions(answer);
  }

  /** The view object Slack sends in a view_submission or block_suggestion payload for `view`. */
  viewPayload(view: RecordedView): JsonObject {
    return this.viewRegistry.output(view);
  }

  /** The DM channel Slack would open between the bot and `userId`. */
  dmChannelFor(userId: string): string {
    return `D${userId.slice(1)}`;
  }

  channelName(id: string): string {
    return this.channelConfig.get(id)?.name ?? id.toLowerCase();
  }

  // --- what was recorded -------------------------------------------------------------------

  /** Every Web API call in order, refused ones included. */
  recordedCalls(method?: string): RecordedCall[] {
    return structuredClone(this.calls.filter((call) => method === undefined || call.method === method));
  }

  /** Current state of the top-level messages (deleted ones left out), oldest first. */
  messages(channel?: string): RecordedMessage[] {
    return structuredClone(
      this.messageStore.filter(
        (m) => m.threadTs === undefined && !m.deleted && (channel === undefined || m.channel === channel),
      ),
    );
  }

  /** One message, thread reply or deleted one included. */
  message(channel: string, ts: string): RecordedMessage | undefined {
    const found = this.findMessage(channel, ts);
    return found && structuredClone(found);
  }

  threadReplies(channel: string, ts: string): RecordedMessage[] {
    return structuredClone(this.messageStore.filter((m) => m.channel === channel && m.threadTs === ts && !m.deleted));
  }

  ephemerals(user?: string): RecordedEphemeral[] {
    return structuredClone(this.ephemeralStore.filter((e) => user === undefined || e.user === user));
  }

  /** Every modal opened, as it stands now (closed ones included), oldest first. */
  views(): RecordedView[] {
    return this.viewRegistry.views();
  }

  /** Every user's App Home tab, as views.publish last set it. */
  homes(): RecordedHome[] {
    return this.viewRegistry.homes();
  }

  /** `user`'s App Home tab, once views.publish has set one for which `predicate` holds. */
  waitForHome(user: string, predicate: (home: RecordedHome) => boolean = () => true, options: WaitOptions = {}): Promise<RecordedHome> {
    return this.waitFor(() => this.homes().find((home) => home.user === user && predicate(home)), { description: `${user}'s App Home`, ...options });
  }

  /** Posts to response_urls, refused ones included (see `status` / `error`). */
  responses(id?: string): RecordedResponse[] {
    return structuredClone(this.responseStore.filter((r) => id === undefined || r.id === id));
  }

  /** Acks received over Socket Mode, in order. */
  acks(): EnvelopeAck[] {
    return this.socketMode.acks();
  }

  trafficLog(): TrafficEntry[] {
    return structuredClone(this.traffic);
  }

  /**
   * Everything the bot sent (Web API bodies, response_url posts, Socket Mode acks), raw and
   * decoded, as one string to scan for secrets.
   */
  allTraffic(): string {
    return this.traffic.map((t) => `${t.route}\n${t.raw}\n${t.decoded}`).join('\n');
  }

  // --- waiting ---------------------------------------------------------------------------

  /** `waitFor` that also re-checks the moment the fake records something. */
  waitFor<T>(probe: Probe<T>, options: WaitOptions = {}): Promise<T> {
    return waitFor(probe, {
      ...options,
      subscribe: (wake) => {
        this.events.on('change', wake);
        return () => this.events.off('change', wake);
      },
    });
  }

  waitForCall(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<RecordedCall> {
    return this.waitFor(() => this.recordedCalls(method).find(predicate), {
      description: `a ${method} call`,
      ...options,
    });
  }

  waitForMessage(
    channel: string,
    predicate: (message: RecordedMessage) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<RecordedMessage> {
    return this.waitFor(() => this.messages(channel).find(predicate), {
      description: `a message in ${channel}`,
      ...options,
    });
  }

  waitForReply(
    channel: string,
    threadTs: string,
    predicate: (message: RecordedMessage) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<RecordedMessage> {
    return this.waitFor(() => this.threadReplies(channel, threadTs).find(predicate), {
      description: `a reply in thread ${channel}/${threadTs}`,
      ...options,
    });
  }

  waitForEphemeral(
    user: string,
    predicate: (ephemeral: RecordedEphemeral) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<RecordedEphemeral> {
    return this.waitFor(() => this.ephemerals(user).find(predicate), {
      description: `an ephemeral message to ${user}`,
      ...options,
    });
  }

  waitForView(predicate: (view: RecordedView) => boolean = () => true, options: WaitOptions = {}): Promise<RecordedView> {
    return this.waitFor(() => this.views().find(predicate), { description: 'a modal', ...options });
  }

  waitForResponse(
    id: string,
    predicate: (response: RecordedResponse) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<RecordedResponse> {
    return this.waitFor(() => this.responses(id).find(predicate), {
      description: `a post to response_url ${id}`,
      ...options,
    });
  }

  // --- Socket Mode -------------------------------------------------------------------------

  /** Socket Mode connections open now. */
  get openConnectionCount(): number {
    return this.socketMode.openCount;
  }

  /** Connections ever opened (a reconnect makes it grow). */
  get connectionCount(): number {
    return this.socketMode.openedCount;
  }

  /** Resolves once `count` connections have ever been opened (default: one is open now). */
  waitForConnection(options: WaitOptions & { count?: number } = {}): Promise<true> {
    const { count, ...waitOptions } = options;
    return this.waitFor(
      () => (count === undefined ? this.socketMode.openCount > 0 : this.socketMode.openedCount >= count),
      { description: count === undefined ? 'a Socket Mode connection' : `Socket Mode connection #${count}`, ...waitOptions },
    );
  }

  /** Sends an envelope over the newest connection and resolves with the client's ack. */
  sendEnvelope(type: EnvelopeType, payload: JsonObject, options: SendEnvelopeOptions = {}): Promise<EnvelopeAck> {
    return this.socketMode.send(type, payload, options);
  }

  /** Tells every connected client to reconnect, as Slack does before recycling a server. */
  disconnect(reason = 'warning'): void {
    this.socketMode.disconnect(reason);
  }

  /** Drops every connection without warning, as a network failure would. */
  dropConnections(): void {
    this.socketMode.drop();
  }

  // --- HTTP routing ----------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://fake-slack');
      const raw = await readBody(req);
      const route = `${req.method ?? 'GET'} ${url.pathname}`;
      if (url.pathname.startsWith('/api/')) {
        this.recordTraffic(route, raw, req.headers['content-type']);
        const method = decodeURIComponent(url.pathname.slice('/api/'.length));
        const held = this.takeHold(method);
        // A held call is answered (and recorded) when its hold ends, as a slow Slack would; one
        // whose caller gave up meanwhile is dropped.
        if (held === undefined) this.webApi(method, req, url, raw, res);
        else setTimeout(() => res.destroyed || this.webApi(method, req, url, raw, res), held).unref();
      } else if (url.pathname.startsWith('/response/') && req.method === 'POST') {
        this.recordTraffic(route, raw, req.headers['content-type']);
        this.responseUrlPost(decodeURIComponent(url.pathname.slice('/response/'.length)), raw, res);
      } else {
        sendText(res, 404, 'not found');
      }
    } catch (error) {
      sendText(res, 500, `fake Slack failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }

  private webApi(method: string, req: IncomingMessage, url: URL, raw: string, res: ServerResponse): void {
    let params: JsonObject = {};
    let result: MethodResult;
    try {
      params = { ...Object.fromEntries(url.searchParams), ...parseParams(raw, req.headers['content-type']) };
      result = this.answer(method, req.headers.authorization, params);
    } catch (error) {
      if (error instanceof HttpFailure) {
        this.record(method, params, { httpStatus: error.failure.httpStatus });
        const headers: Record<string, string> = {};
        if (error.failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.failure.retryAfterSeconds);
        sendText(res, error.failure.httpStatus, error.failure.body ?? 'fake Slack: forced failure', headers);
        return;
      }
      if (!(error instanceof BadRequest)) throw error;
      result = error.answer();
    }
    this.record(method, params, result);
    sendJson(res, 200, result);
  }

  /** Authentication, forced failures, then the method itself. */
  private answer(method: string, authorization: string | undefined, params: JsonObject): MethodResult {
    const handler = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (!handler) return { ok: false, error: 'unknown_method', req_method: method };

    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (token === undefined) return { ok: false, error: 'not_authed' };
    const kind: TokenKind | undefined = token === this.botToken ? 'bot' : token === this.appToken ? 'app' : undefined;
    if (kind === undefined) return { ok: false, error: 'invalid_auth' };
    if (kind !== handler.token) return { ok: false, error: 'not_allowed_token_type' };

    const forced = this.takeFailure(method);
    if (forced) {
      if ('httpStatus' in forced) throw new HttpFailure(forced);
      return { ok: false, error: forced.error, ...forced.extra };
    }
    return handler.handle(params);
  }

  private takeHold(method: string): number | undefined {
    const entry = this.holds.get(method);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.holds.delete(method);
    return entry.ms;
  }

  private takeFailure(method: string): MethodFailure | undefined {
    const key = this.failures.has(method) ? method : this.failures.has('*') ? '*' : undefined;
    if (key === undefined) return undefined;
    const entry = this.failures.get(key)!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.failures.delete(key);
    return entry.failure;
  }

  // --- Web API methods ---------------------------------------------------------------------

  private authTest(): MethodResult {
    return {
      ok: true,
      url: `https://${this.teamDomain}.slack.com/`,
      team: 'twokey test workspace',
      user: 'twokey',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    };
  }

  private postMessage(params: JsonObject): MethodResult {
    const channel = this.writableChannel(params.channel);
    const content = messageContent(params, blockKitLimits.messageText);
    const threadTs = optionalString(params.thread_ts);
    const message = this.storeMessage(channel, content, 'chat.postMessage', threadTs);
    return { ok: true, channel, ts: message.ts, message: this.messageView(message) };
  }

  private update(params: JsonObject): MethodResult {
    const channel = requiredString(params.channel, 'channel_not_found');
    const ts = requiredString(params.ts, 'message_not_found');
    const message = this.findMessage(channel, ts);
    if (!message || message.deleted) throw new BadRequest('message_not_found');
    const content = messageContent(params, blockKitLimits.updateText);
    // chat.update keeps the old blocks when none are given (and clears them with `blocks: []`).
    this.revise(message, content, 'chat.update', 'merge');
    return { ok: true, channel, ts, text: message.text ?? '', message: this.messageView(message) };
  }

  private postEphemeral(params: JsonObject): MethodResult {
    const channel = this.writableChannel(params.channel);
    const user = requiredString(params.user, 'user_not_in_channel');
    const members = this.channelConfig.get(channel)?.members;
    if (members && !members.includes(user)) throw new BadRequest('user_not_in_channel');
    const content = messageContent(params, blockKitLimits.messageText);
    const ts = this.nextTs();
    this.ephemeralStore.push({
      channel,
      user,
      ts,
      threadTs: optionalString(params.thread_ts),
      ...content,
      via: 'chat.postEphemeral',
      at: Date.now(),
    });
    return { ok: true, message_ts: ts };
  }

  private deleteMessage(params: JsonObject): MethodResult {
    const channel = requiredString(params.channel, 'channel_not_found');
    const ts = requiredString(params.ts, 'message_not_found');
    const message = this.findMessage(channel, ts);
    if (!message || message.deleted) throw new BadRequest('message_not_found');
    message.deleted = true;
    return { ok: true, channel, ts };
  }

  private openConversation(params: JsonObject): MethodResult {
    const users = requiredString(params.users, 'users_list_not_supplied').split(',');
    if (users.length !== 1) throw new BadRequest('not_supported_in_this_fake');
    return { ok: true, channel: { id: this.dmChannelFor(users[0]!) } };
  }

  private usergroupUsers(params: JsonObject): MethodResult {
    const id = requiredString(params.usergroup, 'no_such_subteam');
    const users = this.usergroupMembers.get(id);
    if (!users) throw new BadRequest('no_such_subteam');
    return { ok: true, users: [...users] };
  }

  /**
   * An account as Slack describes it: deactivated ones are still found, with `deleted: true`; the
   * app's own bot user is a bot; an ID no user could have is `user_not_found`.
   */
  private userInfo(params: JsonObject): MethodResult {
    const id = requiredString(params.user, 'user_not_found');
    if (!userIdPattern.test(id)) throw new BadRequest('user_not_found');
    const flags = this.userConfig.get(id) ?? (id === this.botUserId ? { is_bot: true } : {});
    const user = {
      id,
      team_id: this.teamId,
      name: id.toLowerCase(),
      deleted: false,
      is_bot: false,
      is_app_user: false,
      is_restricted: false,
      is_ultra_restricted: false,
      ...flags,
    };
    return { ok: true, user };
  }

  private openConnection(): MethodResult {
    return { ok: true, url: this.socketMode.connectionUrl(this.baseUrl) };
  }

  // --- messages ----------------------------------------------------------------------------

  /** Resolves `channel` to where a message lands, refusing as Slack does where the bot may not post. */
  private writableChannel(value: unknown): string {
    const id = requiredString(value, 'channel_not_found');
    if (/^[UW]/.test(id)) return this.dmChannelFor(id); // posting to a user ID writes to the DM
    if (id.startsWith('D')) return id;
    const channel = this.channelConfig.get(id);
    if (!channel) {
      if (this.options.strictChannels) throw new BadRequest('channel_not_found');
      return id;
    }
    if (channel.botIsMember === false) throw new BadRequest(channel.isPrivate ? 'channel_not_found' : 'not_in_channel');
    return id;
  }

  private storeMessage(channel: string, content: MessageContent, via: MessageSource, threadTs?: string): RecordedMessage {
    const at = Date.now();
    const message: RecordedMessage = {
      channel,
      ts: this.nextTs(),
      threadTs,
      user: this.botUserId,
      ...content,
      history: [{ ...structuredClone(content), at, via }],
      deleted: false,
    };
    this.messageStore.push(message);
    return message;
  }

  private revise(message: RecordedMessage, content: MessageContent, via: MessageSource, mode: 'merge' | 'replace'): void {
    if (mode === 'replace' || content.text !== undefined) message.text = content.text;
    if (mode === 'replace' || content.blocks !== undefined) message.blocks = content.blocks;
    message.history.push({ text: message.text, blocks: structuredClone(message.blocks), at: Date.now(), via });
  }

  private findMessage(channel: string, ts: string): RecordedMessage | undefined {
    return this.messageStore.find((m) => m.channel === channel && m.ts === ts);
  }

  /** The `message` object Slack returns and puts in payloads. */
  private messageView(message: RecordedMessage): JsonObject {
    return {
      type: 'message',
      user: message.user,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      text: message.text ?? '',
      ts: message.ts,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      ...(message.blocks ? { blocks: structuredClone(message.blocks) } : {}),
    };
  }

  /** Unique, increasing, in Slack's `seconds.micros` form. */
  private nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    const seconds = Math.floor(this.lastTsMicros / 1_000_000);
    const micros = String(this.lastTsMicros % 1_000_000).padStart(6, '0');
    return `${seconds}.${micros}`;
  }

  // --- response_url --------------------------------------------------------------------------

  private responseUrlPost(id: string, raw: string, res: ServerResponse): void {
    const state = this.responseUrlState(id);
    let body: JsonObject;
    try {
      const parsed: unknown = JSON.parse(raw);
      body = isObject(parsed) ? parsed : { raw };
    } catch {
      body = { raw };
    }
    const refuse = (status: number, error: string, messages?: string[]) => {
      this.recordResponse({ id, at: Date.now(), body, status, error });
      const answer: JsonObject = { ok: false, error, ...(messages ? { response_metadata: { messages } } : {}) };
      sendJson(res, status, answer);
    };

    if (state.expired) return refuse(404, 'expired_url');
    if (state.uses >= responseUrlMaxUses) return refuse(404, 'used_url');
    if ('raw' in body) return refuse(400, 'invalid_payload');

    const { context } = state;
    if (body.delete_original === true) {
      if (context.messageTs && context.channel && !context.ephemeral) {
        const message = this.findMessage(context.channel, context.messageTs);
        if (message) message.deleted = true;
      }
    } else {
      let content: MessageContent;
      try {
        content = messageContent(body, blockKitLimits.messageText);
      } catch (error) {
        if (!(error instanceof BadRequest)) throw error;
        return refuse(400, error.code, error.messages);
      }
      this.deliverResponse(body, content, context);
    }
    state.uses += 1;
    this.recordResponse({ id, at: Date.now(), body, status: 200 });
    sendText(res, 200, 'ok');
  }

  /** Where a response lands, as Slack places it: in place, in the channel, or to the user alone. */
  private deliverResponse(body: JsonObject, content: MessageContent, context: ResponseUrlContext): void {
    const { channel, user, messageTs } = context;
    if (body.replace_original === true && channel && messageTs) {
      if (context.ephemeral) {
        const ephemeral = this.ephemeralStore.find((e) => e.channel === channel && e.ts === messageTs);
        if (ephemeral) Object.assign(ephemeral, { text: content.text, blocks: content.blocks, via: 'response_url', at: Date.now() });
        return;
      }
      const message = this.findMessage(channel, messageTs);
      // replace_original replaces the whole message: blocks not sent are gone.
      if (message) this.revise(message, content, 'response_url', 'replace');
      return;
    }
    if (!channel) return;
    const threadTs = optionalString(body.thread_ts);
    if (body.response_type === 'in_channel') {
      this.storeMessage(channel, content, 'response_url', threadTs);
    } else if (user) {
      this.ephemeralStore.push({ channel, user, ts: this.nextTs(), threadTs, ...content, via: 'response_url', at: Date.now() });
    }
  }

  private responseUrlState(id: string): ResponseUrlState {
    let state = this.responseUrls.get(id);
    if (!state) {
      state = { uses: 0, expired: false, context: {} };
      this.responseUrls.set(id, state);
    }
    return state;
  }

  // --- recording -----------------------------------------------------------------------------

  private record(method: string, params: JsonObject, result: JsonObject): void {
    this.calls.push({ method, params, at: Date.now(), result });
    this.changed();
  }

  private recordResponse(response: RecordedResponse): void {
    this.responseStore.push(response);
    this.changed();
  }

  private recordTraffic(route: string, raw: string, contentType: string | undefined): void {
    this.traffic.push({ at: Date.now(), route, raw, decoded: decodedStrings(raw, contentType).join('\n') });
  }

  private changed(): void {
    this.events.emit('change');
  }

  private applyConfiguration(): void {
    this.channelConfig = new Map((this.options.channels ?? []).map((c) => [c.id, { ...c }]));
    this.usergroupMembers = new Map(Object.entries(this.options.usergroups ?? {}).map(([id, users]) => [id, [...users]]));
    this.userConfig = new Map(Object.entries(this.options.users ?? {}).map(([id, user]) => [id, { ...user }]));
  }
}
