import type { App } from '@slack/bolt';
import type { Logger } from '../../../lib/logger';
import { findOperation } from '../../../operations/catalog';
import { type Twokey, slashCommands } from '../../../requests/core';
import { afterPendingAcks, handOff } from '../ack';
import { openModal } from '../views';
import { slackReplies } from '../../replies';

/**
 * One listener per slash command: acknowledge at once (Slack allows 3 seconds and the
 * vendors may take longer), then hand the command to the core, which answers through
 * the channel or the response_url. An operation typed with nothing after it opens the modal
 * instead, while its trigger_id is fresh; where the modal cannot open, it is answered as typed
 * (with its usage).
 */
export function registerCommands(app: App, twokey: Twokey, logger: Logger): void {
  for (const name of slashCommands) {
    const operation = findOperation(name);
    app.command(name, async ({ ack, command, client, respond }) => {
      await ack();
      if (operation && command.text.trim() === '' && (await openModal(client, twokey, operation, command, logger))) return;
      await afterPendingAcks();
      handOff(
        twokey.handle(
          name,
          {
            userId: command.user_id,
            channel: { id: command.channel_id, name: command.channel_name },
            text: command.text,
            deliveryId: command.trigger_id,
          },
          slackReplies({ client, respond, channelId: command.channel_id, logger }),
        ),
        logger,
      );
    });
  }
}
