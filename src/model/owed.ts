import type { Message, MessageRef } from './message';

/**
 * A message twokey owes and could not deliver when it tried: kept in the store and tried again
 * (by whichever replica sweeps first) until it is delivered or a day has passed. Never a secret:
 * a password that cannot be shown is lost on purpose.
 */
export type OwedDelivery =
  /** The request's card, re-rendered from its latest state when delivered. */
  | { kind: 'card'; requestId: string }
  /** A message in a channel, or in a card's thread. */
  | { kind: 'post'; requestId?: string; channelId: string; threadOf?: MessageRef; message: Message }
  /** A direct message. */
  | { kind: 'dm'; requestId?: string; userId: string; message: Message };

export type OwedMessage = OwedDelivery & {
  id: number;
  createdAt: Date;
  /** Tries so far, the first (which failed before it was kept) included. */
  attempts: number;
  lastError?: string;
};
