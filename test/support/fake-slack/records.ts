/**
 * What the fake Slack records and is configured with: the shapes tests read back and pass in.
 */

export type JsonObject = Record<string, unknown>;

/** A JSON object, not an array or null: the shape of every body, block and payload the fake reads. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

/** How `users.info` describes an account; every flag defaults to false (an active full member). */
export interface FakeUser {
  /** Deactivated. */
  deleted?: boolean;
  is_bot?: boolean;
  /** A multi-channel guest. */
  is_restricted?: boolean;
  /** A single-channel guest. */
  is_ultra_restricted?: boolean;
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
  /** User ID → how `users.info` describes the account; any other well-formed user ID is an active full member. */
  users?: Record<string, FakeUser>;
  /** Port to listen on; default a free one. */
  port?: number;
}

/** Slack's limit on posts to one response_url. */
export const responseUrlMaxUses = 5;

/** A user's App Home tab: the view views.publish last set, and every one it set before, oldest first. */
export interface RecordedHome {
  /** Slack's `V…` ID, the same for every publish to this user. */
  id: string;
  user: string;
  view: JsonObject;
  history: { at: number; view: JsonObject }[];
}

/** A change of a modal: opened, updated by the bot, replaced by its answer to a submission, or closed. */
export interface ViewChange {
  via: 'views.open' | 'views.update' | 'response_action' | 'closed';
  at: number;
  view: JsonObject;
}

/** A modal opened with views.open, as it stands now. */
export interface RecordedView {
  /** Slack's `V…` ID. */
  id: string;
  /** Who it opened for: the user of the trigger_id exchanged. */
  user?: string;
  triggerId: string;
  /** The view as given, with Slack's block and action IDs filled in. */
  view: JsonObject;
  /** Changes with a stale `hash` are refused (`hash_conflict`). */
  hash: string;
  closed: boolean;
  /** What the bot's last `response_action: errors` shows, by input block. */
  errors?: Record<string, string>;
  history: ViewChange[];
}
