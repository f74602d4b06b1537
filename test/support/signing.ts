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
  /** The values chosen in the message's multi-select (a listing's picker) when the button is clicked. */
  picked?: string[];
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

/** The `state.values` of a message whose multi-select holds `picked`, as Slack sends them with a click. */
function pickerState(message: PostedMessage, picked: readonly string[]): JsonObject {
  for (const block of message.blocks ?? []) {
    const select = (Array.isArray(block.elements) ? block.elements : []).find(
      (element): element is JsonObject => isObject(element) && element.type === 'multi_static_select',
    );
    if (!select) continue;
    const options = (Array.isArray(select.options) ? select.options : []).filter(isObject);
    const selected = picked.map((value) => {
      const option = options.find((candidate) => candidate.value === value);
      if (!option) throw new Error(`the picker of message ${message.ts} offers no "${value}"`);
      return option;
    });
    return { [String(block.block_id ?? '')]: { [String(select.action_id)]: { type: 'multi_static_select', selected_options: selected } } };
  }
  throw new Error(`message ${message.ts} has no picker`);
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
    state: { values: options.picked ? pickerState(message, options.picked) : {} },
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

// ---------------------------------------------------------------------------------------
// view_submission and block_suggestion payloads built from a modal the bot opened
// ---------------------------------------------------------------------------------------

/** What is entered in one input block: text typed, or the values of the options chosen. */
export type ViewInput = string | readonly string[];

export interface ViewPayloadOptions {
  user: ClickingUser;
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  /** A view submission's own trigger_id (Slack issues one with it). */
  triggerId?: string;
  verificationToken?: string;
}

function optionsOf(element: JsonObject): JsonObject[] {
  return (Array.isArray(element.options) ? element.options : []).filter(isObject);
}

/** The options of `element` whose values are `values`, as Slack sends them back; an option it does not offer throws. */
function chosenOptions(element: JsonObject, values: readonly string[], blockId: string): JsonObject[] {
  // An external select's options came from the bot's options answer, which the view does not hold.
  if (String(element.type).includes('external')) return values.map((value) => ({ text: { type: 'plain_text', text: value }, value }));
  return values.map((value) => {
    const option = optionsOf(element).find((candidate) => candidate.value === value);
    if (!option) throw new Error(`input ${blockId} offers no option "${value}"`);
    return option;
  });
}

/** One input element's state, as Slack reports it: empty when nothing was entered. */
function elementState(element: JsonObject, input: ViewInput | undefined, blockId: string): JsonObject {
  const type = String(element.type);
  const values = input === undefined ? [] : typeof input === 'string' ? [input] : [...input];
  switch (type) {
    case 'plain_text_input':
      return { type, value: typeof input === 'string' ? input : null };
    case 'static_select':
    case 'external_select':
      return { type, selected_option: values.length ? chosenOptions(element, values, blockId)[0]! : null };
    default:
      return { type, selected_options: chosenOptions(element, values, blockId) };
  }
}

/**
 * The `state.values` of a view whose input blocks hold `inputs` (by block_id); an input block not
 * named is sent empty, as Slack sends it.
 */
export function viewState(view: JsonObject, inputs: Readonly<Record<string, ViewInput | undefined>>): JsonObject {
  const blocks = (Array.isArray(view.blocks) ? view.blocks : []).filter(isObject).filter((block) => block.type === 'input');
  const named = new Set(blocks.map((block) => String(block.block_id)));
  const stray = Object.keys(inputs).filter((blockId) => !named.has(blockId));
  if (stray.length > 0) throw new Error(`the view has no input block ${stray.join(', ')}; it has ${[...named].join(', ')}`);
  const values: JsonObject = {};
  for (const block of blocks) {
    const element = block.element as JsonObject;
    const blockId = String(block.block_id);
    values[blockId] = { [String(element.action_id)]: elementState(element, inputs[blockId], blockId) };
  }
  return values;
}

function interactingUser(options: ViewPayloadOptions): { user: JsonObject; team: JsonObject } {
  const teamId = options.user.teamId ?? options.teamId ?? 'T0TWOKEY1';
  return {
    user: {
      id: options.user.id,
      username: options.user.username ?? options.user.id.toLowerCase(),
      name: options.user.name ?? options.user.username ?? options.user.id.toLowerCase(),
      team_id: teamId,
    },
    team: { id: teamId, domain: options.teamDomain ?? 'twokey-test' },
  };
}

/**
 * The `view_submission` payload Slack sends when `options.user` submits `view` (the view object
 * as Slack sends it: the fake's `viewPayload`) with `inputs` entered.
 */
export function viewSubmissionPayload(
  view: JsonObject,
  inputs: Readonly<Record<string, ViewInput | undefined>>,
  options: ViewPayloadOptions,
): JsonObject {
  return {
    type: 'view_submission',
    ...interactingUser(options),
    api_app_id: options.appId ?? 'A0TWOKEY1',
    token: options.verificationToken ?? 'fake-verification-token',
    trigger_id: options.triggerId ?? triggerId(),
    view: { ...structuredClone(view), state: { values: viewState(view, inputs) } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * The `block_suggestion` payload Slack sends while `options.user` types `value` into the external
 * select `actionId` of `view`, to load its options.
 */
export function blockSuggestionPayload(view: JsonObject, actionId: string, value: string, options: ViewPayloadOptions): JsonObject {
  const block = (Array.isArray(view.blocks) ? view.blocks : [])
    .filter(isObject)
    .find((candidate) => isObject(candidate.element) && candidate.element.action_id === actionId);
  if (!block) throw new Error(`the view has no element ${actionId}`);
  return {
    type: 'block_suggestion',
    ...interactingUser(options),
    api_app_id: options.appId ?? 'A0TWOKEY1',
    token: options.verificationToken ?? 'fake-verification-token',
    container: { type: 'view', view_id: view.id },
    action_id: actionId,
    block_id: block.block_id,
    value,
    view: { ...structuredClone(view), state: { values: {} } },
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * The `block_actions` payload Slack sends when `options.user` clicks a button of a view that has
 * no message under it (an App Home tab): the button found by `action_id` (or text) and, among
 * several such, by `value`. Such a click has no channel, no message and no response_url.
 */
export function viewBlockActionsPayload(view: JsonObject, actionIdOrText: string, value: string | undefined, options: ViewPayloadOptions): JsonObject {
  const found = buttonsOf((Array.isArray(view.blocks) ? view.blocks : []).filter(isObject)).find(
    ({ button }) => (button.action_id === actionIdOrText || buttonText(button) === actionIdOrText) && (value === undefined || button.value === value),
  );
  if (!found) throw new Error(`the view has no button "${actionIdOrText}"${value === undefined ? '' : ` for ${value}`}`);
  const { blockId, button } = found;
  return {
    type: 'block_actions',
    ...interactingUser(options),
    api_app_id: options.appId ?? 'A0TWOKEY1',
    token: options.verificationToken ?? 'fake-verification-token',
    container: { type: 'view', view_id: view.id },
    trigger_id: options.triggerId ?? triggerId(),
    view: { ...structuredClone(view), state: { values: {} } },
    actions: [
      { action_id: button.action_id, block_id: blockId, text: button.text, type: 'button', value: button.value, ...(button.style ? { style: button.style } : {}), action_ts: nowTs() },
    ],
    is_enterprise_install: false,
    enterprise: null,
  };
}

// ---------------------------------------------------------------------------------------
// Events API
// ---------------------------------------------------------------------------------------

/**
 * What Slack sends for `event` through the Events API: the JSON body of a signed POST in HTTP
 * mode, the payload of an `events_api` envelope in Socket Mode.
 */
export function eventCallback(event: JsonObject, options: { teamId?: string; appId?: string } = {}): JsonObject {
  const now = Date.now();
  return {
    token: 'fake-verification-token',
    team_id: options.teamId ?? 'T0TWOKEY1',
    api_app_id: options.appId ?? 'A0TWOKEY1',
    event: { ...event, event_ts: nowTs() },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(now / 1000),
  };
}
