/**
 * A fake Slack for end-to-end tests: the Web API (`/api/<method>`), `response_url`
 * endpoints (`/response/<id>`) and Socket Mode (a WebSocket at `/link/`), all on one
 * local port.
 *
 * It answers like Slack where it matters and refuses what Slack refuses — bad tokens,
 * `not_in_channel`, Block Kit limits, `msg_too_long`, a sixth use of a response_url — so
 * that the bot's handling of those paths is tested too. Every request is recorded, and
 * messages are kept as Slack keeps them: top-level messages (edited in place, with their
 * history), thread replies and ephemerals, told apart as Teleport's fake Slack does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { waitFor, withDeadline, type Probe, type WaitOptions } from './wait';

export type JsonObject = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// Block Kit validation: Slack's documented limits for blocks in messages
// ---------------------------------------------------------------------------------------

export const blockKitLimits = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  sectionFields: 10,
  sectionFieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  buttonUrl: 3_000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageAltText: 2_000,
  imageUrl: 3_000,
  markdownText: 12_000,
  /** `text` of chat.postMessage / postEphemeral / response_url. */
  messageText: 40_000,
  /** `text` of chat.update. */
  updateText: 4_000,
} as const;

// Interactive elements Slack allows in an actions block or as a section accessory.
const interactiveElementTypes = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'external_select',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'channels_select',
  'conversations_select',
  'overflow',
  'radio_buttons',
  'static_select',
  'timepicker',
  'users_select',
  'workflow_button',
]);

// Block types checked in depth here, and others Slack accepts in messages that twokey does not use
// (accepted on their type alone, so the fake never refuses what Slack would take).
const checkedBlockTypes = ['section', 'header', 'context', 'actions', 'divider', 'image', 'rich_text', 'markdown'];
const shallowBlockTypes = ['video', 'file', 'input', 'table'];

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds every way a message's `blocks` break Block Kit's rules, phrased as Slack phrases them. */
class BlockKitChecker {
  readonly problems: string[] = [];
  private readonly blockIds = new Set<string>();
  private readonly actionIds = new Set<string>();

  checkBlocks(blocks: unknown[]): void {
    if (blocks.length > blockKitLimits.blocksPerMessage) {
      this.fail('/blocks', `no more than ${blockKitLimits.blocksPerMessage} items allowed`);
    }
    blocks.forEach((block, index) => this.block(block, `/blocks/${index}`));
  }

  private fail(pointer: string, message: string): void {
    this.problems.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }

