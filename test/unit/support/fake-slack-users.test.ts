/** The fake Slack's users.info, driven by a real WebClient, as twokey's account check calls it. */
import { slackError, startedFakeSlack } from './quiet';

const { fake, client } = startedFakeSlack({ users: { U0GUEST1: { is_restricted: true } } });

describe('users.info', () => {
  test('any well-formed user ID is an active full member unless configured otherwise', async () => {
    const { user } = await client().users.info({ user: 'U0ANYONE1' });
    expect(user).toMatchObject({ id: 'U0ANYONE1', deleted: false, is_bot: false, is_restricted: false, is_ultra_restricted: false });
    expect((await client().users.info({ user: 'U0GUEST1' })).user).toMatchObject({ is_restricted: true, is_ultra_restricted: false });
  });

  test("the app's own bot user is a bot; an ID no user could have is user_not_found", async () => {
    expect((await client().users.info({ user: fake.botUserId })).user).toMatchObject({ is_bot: true });
    expect((await slackError(client().users.info({ user: 'C0INCIDENT1' }))).error).toBe('user_not_found');
  });

  test('setUser changes an account until a reset brings back the options', async () => {
    fake.setUser('U0GUEST1', { deleted: true });
    fake.setUser('U0BOT1', { is_bot: true });
    expect((await client().users.info({ user: 'U0GUEST1' })).user).toMatchObject({ deleted: true, is_restricted: false });
    expect((await client().users.info({ user: 'U0BOT1' })).user).toMatchObject({ is_bot: true });
    fake.reset();
    expect((await client().users.info({ user: 'U0GUEST1' })).user).toMatchObject({ deleted: false, is_restricted: true });
    expect((await client().users.info({ user: 'U0BOT1' })).user).toMatchObject({ is_bot: false });
  });

  test('can be made to fail', async () => {
    fake.failMethod('users.info', { error: 'user_not_visible' }, { times: 1 });
    expect((await slackError(client().users.info({ user: 'U0ANYONE1' }))).error).toBe('user_not_visible');
    await expect(client().users.info({ user: 'U0ANYONE1' })).resolves.toMatchObject({ ok: true });
  });
});
