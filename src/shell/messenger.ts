import { cardActionOf } from '../messages/card';
import type { Message, MessageRef } from '../model/message';
import type { Messenger, Replies } from '../model/ports';
import type { Screen } from './screen';

/**
 * Cards, thread replies, ephemeral and direct messages, all on the one screen. Posts get
 * IDs shaped like Slack's timestamps, unique across sessions that share a database; a card's
 * request ID is noted when it is posted (its buttons carry it), so that its updates can say
 * which card changed.
 */
export function shellMessenger(screen: Screen): Messenger {
  const session = Math.floor(Date.now() / 1000);
  let posts = 0;
  const cards = new Map<string, string>();
  return {
    async post(channelId: string, message: Message, options: { threadOf?: MessageRef } = {}) {
      posts += 1;
      const messageId = `${session}.${String(posts).padStart(6, '0')}`;
      const requestId = message.buttons?.find((button) => cardActionOf(button.actionId))?.value;
      if (requestId) cards.set(messageId, requestId);
      screen.show(message, options.threadOf ? { in: 'thread' } : { in: 'channel' });
      return { channelId, messageId };
    },
    async update(ref: MessageRef, message: Message) {
      screen.show(message, { in: 'card-update', requestId: cards.get(ref.messageId) });
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

/** Answers to what `userId` typed: the channel sees some, only they see the rest; `seen` is told of each private one (a listing to pick from). */
export function shellReplies(screen: Screen, userId: string, seen: (message: Message) => void = () => undefined): Replies {
  return {
    async toChannel(message: Message) {
      screen.show(message, { in: 'channel' });
    },
    async toUser(message: Message) {
      seen(message);
      screen.show(message, { in: 'ephemeral', userId });
    },
  };
}