  private onlyKeys(object: JsonObject, allowed: readonly string[], pointer: string): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) this.fail(pointer, `invalid additional property: ${key}`);
    }
  }

  /** A string field with length limits; returns it when present and a string. */
  private string(
    object: JsonObject,
    key: string,
    pointer: string,
    limits: { max: number; min?: number; required?: boolean },
  ): string | undefined {
    const value = object[key];
    if (value === undefined) {
      if (limits.required) this.fail(pointer, `missing required field: ${key}`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(`${pointer}/${key}`, 'must provide a string');
      return undefined;
    }
    const min = limits.min ?? 0;
    if (value.length < min) this.fail(`${pointer}/${key}`, `must be more than ${min - 1} characters`);
    if (value.length > limits.max) this.fail(`${pointer}/${key}`, `must be less than ${limits.max + 1} characters`);
    return value;
  }

  private textObject(
    object: JsonObject,
    key: string,
    pointer: string,
    limits: { max: number; plainOnly?: boolean; required?: boolean },
  ): void {
    const value = object[key];
    const at = `${pointer}/${key}`;
    if (value === undefined) {
      if (limits.required) this.fail(pointer, `missing required field: ${key}`);
      return;
    }
    this.textValue(value, at, limits);
  }

  private textValue(value: unknown, at: string, limits: { max: number; plainOnly?: boolean }): void {
    if (!isObject(value)) {
      this.fail(at, 'must provide an object');
      return;
    }
    const type = value.type;
    if (type === 'plain_text') {
      this.onlyKeys(value, ['type', 'text', 'emoji'], at);
    } else if (type === 'mrkdwn' && !limits.plainOnly) {
      this.onlyKeys(value, ['type', 'text', 'verbatim'], at);
    } else {
      const expected = limits.plainOnly ? 'plain_text' : 'plain_text or mrkdwn';
      this.fail(`${at}/type`, `must be ${expected}`);
    }
    this.string(value, 'text', at, { min: 1, max: limits.max, required: true });
  }

  private blockId(block: JsonObject, pointer: string): void {
    const id = this.string(block, 'block_id', pointer, { min: 1, max: blockKitLimits.blockId });
    if (id === undefined) return;
    if (this.blockIds.has(id)) this.fail(`${pointer}/block_id`, `duplicate block_id: ${id}`);
    this.blockIds.add(id);
  }

  private actionId(element: JsonObject, pointer: string): void {
    const id = this.string(element, 'action_id', pointer, { min: 1, max: blockKitLimits.actionId });
    if (id === undefined) return;
    if (this.actionIds.has(id)) this.fail(`${pointer}/action_id`, `duplicate action_id: ${id}`);
    this.actionIds.add(id);
  }

  private array(
    object: JsonObject,
    key: string,
    pointer: string,
    limits: { max: number; required?: boolean },
  ): unknown[] | undefined {
    const value = object[key];
    if (value === undefined) {
      if (limits.required) this.fail(pointer, `missing required field: ${key}`);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.fail(`${pointer}/${key}`, 'must provide an array');
      return undefined;
    }
    if (value.length === 0) this.fail(`${pointer}/${key}`, 'must provide at least 1 item');
    if (value.length > limits.max) this.fail(`${pointer}/${key}`, `no more than ${limits.max} items allowed`);
    return value;
  }

  private block(block: unknown, pointer: string): void {
    if (!isObject(block)) {
      this.fail(pointer, 'must provide an object');
      return;
    }
    const type = block.type;
    if (typeof type !== 'string') {
      this.fail(pointer, 'missing required field: type');
      return;
    }
    this.blockId(block, pointer);
    switch (type) {
      case 'section':
        return this.section(block, pointer);
      case 'header':
        this.onlyKeys(block, ['type', 'block_id', 'text'], pointer);
        return this.textObject(block, 'text', pointer, { max: blockKitLimits.headerText, plainOnly: true, required: true });
      case 'context':
        return this.context(block, pointer);
      case 'actions':
        return this.actions(block, pointer);
      case 'divider':
        return this.onlyKeys(block, ['type', 'block_id'], pointer);
      case 'image':
        return this.image(block, pointer, ['type', 'block_id', 'image_url', 'slack_file', 'alt_text', 'title']);
      case 'rich_text':
        this.onlyKeys(block, ['type', 'block_id', 'elements'], pointer);
        this.array(block, 'elements', pointer, { max: Number.MAX_SAFE_INTEGER, required: true });
        return;
      case 'markdown':
        this.onlyKeys(block, ['type', 'block_id', 'text'], pointer);
        this.string(block, 'text', pointer, { min: 1, max: blockKitLimits.markdownText, required: true });
        return;
      default:
        if (!shallowBlockTypes.includes(type)) {
          const known = [...checkedBlockTypes, ...shallowBlockTypes].join(', ');
          this.fail(`${pointer}/type`, `unsupported type: ${type} (expected one of ${known})`);
        }
    }
  }

  private section(block: JsonObject, pointer: string): void {
    this.onlyKeys(block, ['type', 'block_id', 'text', 'fields', 'accessory', 'expand'], pointer);
    if (block.text === undefined && block.fields === undefined) {
      this.fail(pointer, 'must provide either text or fields');
    }
    this.textObject(block, 'text', pointer, { max: blockKitLimits.sectionText });
    const fields = this.array(block, 'fields', pointer, { max: blockKitLimits.sectionFields });
    fields?.forEach((field, index) =>
      this.textValue(field, `${pointer}/fields/${index}`, { max: blockKitLimits.sectionFieldText }),
    );
    if (block.accessory !== undefined) {
      const accessory = block.accessory;
      const at = `${pointer}/accessory`;
      if (isObject(accessory) && accessory.type === 'image') {
        this.image(accessory, at, ['type', 'image_url', 'slack_file', 'alt_text']);
      } else {
        this.interactiveElement(accessory, at);
      }
    }
  }

  private context(block: JsonObject, pointer: string): void {
    this.onlyKeys(block, ['type', 'block_id', 'elements'], pointer);
    const elements = this.array(block, 'elements', pointer, { max: blockKitLimits.contextElements, required: true });
    elements?.forEach((element, index) => {
      const at = `${pointer}/elements/${index}`;
      if (isObject(element) && element.type === 'image') {
        this.image(element, at, ['type', 'image_url', 'slack_file', 'alt_text']);
      } else {
        this.textValue(element, at, { max: blockKitLimits.sectionText });
      }
    });
  }

  private actions(block: JsonObject, pointer: string): void {
    this.onlyKeys(block, ['type', 'block_id', 'elements'], pointer);
    const elements = this.array(block, 'elements', pointer, { max: blockKitLimits.actionsElements, required: true });
    elements?.forEach((element, index) => this.interactiveElement(element, `${pointer}/elements/${index}`));
  }

  private image(image: JsonObject, pointer: string, keys: readonly string[]): void {
    this.onlyKeys(image, keys, pointer);
    if (image.image_url === undefined && image.slack_file === undefined) {
      this.fail(pointer, 'must provide either image_url or slack_file');
    }
    this.string(image, 'image_url', pointer, { min: 1, max: blockKitLimits.imageUrl });
    this.string(image, 'alt_text', pointer, { min: 1, max: blockKitLimits.imageAltText, required: true });
    if (keys.includes('title')) this.textObject(image, 'title', pointer, { max: blockKitLimits.imageAltText, plainOnly: true });
  }

  private interactiveElement(element: unknown, pointer: string): void {
    if (!isObject(element)) {
      this.fail(pointer, 'must provide an object');
      return;
    }
    const type = element.type;
    if (typeof type !== 'string' || !interactiveElementTypes.has(type)) {
      this.fail(`${pointer}/type`, `unsupported type: ${String(type)}`);
      return;
    }
    this.actionId(element, pointer);
    if (type === 'button') this.button(element, pointer);
  }

  private button(button: JsonObject, pointer: string): void {
    this.onlyKeys(button, ['type', 'text', 'action_id', 'url', 'value', 'style', 'confirm', 'accessibility_label'], pointer);
    this.textObject(button, 'text', pointer, { max: blockKitLimits.buttonText, plainOnly: true, required: true });
    this.string(button, 'value', pointer, { max: blockKitLimits.buttonValue });
    this.string(button, 'url', pointer, { min: 1, max: blockKitLimits.buttonUrl });
    this.string(button, 'accessibility_label', pointer, { min: 1, max: blockKitLimits.buttonText });
    this.style(button, pointer);
    if (button.confirm !== undefined) this.confirm(button.confirm, `${pointer}/confirm`);
  }

  private style(object: JsonObject, pointer: string): void {
    const style = object.style;
    if (style !== undefined && style !== 'primary' && style !== 'danger') {
      this.fail(`${pointer}/style`, 'must be one of: primary, danger');
    }
  }

  private confirm(confirm: unknown, pointer: string): void {
    if (!isObject(confirm)) {
      this.fail(pointer, 'must provide an object');
      return;
    }
    this.onlyKeys(confirm, ['title', 'text', 'confirm', 'deny', 'style'], pointer);
    this.textObject(confirm, 'title', pointer, { max: blockKitLimits.confirmTitle, plainOnly: true, required: true });
    this.textObject(confirm, 'text', pointer, { max: blockKitLimits.confirmText, required: true });
    this.textObject(confirm, 'confirm', pointer, { max: blockKitLimits.confirmButton, plainOnly: true, required: true });
    this.textObject(confirm, 'deny', pointer, { max: blockKitLimits.confirmButton, plainOnly: true, required: true });
    this.style(confirm, pointer);
  }
}

