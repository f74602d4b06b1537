import type { Logger } from '../logger';
import type { OperationName } from '../operations/catalog';
import type { RequestStatus } from './lifecycle';
import type { Message } from '../messages/model';
import type { Policy } from '../policy/schema';
import type { RoleResolver } from '../policy/roles';
import type { CardRef, Store } from '../store/store';
import type { VendorClients } from '../vendors/types';

export interface Channel {
  id: string;
  /** Channel name without `#`, when the transport knows it (name globs in the policy need it). */
  name?: string;
}

/** Who typed a command, where, and what. */
export interface Invocation {
  userId: string;
  channel: Channel;
  text: string;
}

/** Answers to one command or click; each transport implements it. */
export interface Replies {
  /** A message everyone in the channel sees. */
  toChannel(message: Message): Promise<void>;
  /** A message only the person who typed the command or clicked sees. */
  toUser(message: Message): Promise<void>;
}

/** Messages not tied to a command: approval cards, their threads, and word to requesters. */
export interface Messenger {
  post(channelId: string, message: Message, options?: { threadOf?: CardRef }): Promise<CardRef>;
  update(ref: CardRef, message: Message): Promise<void>;
  /** An ephemeral message in a channel, for one user. */
  whisper(channelId: string, userId: string, message: Message): Promise<void>;
  /** A direct message to a user. */
  notify(userId: string, message: Message): Promise<void>;
  /** A link to a posted message, where the chat has one. */
  permalink(ref: CardRef): string | undefined;
}

/** Told of what the core does, for metrics; no part of the core depends on it. */
export interface CoreObserver {
  /** A request reached a final status. */
  requestFinished(operation: OperationName, status: RequestStatus): void;
  approvalCounted(operation: OperationName): void;
}

const unobserved: CoreObserver = { requestFinished: () => undefined, approvalCounted: () => undefined };

/** What the core is built from. */
export interface CoreOptions {
  policy: Policy;
  roles: RoleResolver;
  store: Store;
  vendors: VendorClients;
  messenger: Messenger;
  /** Most vendor calls one request runs at once. */
  concurrency: number;
  logger: Logger;
  /** The clock; injectable so that expiry can be tested. */
  now?: () => Date;
  observer?: CoreObserver;
}

export type CoreContext = Required<CoreOptions>;

/** Fills in defaults once, so every part of the core reads the same clock. */
export function coreContext(options: CoreOptions): CoreContext {
  return { ...options, now: options.now ?? (() => new Date()), observer: options.observer ?? unobserved };
}
