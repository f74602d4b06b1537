import { accountStanding } from '../../../src/slack/users';

describe("a Slack user object's account standing", () => {
  test.each([
    [{}, 'active'],
    [{ is_admin: true, is_owner: true }, 'active'],
    [{ deleted: true }, 'deactivated'],
    [{ is_bot: true }, 'bot'],
    [{ is_restricted: true }, 'guest'],
    [{ is_restricted: true, is_ultra_restricted: true }, 'guest'],
    [{ is_ultra_restricted: true }, 'guest'],
    // Deactivation ends every other standing, a bot's or a guest's.
    [{ deleted: true, is_bot: true }, 'deactivated'],
    [{ deleted: true, is_restricted: true }, 'deactivated'],
  ])('%j is %s', (user, standing) => {
    expect(accountStanding({ id: 'U0SOMEONE1', ...user })).toBe(standing);
  });
});
