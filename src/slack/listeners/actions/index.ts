import type { App, BlockAction, ButtonAction, ViewStateValue } from '@slack/bolt';
import type { Logger } from '../../../lib/logger';
import { cardActions } from '../../../messages/card';
import { listingActions } from '../../../messages/listing';
import type { Twokey } from '../../../requests/core';
import { afterPendingAcks, handOff } from '../ack';
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
      handOff(
        twokey.click(
          actionId,
          action.value ?? '',
          { userId: body.user.id, channelId, deliveryId: body.trigger_id },
          slackReplies({ client, respond, channelId, logger }),
        ),
        logger,
      );
    });
  }

  // Choosing in a listing's picker is a click too: acknowledged, and read when a button is pressed.
  app.action(listingActions.picker, async ({ ack }) => {
    await ack();
  });
  for (const actionId of [listingActions.selected, listingActions.all]) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
      await ack();
      await afterPendingAcks();
      const channelId = body.channel?.id ?? body.container.channel_id;
      handOff(
        twokey.pick(
          actionId,
          action.value ?? '',
          picked(body.state?.values),
          { userId: body.user.id, channel: { id: channelId, name: body.channel?.name ?? '' }, text: '', deliveryId: body.trigger_id },
          slackReplies({ client, respond, channelId, logger }),
        ),
        logger,
      );
    });
  }
}

/** What the listing's picker holds when a button beside it is pressed (the state Slack sends with the click). */
function picked(values: Record<string, Record<string, ViewStateValue>> | undefined): string[] {
  for (const block of Object.values(values ?? {})) {
    const element = block[listingActions.picker];
    if (element?.type === 'multi_static_select') return (element.selected_options ?? []).map((option) => option.value);
  }
  return [];
}