/** Every Block Kit rule a message's `blocks` break, as `[ERROR] … [json-pointer:/blocks/…]` lines; empty when valid. */
export function blockKitProblems(blocks: unknown[]): string[] {
  const checker = new BlockKitChecker();
  checker.checkBlocks(blocks);
  return checker.problems;
}

// ---------------------------------------------------------------------------------------
// What the fake records
// ---------------------------------------------------------------------------------------

export interface RecordedCall {
  method: string;
  /** Parameters as the method saw them: form fields, with `blocks` and `attachments` JSON-decoded. */
  params: JsonObject;
  /** Epoch milliseconds. */
  at: number;
  /** What the fake answered (the JSON body; for an injected HTTP failure, `{ httpStatus }`). */
  result: JsonObject;
}

export type MessageSource = 'chat.postMessage' | 'chat.update' | 'response_url';

export interface MessageRevision {
  text?: string;
  blocks?: JsonObject[];
  at: number;
  via: MessageSource;
}

export interface RecordedMessage {
  channel: string;
  ts: string;
  /** Set on thread replies: the ts of the message replied to. */
  threadTs?: string;
  /** The bot user that posted it. */
  user: string;
  text?: string;
  /** As Slack stores them: every block has a `block_id`, every button an `action_id`. */
  blocks?: JsonObject[];
  /** Every version, first post first; the last is the current one. */
  history: MessageRevision[];
  deleted: boolean;
}

