import type { App, BlockAction, ButtonAction, ViewStateValue } from '@slack/bolt';
import type { Logger } from '../../../lib/logger';
import { cardActions } from '../../../messages/card';
import { listingActions } from '../../../messages/listing';
import type { Twokey } from '../../../requests/core';
import { afterPendingAcks, handOff } from '../ack';
import { openDenyModal } from '../views/deny';
import { cardActionPattern, clickedInView, clickFromHome } from '../../home';
import { slackReplies } from '../../replies';

/**
 * The approval card's buttons, on the card and in the App Home. Each click is acknowledged at
 * once and handled by the core; what the clicker alone should see goes back through the
 * click's response_url (by direct message from the App Home, which has none).
 */
export function registerActions(app: App, twokey: Twokey, logger: Logger): void {
  for (const actionId of Object.values(cardActions)) {
    app.action<BlockAction<ButtonAction>>(cardActionPattern(actionId), async ({ ack, body, action, client, respond }) => {
      await ack();
      const requestId = action.value ?? '';
      const fromHome = clickedInView(body);
      const channelId = body.channel?.id ?? body.container.channel_id;
      // Deny asks for a reason first, while the click's trigger_id is fresh, and only when the deny
      // would go through; the modal's submission denies. A deny that would not is refused at once.
      if (actionId === cardActions.deny) {
        const asking = await twokey.mayDeny(requestId, { userId: body.user.id, channelId: fromHome ? undefined : channelId });
        if (asking && (await openDenyModal(client, body, requestId, logger))) return;
      }
      await afterPendingAcks();
      if (fromHome) {
        const click = { actionId, requestId, userId: body.user.id, deliveryId: body.trigger_id };
        return handOff(clickFromHome(client, twokey, click, logger), logger);
      }
      handOff(
        twokey.click(actionId, requestId, { userId: body.user.id, channelId, deliveryId: body.trigger_id }, slackReplies({ client, respond, channelId, logger })),
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
