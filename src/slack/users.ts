import type { UsersInfoResponse, WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { AccountLookup, AccountStanding } from '../model/ports';
import { slackErrorCode } from './replies';

/** Where a Slack user object says its account stands; deactivation is said first, for it ends every other standing. */
export function accountStanding(user: NonNullable<UsersInfoResponse['user']>): AccountStanding {
  if (user.deleted) return 'deactivated';
  if (user.is_bot) return 'bot';
  // Restricted: a multi-channel guest; ultra restricted: a single-channel guest.
  if (user.is_restricted || user.is_ultra_restricted) return 'guest';
  return 'active';
}

/**
 * A user's account standing through `users.info` (scope `users:read`). A failure is logged with
 * Slack's error and rejected: the caller refuses meanwhile, for an account nobody could check is
 * never taken for an active one.
 */
export function slackAccountLookup(client: WebClient, logger: Logger): AccountLookup {
  return async (userId) => {
    try {
      const { user } = await client.users.info({ user: userId });
      if (!user) throw new Error('users.info answered without a user');
      return accountStanding(user);
    } catch (error) {
      logger.warn('could not look up a Slack account', { userId, error: slackErrorCode(error) ?? error });
      throw error;
    }
  };
}
