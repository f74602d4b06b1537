import type { App, BlockAction, ButtonAction, types, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../../../lib/logger';
import { cardActions } from '../../../messages/card';
import { maxReasonLength, reasonProblem } from '../../../operations/grammar';
import type { Twokey } from '../../../requests/core';
import { clickFromHome } from '../../home';
import { respondTo, slackReplies } from '../../replies';
import { afterPendingAcks, handOff } from '../ack';

/** The Deny button's modal (PRODUCT.md §10): it asks the denier for a reason, which may be left out. */
const denyView = 'twokey_deny';
const reasonBlock = 'twokey_deny_reason';
const reasonAction = 'reason';

/** What the modal carries from the click to its submission. */
// A Deny from the App Home has neither a channel nor a response_url.
const denyFormSchema = z.object({ requestId: z.string(), channelId: z.string().optional(), responseUrl: z.string().optional() });
type DenyForm = z.infer<typeof denyFormSchema>;

/**
 * Opens the modal for a Deny click with the click's trigger_id; false when Slack would not open it,
 * and then the click denies without a reason: a deny is never held up by the form that would explain it.
 */
export async function openDenyModal(client: WebClient, body: BlockAction<ButtonAction>, requestId: string, logger: Logger): Promise<boolean> {
  const form: DenyForm = { requestId, channelId: body.channel?.id ?? body.container.channel_id, responseUrl: body.response_url };
  try {
    await client.views.open({ trigger_id: body.trigger_id, view: denyModal(form) });
    return true;
  } catch (error) {
    logger.warn('could not ask for a reason to deny; denying without one', { requestId, error });
    return false;
  }
}

/** The modal's submission denies the request, with the reason given, as the click would have. */
export function registerDenyView(app: App, twokey: Twokey, logger: Logger): void {
  app.view<ViewSubmitAction>(denyView, async ({ ack, body, view, client }) => {
    const form = denyFormSchema.parse(JSON.parse(view.private_metadata));
    const reason = (view.state.values[reasonBlock]?.[reasonAction]?.value ?? '').trim();
    const problem = reasonProblem(reason);
    if (problem) return ack({ response_action: 'errors', errors: { [reasonBlock]: problem } });
    await ack();
    await afterPendingAcks();
    if (form.channelId === undefined || form.responseUrl === undefined) {
      const click = { actionId: cardActions.deny, requestId: form.requestId, userId: body.user.id, deliveryId: body.trigger_id, reason };
      return handOff(clickFromHome(client, twokey, click, logger), logger);
    }
    handOff(
      twokey.click(
        cardActions.deny,
        form.requestId,
        { userId: body.user.id, channelId: form.channelId, deliveryId: body.trigger_id },
        slackReplies({ client, respond: respondTo(form.responseUrl), channelId: form.channelId, logger }),
        reason,
      ),
      logger,
    );
  });
}

function denyModal(form: DenyForm): types.ModalView {
  return {
    type: 'modal',
    callback_id: denyView,
    private_metadata: JSON.stringify(form),
    title: { type: 'plain_text', text: `Deny ${form.requestId}` },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Keep it open' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Nothing will run, and the request ends. Your reason goes to the card, its thread, the requester and the audit log.' } },
      {
        type: 'input',
        block_id: reasonBlock,
        optional: true,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: reasonAction, multiline: true, max_length: maxReasonLength },
      },
    ],
  };
}
