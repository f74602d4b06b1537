import type { App } from '@slack/bolt';
import type { Logger } from '../../../lib/logger';
import { type Twokey, slashCommands } from '../../../requests/core';
import { afterPendingAcks } from '../ack';
import { slackReplies } from '../../replies';

/**
 * One listener per slash command: acknowledge at once (Slack allows 3 seconds and the
 * vendors may take longer), then hand the command to the core, which answers through
 * the channel or the response_url.
 */
export function registerCommands(app: App, twokey: Twokey, logger: Logger): void {
  for (const name of slashCommands) {
    app.command(name, async ({ ack, command, client, respond }) => {
      await ack();
      await afterPendingAcks();
      await twokey.handle(
        name,
        {
          userId: command.user_id,
          channel: { id: command.channel_id, name: command.channel_name },
          text: command.text,
          deliveryId: command.trigger_id,
        },
        slackReplies({ client, respond, channelId: command.channel_id, logger }),
      );
    });
  }
}
