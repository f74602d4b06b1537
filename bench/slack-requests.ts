/** Requests to `POST /slack/events` exactly as Slack sends them, signed ahead of the timed part. */
import {
  blockActionsBody,
  blockActionsPayload,
  formContentType,
  type PostedMessage,
  signSlackRequest,
  slashCommandBody,
} from '../test/support/signing';

export const signingSecret = 'bench-signing-secret-0123456789';

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface SlashCommand {
  command: string;
  text: string;
  userId: string;
  channelId: string;
  responseUrl: string;
}

function signed(body: string): SignedRequest {
  return { body, headers: { 'content-type': formContentType, ...signSlackRequest(body, signingSecret) } };
}

export function commandRequest(command: SlashCommand): SignedRequest {
  return signed(
    slashCommandBody({
      command: command.command,
      text: command.text,
      user_id: command.userId,
      channel_id: command.channelId,
      channel_name: `bench-${command.channelId.toLowerCase()}`,
      response_url: command.responseUrl,
    }),
  );
}

/** A click on the button with action ID or text `button` of a message the fake Slack recorded. */
export function clickRequest(message: PostedMessage, button: string, userId: string, responseUrl: string): SignedRequest {
  return signed(blockActionsBody(blockActionsPayload(message, button, { user: { id: userId }, responseUrl })));
}
