import { cardActionOf } from '../messages/card';
import type { Message } from '../messages/model';
import type { Messenger, Replies } from '../requests/context';
import type { CardRef } from '../store/store';
import type { Screen } from './screen';

/**
 * Cards, thread replies, ephemeral and direct messages, all on the one screen. Posts get
 * timestamps shaped like Slack's, unique across sessions that share a database; a card's
 * request ID is noted when it is posted (its buttons carry it), so that its updates can say
 * which card changed.
 */
export function shellMessenger(screen: Screen): Messenger {
  const session = Math.floor(Date.now() / 1000);
  let posts = 0;
  const cards = new Map<string, string>();
  return {
    async post(channelId: string, message: Message, options: { threadOf?: CardRef } = {}) {
      posts += 1;
      const ts = `${session}.${String(posts).padStart(6, '0')}`;
      const requestId = message.buttons?.find((button) => cardActionOf(button.actionId))?.value;
      if (requestId) cards.set(ts, requestId);
      screen.show(message, options.threadOf ? { in: 'thread' } : { in: 'channel' });
      return { channelId, ts };
    },
    async update(ref: CardRef, message: Message) {
      screen.show(message, { in: 'card-update', requestId: cards.get(ref.ts) });
    },
    async whisper(_channelId: string, userId: string, message: Message) {
      screen.show(message, { in: 'ephemeral', userId });
    },
    async notify(userId: string, message: Message) {
      screen.show(message, { in: 'dm', userId });
    },
    // A terminal has no links to messages; messages name the channel instead.
    permalink: () => undefined,
  };
}

/** Answers to what `userId` typed: the channel sees some, only they see the rest. */
export function shellReplies(screen: Screen, userId: string): Replies {
  return {
    async toChannel(message: Message) {
      screen.show(message, { in: 'channel' });
    },
    async toUser(message: Message) {
      screen.show(message, { in: 'ephemeral', userId });
    },
  };
}
