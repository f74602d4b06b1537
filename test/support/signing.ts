/**
 * Requests to a Bolt HTTP endpoint made exactly as Slack makes them: form bodies built as
 * strings, `Content-Type: application/x-www-form-urlencoded` with no charset (Bolt parses
 * nothing else as a form), and Slack's `v0` HMAC-SHA256 signature.
 */
import { createHmac, randomBytes } from 'node:crypto';

type JsonObject = Record<string, unknown>;

export const formContentType = 'application/x-www-form-urlencoded';

/** `x-slack-signature` and `x-slack-request-timestamp` for `body`, as Slack computes them. */
export function signSlackRequest(
  body: string,
  signingSecret: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return {
    'x-slack-signature': `v0=${signature}`,
    'x-slack-request-timestamp': String(timestampSeconds),
  };
}

/** Form encoding as Slack writes it: spaces as `+`, everything else percent-encoded. */
function formEncode(fields: Record<string, string>): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return Object.entries(fields)
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join('&');
}

function triggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
}

export interface SlashCommandFields {
  command: string;
  text?: string;
  user_id: string;
  channel_id: string;
  response_url: string;
  user_name?: string;
  channel_name?: string;
  trigger_id?: string;
  team_id?: string;
  team_domain?: string;
  api_app_id?: string;
  /** The deprecated verification token Slack still sends. */
  token?: string;
  /** Any further field, sent as given. */
  [extra: string]: string | undefined;
}

/** The urlencoded body Slack posts for a slash command, fields in Slack's order. */
export function slashCommandBody(fields: SlashCommandFields): string {
  const ordered: Record<string, string | undefined> = {
    token: fields.token ?? 'fake-verification-token',
    team_id: fields.team_id ?? 'T0TWOKEY1',
    team_domain: fields.team_domain ?? 'twokey-test',
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? fields.channel_id.toLowerCase(),
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command,
    text: fields.text ?? '',
    api_app_id: fields.api_app_id ?? 'A0TWOKEY1',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? triggerId(),
  };
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in ordered)) ordered[key] = value;
  }
  const defined = Object.fromEntries(
    Object.entries(ordered).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return formEncode(defined);
}

/** The body Slack posts for an interaction: `payload=<urlencoded JSON>`. */
export function blockActionsBody(payload: JsonObject): string {
  return formEncode({ payload: JSON.stringify(payload) });
}

export interface PostOptions {
  /** Signature timestamp in seconds; default now. */
  timestamp?: number;
  /** Sign, then corrupt the signature. */
  badSignature?: boolean;
  /** Default: form for `key=value` bodies, JSON for `{…}` bodies. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface PostResult {
  status: number;
  body: string;
  elapsedMs: number;
  headers: Record<string, string>;
}

/** POSTs a signed body to a Bolt endpoint and reports the status, body and time to answer. */
export async function postToSlackEndpoint(
  url: string,
  body: string,
  signingSecret: string,
  options: PostOptions = {},
): Promise<PostResult> {
  const signed = signSlackRequest(body, signingSecret, options.timestamp);
  if (options.badSignature) {
    const signature = signed['x-slack-signature']!;
    const last = signature.at(-1) === '0' ? '1' : '0';
    signed['x-slack-signature'] = signature.slice(0, -1) + last;
  }
  const contentType = options.contentType ?? (body.trimStart().startsWith('{') ? 'application/json' : formContentType);
  const started = performance.now();
  // A string body keeps the Content-Type exactly as set here (URLSearchParams would add a charset).
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signed, ...options.headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    elapsedMs: performance.now() - started,
    headers: Object.fromEntries(response.headers.entries()),
  };
}

// ---------------------------------------------------------------------------------------
// block_actions payloads built from the blocks the bot posted
// ---------------------------------------------------------------------------------------

/** A message as the fake Slack recorded it (RecordedMessage or RecordedEphemeral fit). */
export interface PostedMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: JsonObject[];
  threadTs?: string;
  /** The bot user that posted it. */
  user?: string;
  /** Set for ephemeral messages (a RecordedEphemeral has `via`, so pass `ephemeral: true` explicitly). */
  ephemeral?: boolean;
}