export interface RecordedEphemeral {
  channel: string;
  user: string;
  /** The `message_ts` Slack answers with. */
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: JsonObject[];
  via: 'chat.postEphemeral' | 'response_url';
  at: number;
}

export interface RecordedResponse {
  id: string;
  at: number;
  /** The JSON body posted (or `{ raw }` when it was not JSON). */
  body: JsonObject;
  /** HTTP status the fake answered. */
  status: number;
  /** Set when refused: `used_url`, `invalid_blocks`, `no_text`… */
  error?: string;
}

export interface TrafficEntry {
  at: number;
  /** `POST /api/chat.postMessage`, `POST /response/r1`, `WS /link/`. */
  route: string;
  /** The body exactly as received. */
  raw: string;
  /**
   * Every string in the body after URL- and JSON-decoding, one per line, so that a secret
   * is found even when the wire form escaped it (`p%40ss`, `"a\"b"`).
   */
  decoded: string;
}

export interface FakeChannel {
  id: string;
  name?: string;
  isPrivate?: boolean;
  /** Default true. When false, posting answers `not_in_channel` (public) or `channel_not_found` (private). */
  botIsMember?: boolean;
  /** Users in the channel; when given, an ephemeral to anyone else answers `user_not_in_channel`. */
  members?: string[];
}

/** An answer forced on a method: a Slack error (`ok: false`) or an HTTP failure. */
export type MethodFailure =
  | { error: string; extra?: JsonObject }
  | { httpStatus: number; body?: string; retryAfterSeconds?: number };

export interface ResponseUrlContext {
  channel?: string;
  /** The user who ran the command or clicked; gets the ephemeral responses. */
  user?: string;
  /** The message a click came from; `replace_original` / `delete_original` act on it. */
  messageTs?: string;
  /** Whether that message is an ephemeral one. */
  ephemeral?: boolean;
}

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SendEnvelopeOptions {
  /** How long to wait for the ack; Slack waits 3 seconds. */
  ackTimeoutMs?: number;
  /** Default: true for slash commands and interactive payloads other than `block_actions`. */
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
}

export interface EnvelopeAck {
  envelope_id: string;
  payload?: JsonObject;
}

export interface FakeSlackOptions {
  botToken?: string;
  /** App-level token for `apps.connections.open` (Socket Mode). */
  appToken?: string;
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  channels?: FakeChannel[];
  /** When true, a channel not in `channels` answers `channel_not_found`; by default it is a public channel the bot has joined. */
  strictChannels?: boolean;
  /** User-group ID → member user IDs, for `usergroups.users.list`. */
  usergroups?: Record<string, string[]>;
  /** Port to listen on; default a free one. */
  port?: number;
}

