import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import { UnknownUsergroupError, type UsergroupMembersLookup } from '../model/ports';
import { slackErrorCode } from './replies';

// Slack's answer for a user-group ID it does not know.
const unknownUsergroup = 'no_such_subteam';

/**
 * A user group's members through `usergroups.users.list`. Every failure is logged with Slack's
 * error, for a failed lookup grants nothing and someone is refused meanwhile; a group Slack does
 * not know is a mistake in the policy, which the lookup rejects with an `UnknownUsergroupError`.
 */
export function slackUsergroupMembers(client: WebClient, logger: Logger): UsergroupMembersLookup {
  return async (usergroup) => {
    try {
      return (await client.usergroups.users.list({ usergroup })).users ?? [];
    } catch (error) {
      if (slackErrorCode(error) === unknownUsergroup) {
        logger.warn('a user group the policy names does not exist in Slack: fix the policy', { usergroup, error: unknownUsergroup });
        throw new UnknownUsergroupError(usergroup);
      }
      logger.warn('could not look up a user group', { usergroup, error: slackErrorCode(error) ?? error });
      throw error;
    }
  };
}