export interface ClickingUser {
  id: string;
  username?: string;
  name?: string;
  teamId?: string;
}

export interface BlockActionsOptions {
  user: ClickingUser;
  /** Where Bolt's respond() will post, e.g. `fake.responseUrl('click-1', { channel, user, messageTs })`. */
  responseUrl: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  botId?: string;
  triggerId?: string;
  /** Default now, in Slack's `seconds.micros` form. */
  actionTs?: string;
  verificationToken?: string;
}

interface FoundButton {
  blockId: string;
  button: JsonObject;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function buttonText(button: JsonObject): string | undefined {
  return isObject(button.text) && typeof button.text.text === 'string' ? button.text.text : undefined;
}

/** Every button in a message's blocks (actions elements and section accessories), with its block. */
export function buttonsOf(blocks: readonly JsonObject[] = []): FoundButton[] {
  const found: FoundButton[] = [];
  for (const block of blocks) {
    const elements = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory];
    for (const element of elements) {
      if (isObject(element) && element.type === 'button') found.push({ blockId: String(block.block_id ?? ''), button: element });
    }
  }
  return found;
}

function findButton(message: PostedMessage, actionIdOrText: string): FoundButton {
  const buttons = buttonsOf(message.blocks);
  const match =
    buttons.find((b) => b.button.action_id === actionIdOrText) ??
    buttons.find((b) => buttonText(b.button) === actionIdOrText);
  if (!match) {
    const available = buttons.map((b) => `${String(b.button.action_id)} ("${buttonText(b.button) ?? ''}")`).join(', ');
    throw new Error(
      `no button "${actionIdOrText}" in message ${message.channel}/${message.ts}; buttons: ${available || 'none'}`,
    );
  }
  return match;
}

function nowTs(): string {
  const micros = Date.now() * 1000;
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

/**
 * The `block_actions` payload Slack sends when `options.user` clicks a button (found by
 * `action_id`, else by its text) in `message`.
 */
export function blockActionsPayload(message: PostedMessage, actionIdOrText: string, options: BlockActionsOptions): JsonObject {
  const { blockId, button } = findButton(message, actionIdOrText);
  const teamId = options.user.teamId ?? options.teamId ?? 'T0TWOKEY1';
  const ephemeral = message.ephemeral === true;
  const action: JsonObject = {
    action_id: button.action_id,
    block_id: blockId,
    text: button.text,
    type: 'button',
    action_ts: options.actionTs ?? nowTs(),
  };
  if (button.value !== undefined) action.value = button.value;
  if (button.style !== undefined) action.style = button.style;

  const container: JsonObject = {
    type: 'message',
    message_ts: message.ts,
    channel_id: message.channel,
    is_ephemeral: ephemeral,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
  };
  const payload: JsonObject = {
    type: 'block_actions',
    user: {
      id: options.user.id,
      username: options.user.username ?? options.user.id.toLowerCase(),
      name: options.user.name ?? options.user.username ?? options.user.id.toLowerCase(),
      team_id: teamId,
    },
    api_app_id: options.appId ?? 'A0TWOKEY1',
    token: options.verificationToken ?? 'fake-verification-token',
    container,
    trigger_id: options.triggerId ?? triggerId(),
    team: { id: teamId, domain: options.teamDomain ?? 'twokey-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: options.channelName ?? message.channel.toLowerCase() },
    state: { values: {} },
    response_url: options.responseUrl,
    actions: [action],
  };
  // Slack leaves the message out of payloads from ephemeral messages.
  if (!ephemeral) {
    payload.message = {
      type: 'message',
      user: message.user ?? 'U0TWOKEYBOT',
      bot_id: options.botId ?? 'B0TWOKEY1',
      app_id: options.appId ?? 'A0TWOKEY1',
      team: teamId,
      text: message.text ?? '',
      ts: message.ts,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      blocks: structuredClone(message.blocks ?? []),
    };
  }
  return payload;
}
