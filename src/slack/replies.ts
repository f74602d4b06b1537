import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { Message } from '../model/message';
import type { Replies } from '../model/ports';
import { renderBlocks } from './blocks';

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

/** The `error` of a Slack Web API platform error (`not_in_channel`, …), if that is what was thrown. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
