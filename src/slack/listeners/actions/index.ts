import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Logger } from '../../../lib/logger';
import { cardActions } from '../../../messages/card';
import type { Twokey } from '../../../requests/core';
import { afterPendingAcks } from '../ack';
import { slackReplies } from '../../replies';

/**
 * The approval card's buttons. Each click is acknowledged at once and handled by the core;
 * what the clicker alone should see goes back through the click's response_url.
 */
export function registerActions(app: App, twokey: Twokey, logger: Logger): void {
  for (const actionId of Object.values(cardActions)) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
      await ack();
      await afterPendingAcks();
      const channelId = body.channel?.id ?? body.container.channel_id;
      await twokey.click(
        actionId,
        action.value ?? '',
        { userId: body.user.id, channelId, deliveryId: body.trigger_id },
        slackReplies({ client, respond, channelId, logger }),
      );
    });
  }
}
