import type { WebClient } from '@slack/web-api';
import type { Message } from '../messages/model';
import type { Messenger } from '../requests/context';
import type { CardRef } from '../store/store';
import { renderBlocks } from './blocks';

/** Cards, thread replies and direct messages through the Slack Web API. */
export function slackMessenger(client: WebClient): Messenger {
  return {
    async post(channelId: string, message: Message, options: { threadOf?: CardRef } = {}) {
      const answer = await client.chat.postMessage({
        channel: channelId,
        ...renderBlocks(message),
        ...(options.threadOf ? { thread_ts: options.threadOf.ts } : {}),
      });
      return { channelId: answer.channel ?? channelId, ts: answer.ts as string };
    },
    async update(ref: CardRef, message: Message) {
      await client.chat.update({ channel: ref.channelId, ts: ref.ts, ...renderBlocks(message) });
    },
    async whisper(channelId: string, userId: string, message: Message) {
      await client.chat.postEphemeral({ channel: channelId, user: userId, ...renderBlocks(message) });
    },
    async notify(userId: string, message: Message) {
      // Posting to a user ID lands in the app's direct message with them.
      await client.chat.postMessage({ channel: userId, ...renderBlocks(message) });
    },
    permalink(ref: CardRef) {
      return `https://slack.com/archives/${ref.channelId}/p${ref.ts.replace('.', '')}`;
    },
  };
}