/** Slack's limit on posts to one response_url. */
export const responseUrlMaxUses = 5;

// Parameters that @slack/web-api sends JSON-encoded inside a form body.
const jsonEncodedParams = new Set(['blocks', 'attachments', 'metadata', 'unfurls', 'view']);

const defaults = {
  botToken: 'xoxb-fake-bot-token',
  appToken: 'xapp-1-fake-app-token',
  teamId: 'T0TWOKEY1',
  teamDomain: 'twokey-test',
  botUserId: 'U0TWOKEYBOT',
  botId: 'B0TWOKEY1',
  appId: 'A0TWOKEY1',
} as const;

interface ResponseUrlState {
  uses: number;
  expired: boolean;
  context: ResponseUrlContext;
}

interface PendingAck {
  resolve(ack: EnvelopeAck): void;
  reject(error: Error): void;
}

type MethodResult = JsonObject;
type MethodHandler = (params: JsonObject) => MethodResult;
type TokenKind = 'bot' | 'app';

class HttpFailure extends Error {
  constructor(readonly failure: Extract<MethodFailure, { httpStatus: number }>) {
    super(`HTTP ${failure.httpStatus}`);
  }
}

// ---------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------

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
  private readonly sockets: WebSocketServer;
  private port: number | undefined;

  private calls: RecordedCall[] = [];
  private traffic: TrafficEntry[] = [];
  private messageStore: RecordedMessage[] = [];
  private ephemeralStore: RecordedEphemeral[] = [];
  private responseStore: RecordedResponse[] = [];
  private responseUrls = new Map<string, ResponseUrlState>();
  private channelConfig = new Map<string, FakeChannel>();
  private usergroupMembers = new Map<string, string[]>();
  private failures = new Map<string, { failure: MethodFailure; remaining: number }>();
  private lastTsMicros = 0;

  private readonly tickets = new Set<string>();
  private readonly connections = new Set<WebSocket>();
  private connectionsOpened = 0;
  private readonly pendingAcks = new Map<string, PendingAck>();
  private ackLog: EnvelopeAck[] = [];

  private readonly methods: Record<string, { token: TokenKind; handle: MethodHandler }> = {
    'auth.test': { token: 'bot', handle: () => this.authTest() },
    'chat.postMessage': { token: 'bot', handle: (p) => this.postMessage(p) },
    'chat.update': { token: 'bot', handle: (p) => this.update(p) },
    'chat.postEphemeral': { token: 'bot', handle: (p) => this.postEphemeral(p) },
    'chat.delete': { token: 'bot', handle: (p) => this.deleteMessage(p) },
    'conversations.open': { token: 'bot', handle: (p) => this.openConversation(p) },
    'usergroups.users.list': { token: 'bot', handle: (p) => this.usergroupUsers(p) },
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
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.sockets = new WebSocketServer({ noServer: true });
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
    for (const [id, pending] of this.pendingAcks) pending.reject(new Error(`fake Slack stopped before envelope ${id} was acked`));
    this.pendingAcks.clear();
    for (const socket of this.connections) socket.terminate();
    this.connections.clear();
    this.sockets.close();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive connections of fetch clients would otherwise hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  /**
   * Forgets everything recorded and every forced failure; channels and user groups go back
   * to the options. Socket Mode connections stay.
   */
  reset(): void {
    this.calls = [];
    this.traffic = [];
    this.messageStore = [];
    this.ephemeralStore = [];
    this.responseStore = [];
    this.responseUrls.clear();
    this.failures.clear();
    this.ackLog = [];
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

  /** Makes `method` (or every method, with `'*'`) answer `failure`, `times` times or until reset. */
  failMethod(method: string, failure: MethodFailure, options: { times?: number } = {}): void {
    this.failures.set(method, { failure, remaining: options.times ?? Number.POSITIVE_INFINITY });
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

  /** Posts to response_urls, refused ones included (see `status` / `error`). */
  responses(id?: string): RecordedResponse[] {
    return structuredClone(this.responseStore.filter((r) => id === undefined || r.id === id));
  }

  /** Acks received over Socket Mode, in order. */
  acks(): EnvelopeAck[] {
    return structuredClone(this.ackLog);
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
    return this.connections.size;
  }

  /** Connections ever opened (a reconnect makes it grow). */
  get connectionCount(): number {
    return this.connectionsOpened;
  }

  /** Resolves once `count` connections have ever been opened (default: one is open now). */
  waitForConnection(options: WaitOptions & { count?: number } = {}): Promise<true> {
    const { count, ...waitOptions } = options;
    return this.waitFor(
      () => (count === undefined ? this.connections.size > 0 : this.connectionsOpened >= count),
      { description: count === undefined ? 'a Socket Mode connection' : `Socket Mode connection #${count}`, ...waitOptions },
    );
  }

  /** Sends an envelope over the newest connection and resolves with the client's ack. */
  sendEnvelope(type: EnvelopeType, payload: JsonObject, options: SendEnvelopeOptions = {}): Promise<EnvelopeAck> {
    const socket = [...this.connections].at(-1);
    if (!socket) {
      return Promise.reject(new Error('no Socket Mode client is connected to the fake Slack (await waitForConnection() first)'));
    }
    const envelopeId = randomUUID();
    const acceptsResponsePayload =
      options.acceptsResponsePayload ?? (type === 'slash_commands' || (type === 'interactive' && payload.type !== 'block_actions'));
    const envelope: JsonObject = { envelope_id: envelopeId, type, payload, accepts_response_payload: acceptsResponsePayload };
    if (options.retryAttempt !== undefined) envelope.retry_attempt = options.retryAttempt;
    if (options.retryReason !== undefined) envelope.retry_reason = options.retryReason;

    const acked = new Promise<EnvelopeAck>((resolve, reject) => this.pendingAcks.set(envelopeId, { resolve, reject }));
    socket.send(JSON.stringify(envelope));
    const timeoutMs = options.ackTimeoutMs ?? 3_000;
    return withDeadline(acked, timeoutMs, `the ack of ${type} envelope ${envelopeId}`).finally(() =>
      this.pendingAcks.delete(envelopeId),
    );
  }

  /** Tells every connected client to reconnect, as Slack does before recycling a server. */
  disconnect(reason = 'warning'): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack-applink' } });
    for (const socket of this.connections) socket.send(message);
  }

  /** Drops every connection without warning, as a network failure would. */
  dropConnections(): void {
    for (const socket of this.connections) socket.terminate();
  }

  // --- HTTP routing ----------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://fake-slack');
      const raw = await readBody(req);
      const route = `${req.method ?? 'GET'} ${url.pathname}`;
      if (url.pathname.startsWith('/api/')) {
        this.recordTraffic(route, raw, req.headers['content-type']);
        this.webApi(decodeURIComponent(url.pathname.slice('/api/'.length)), req, url, raw, res);
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

  private openConnection(): MethodResult {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const wsUrl = this.baseUrl.replace(/^http/, 'ws');
    return { ok: true, url: `${wsUrl}/link/?ticket=${ticket}&app_id=${this.appId}` };
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

  // --- Socket Mode transport -----------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake-slack');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      // Only a URL fresh from apps.connections.open opens a connection, once.
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.connections.add(ws);
    this.connectionsOpened += 1;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.receiveSocketMessage(data.toString());
    });
    ws.on('close', () => {
      this.connections.delete(ws);
      this.changed();
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.size,
        debug_info: { host: 'fake-slack-applink', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.changed();
  }

  private receiveSocketMessage(raw: string): void {
    this.recordTraffic('WS /link/', raw, 'application/json');
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isObject(message) || typeof message.envelope_id !== 'string') return;
    const ack: EnvelopeAck = { envelope_id: message.envelope_id };
    if (isObject(message.payload)) ack.payload = message.payload;
    this.ackLog.push(ack);
    this.pendingAcks.get(ack.envelope_id)?.resolve(ack);
    this.changed();
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
  }
}

// ---------------------------------------------------------------------------------------
// Request parsing and message content
// ---------------------------------------------------------------------------------------

/** A Slack `ok: false` answer, with `response_metadata.messages` for `invalid_blocks`. */
class BadRequest extends Error {
  constructor(
    readonly code: string,
    readonly messages?: string[],
  ) {
    super(code);
  }

  answer(): JsonObject {
    return { ok: false, error: this.code, ...(this.messages ? { response_metadata: { messages: this.messages } } : {}) };
  }
}

interface MessageContent {
  text?: string;
  blocks?: JsonObject[];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function requiredString(value: unknown, errorCode: string): string {
  const text = optionalString(value);
  if (text === undefined) throw new BadRequest(errorCode);
  return text;
}

/** The text and blocks of a message-carrying call, checked as Slack checks them. */
function messageContent(params: JsonObject, maxText: number): MessageContent {
  const text = typeof params.text === 'string' ? params.text : undefined;
  const rawBlocks = params.blocks;
  if (rawBlocks !== undefined && !Array.isArray(rawBlocks)) throw new BadRequest('invalid_blocks_format');
  const blocks = rawBlocks as unknown[] | undefined;
  const hasBlocks = blocks !== undefined && blocks.length > 0;
  const hasAttachments = Array.isArray(params.attachments) && params.attachments.length > 0;
  if (!text && !hasBlocks && !hasAttachments) throw new BadRequest('no_text');
  if (text !== undefined && text.length > maxText) throw new BadRequest('msg_too_long');
  if (blocks) {
    const problems = blockKitProblems(blocks);
    if (problems.length > 0) throw new BadRequest('invalid_blocks', problems);
  }
  return {
    ...(text !== undefined ? { text } : {}),
    ...(blocks !== undefined ? { blocks: withSlackDefaults(blocks as JsonObject[]) } : {}),
  };
}

/** As Slack stores blocks: a `block_id` on every block and an `action_id` on every interactive element. */
function withSlackDefaults(blocks: JsonObject[]): JsonObject[] {
  const stored = structuredClone(blocks);
  const shortId = () => randomBytes(3).toString('base64url');
  for (const block of stored) {
    if (block.block_id === undefined) block.block_id = shortId();
    const elements = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      ...(block.accessory !== undefined ? [block.accessory] : []),
    ];
    for (const element of elements) {
      if (isObject(element) && interactiveElementTypes.has(String(element.type)) && element.action_id === undefined) {
        element.action_id = shortId();
      }
    }
  }
  return stored;
}

/** Form bodies as @slack/web-api sends them (nested values JSON-encoded), or JSON bodies. */
function parseParams(raw: string, contentType: string | undefined): JsonObject {
  if (raw === '') return {};
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new BadRequest('invalid_json');
    }
    if (!isObject(parsed)) throw new BadRequest('invalid_json');
    return parsed;
  }
  if (type !== 'application/x-www-form-urlencoded') throw new BadRequest('invalid_form_data');
  const params: JsonObject = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (!jsonEncodedParams.has(key)) {
      params[key] = value;
      continue;
    }
    try {
      params[key] = JSON.parse(value);
    } catch {
      throw new BadRequest(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments');
    }
  }
  return params;
}

/** Every string inside a body after URL- and JSON-decoding, so a scan finds secrets whatever the encoding. */
function decodedStrings(raw: string, contentType: string | undefined): string[] {
  const strings: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      strings.push(value);
      if (/^\s*[[{]/.test(value)) {
        try {
          collect(JSON.parse(value));
        } catch {
          // Not JSON after all; the string itself is already collected.
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach(collect);
    } else if (isObject(value)) {
      Object.entries(value).forEach(([key, inner]) => {
        strings.push(key);
        collect(inner);
      });
    } else if (value !== undefined && value !== null) {
      strings.push(String(value));
    }
  };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    for (const [key, value] of new URLSearchParams(raw)) {
      strings.push(key);
      collect(value);
    }
  } else {
    collect(raw);
  }
  return strings;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}
