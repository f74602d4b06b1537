import type { WebClient } from '@slack/web-api';
import type { Message, MessageRef } from '../model/message';
import type { Messenger } from '../model/ports';
import { renderBlocks } from './blocks';

/** Cards, thread replies and direct messages through the Slack Web API; a message's ID is Slack's `ts`. */
export function slackMessenger(client: WebClient): Messenger {
  return {
    async post(channelId: string, message: Message, options: { threadOf?: MessageRef } = {}) {
      const answer = await client.chat.postMessage({
        channel: channelId,
        ...renderBlocks(message),
        ...(options.threadOf ? { thread_ts: options.threadOf.messageId } : {}),
      });
      return { channelId: answer.channel ?? channelId, messageId: answer.ts as string };
    },
    async update(ref: MessageRef, message: Message) {
      await client.chat.update({ channel: ref.channelId, ts: ref.messageId, ...renderBlocks(message) });
    },
    async whisper(channelId: string, userId: string, message: Message) {
      await client.chat.postEphemeral({ channel: channelId, user: userId, ...renderBlocks(message) });
    },
    async notify(userId: string, message: Message) {
      // Posting to a user ID lands in the app's direct message with them.
      await client.chat.postMessage({ channel: userId, ...renderBlocks(message) });
    },
    permalink(ref: MessageRef) {
      return `https://slack.com/archives/${ref.channelId}/p${ref.messageId.replace('.', '')}`;
    },
  };
}
