import type { App, types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { formatDistance } from 'date-fns/formatDistance';
import type { Logger } from '../lib/logger';
import { breakGlassLine } from '../messages/break-glass';
import { approvalsLine, askLine, cardActions } from '../messages/card';
import { code, escapeText, truncate } from '../messages/format';
import { auditEntryLine } from '../messages/umbrella';
import type { RequestRecord } from '../model/request';
import type { Twokey } from '../requests/core';
import type { Home } from '../requests/home';
import { blockKitLimits } from './blocks';
import { directReplies } from './replies';

// A home view holds at most 100 blocks; these caps keep the whole view, notes included, well under it.
const maxWaiting = 20;
const maxOwn = 20;
const maxToReview = 5;

/** The App Home tab (PRODUCT.md §10): published when its user opens it, and again after they act from it. */
export function registerHome(app: App, twokey: Twokey, logger: Logger): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, twokey, event.user, logger);
  });
}

/** Draws `userId`'s home as it stands now; a failure is logged, never thrown: the home is a view, nothing depends on it. */
export async function publishHome(client: WebClient, twokey: Twokey, userId: string, logger: Logger): Promise<void> {
  try {
    const home = await twokey.home(userId);
    await client.views.publish({ user_id: userId, view: homeView(home) });
  } catch (error) {
    logger.warn('could not publish the App Home', { userId, error });
  }
}

/** A button pressed in the App Home (`deliveryId` is the click's trigger_id; a Deny's modal adds the reason). */
export interface HomeClick {
  actionId: string;
  requestId: string;
  userId: string;
  deliveryId: string;
  reason?: string;
}

/**
 * Handles a click from the App Home: it acts on the request itself (there is no channel to check,
 * PRODUCT.md §8), answers by direct message (there is no response_url), then redraws the home.
 */
export async function clickFromHome(client: WebClient, twokey: Twokey, click: HomeClick, logger: Logger): Promise<void> {
  const { actionId, requestId, userId, deliveryId, reason } = click;
  await twokey.click(actionId, requestId, { userId, deliveryId }, directReplies(client, userId), reason);
  await publishHome(client, twokey, userId, logger);
}

/**
 * The card's action_id for a Home button, made unique by the request's ID: Slack refuses a view
 * that repeats an action_id, and a Home lists several requests. `cardActionPattern` matches both.
 */
function homeActionId(actionId: string, requestId: string): string {
  return `${actionId}.${requestId}`;
}

/** Matches a card button's action_id, on the card itself or in the App Home. */
export function cardActionPattern(actionId: string): RegExp {
  return new RegExp(`^${actionId}(\\.|$)`);
}

/** Whether a click came from a view rather than a message: the App Home's buttons have no channel and no response_url. */
export function clickedInView(body: { container?: { type?: string } }): boolean {
  return body.container?.type === 'view';
}

export function homeView(home: Home): types.HomeView {
  const now = home.at;
  return {
    type: 'home',
    blocks: [
      // Shown only when there are some: most days there are none, and the home stays about approvals.
      ...(home.toReview.length > 0
        ? [
            header(`🚨 Break-glass uses to review (${home.toReview.length})`),
            ...listed(
              home.toReview,
              maxToReview,
              (request) => [
                section(`${code(request.id)} in <#${request.channelId}>: ${breakGlassLine(request)}\nReason: ${escapeText(request.reason)}`),
                { type: 'actions', elements: [button(cardActions.review, 'Review', request.id, 'primary')] },
              ],
              '',
              '`/twokey audit` lists them all.',
            ),
            { type: 'divider' } as const,
          ]
        : []),
      header(`Waiting for your approval (${home.waiting.length})`),
      ...listed(
        home.waiting,
        maxWaiting,
        (request) => [
          section(requestText(request, now)),
          {
            type: 'actions',
            elements: [
              button(cardActions.approve, 'Approve', request.id, 'primary'),
              button(cardActions.deny, 'Deny', request.id, 'danger'),
            ],
          },
        ],
        'Nothing waits for your approval.',
      ),
      { type: 'divider' },
      header(`Your open requests (${home.own.length})`),
      ...listed(
        home.own,
        maxOwn,
        (request) => {
          const text = section(requestText(request, now));
          return [request.status === 'pending' ? { ...text, accessory: button(cardActions.cancel, 'Cancel', request.id) } : text];
        },
        'You have no open requests.',
      ),
      { type: 'divider' },
      header('Recent audit entries'),
      note(
        home.audit.scope === 'everywhere'
          ? 'The newest entries of the whole audit log, newest first (you are an admin).'
          : 'The newest entries of what you did, newest first: only admins see everyone’s.',
      ),
      ...(home.audit.entries.length > 0 ? home.audit.entries.map((entry) => section(auditEntryLine(entry))) : [note('No audit entries yet.')]),
    ],
  };
}

/** Up to `max` items as blocks, then how many more there are; or the empty state. */
function listed(
  items: readonly RequestRecord[],
  max: number,
  blocks: (item: RequestRecord) => types.KnownBlock[],
  empty: string,
  elsewhere = "`/twokey pending` lists a channel's open requests.",
): types.KnownBlock[] {
  if (items.length === 0) return [note(empty)];
  const shown = items.slice(0, max).flatMap(blocks);
  return items.length > max ? [...shown, note(`${items.length - max} more not shown: ${elsewhere}`)] : shown;
}

function requestText(request: RequestRecord, now: Date): string {
  const lines = [`${code(request.id)} in <#${request.channelId}>: ${askLine(request)}`];
  if (request.reason) lines.push(`Reason: ${escapeText(request.reason)}`);
  const state = request.status === 'pending' ? `expires ${formatDistance(request.expiresAt, now, { addSuffix: true })}` : request.status;
  lines.push(`Approvals: ${approvalsLine(request)} · ${state}`);
  return lines.join('\n');
}

function header(text: string): types.HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, blockKitLimits.headerText) } };
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, blockKitLimits.sectionText) } };
}

function note(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function button(actionId: string, text: string, requestId: string, style?: 'primary' | 'danger'): types.Button {
  return { type: 'button', action_id: homeActionId(actionId, requestId), text: { type: 'plain_text', text }, value: requestId, ...(style ? { style } : {}) };
}
