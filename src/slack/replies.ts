import type { RespondFn } from '@slack/bolt';
import { slackFetch } from './fetch';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { Message } from '../model/message';
import type { Replies } from '../model/ports';
import { renderBlocks } from './blocks';
import { slackMessenger } from './messenger';

// Slack's answers when the bot may not post in a conversation it has not joined.
const notMemberErrors = new Set(['not_in_channel', 'channel_not_found']);

export const inviteHint = 'twokey is not a member of this channel, so it answered here instead: `/invite @twokey` lets it post results and cards.';

interface ReplyTarget {
  client: WebClient;
  respond: RespondFn;
  channelId: string;
  logger: Logger;
}

/**
 * Replies over Slack: channel messages through chat.postMessage, falling back to the
 * command's response_url when Slack refuses or fails the post (it works where the bot is not
 * a member, with a hint to invite the bot); private replies as ephemeral messages through the
 * response_url.
 */
export function slackReplies({ client, respond, channelId, logger }: ReplyTarget): Replies {
  return {
    async toChannel(message: Message) {
      try {
        await client.chat.postMessage({ channel: channelId, ...renderBlocks(message) });
      } catch (error) {
        const notMember = notMemberErrors.has(slackErrorCode(error) ?? '');
        logger.warn('could not post in the channel; answering through response_url', { channelId, error });
        const notes = notMember ? [...(message.notes ?? []), inviteHint] : message.notes;
        await respond({ response_type: 'in_channel', ...renderBlocks({ ...message, notes }) });
      }
    },
    async toUser(message: Message) {
      // Said outright: after a click, a response_url post may otherwise replace the card itself.
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderBlocks(message) });
    },
  };
}

/**
 * Replies to a click in a view (the App Home), which has neither a channel nor a response_url:
 * both kinds reach the clicker as a direct message. A channel reply after a click is only the
 * fallback for news Slack would not post in the request's thread, and the clicker should hear it.
 */
export function directReplies(client: WebClient, userId: string): Replies {
  const messenger = slackMessenger(client);
  const tell = (message: Message) => messenger.notify(userId, message);
  return { toChannel: tell, toUser: tell };
}

/** The `error` of a Slack Web API platform error (`not_in_channel`, …), if that is what was thrown. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Posts to a command's or click's response_url, as Bolt's respond() does, for a reply that comes later (after a modal). */
export function respondTo(responseUrl: string): RespondFn {
  return async (message) => {
    const response = await slackFetch(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(typeof message === 'string' ? { text: message } : message),
    });
    if (!response.ok) throw new Error(`the response_url answered ${response.status}`);
    return response;
  };
}
