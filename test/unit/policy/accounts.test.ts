import type { AccountStanding } from '../../../src/model/ports';
import { cachedAccountLookup } from '../../../src/policy/accounts';
import { accountRefusal } from '../../../src/policy/access';

describe('accountRefusal', () => {
  test('an active full member may approve and deny', () => {
    expect(accountRefusal('active', 'approve')).toBeUndefined();
    expect(accountRefusal('active', 'deny')).toBeUndefined();
  });

  test.each([
    ['deactivated', 'account_deactivated', 'Your Slack account is deactivated'],
    ['bot', 'account_bot', 'Your Slack account is a bot'],
    ['guest', 'account_guest', 'Your Slack account is a guest account: guests cannot approve, deny or review twokey requests.'],
  ] as const)('a %s account is refused as %s', (standing, reason, message) => {
    expect(accountRefusal(standing, 'approve')).toEqual({ reason, message: expect.stringContaining(message) });
    expect(accountRefusal(standing, 'deny')).toEqual({ reason, message: expect.stringContaining(message) });
  });

  test('an account nobody could check is refused, never let through', () => {
    expect(accountRefusal(undefined, 'approve')).toEqual({
      reason: 'account_unverified',
      message: 'twokey could not check your Slack account, so your approval was not counted; try again in a moment.',
    });
    expect(accountRefusal(undefined, 'deny')?.message).toContain('so the request was not denied; try again');
  });
});

describe('cachedAccountLookup', () => {
  function setUp(answers: (AccountStanding | Error)[]) {
    let clock = 0;
    const asked: string[] = [];
    const lookup = cachedAccountLookup(
      async (userId) => {
        asked.push(userId);
        const answer = answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      { ttlMs: 60_000, now: () => clock },
    );
    return { lookup, asked, advance: (ms: number) => (clock += ms) };
  }

  test('keeps an answer for the TTL, per user, then asks again', async () => {
    const { lookup, asked, advance } = setUp(['active', 'guest', 'deactivated']);
    expect(await lookup('U0A')).toBe('active');
    expect(await lookup('U0B')).toBe('guest');
    advance(59_999);
    expect(await lookup('U0A')).toBe('active');
    expect(asked).toEqual(['U0A', 'U0B']);
    advance(1);
    expect(await lookup('U0A')).toBe('deactivated');
    expect(asked).toEqual(['U0A', 'U0B', 'U0A']);
  });

  test('never keeps a failure: the next call asks again', async () => {
    const { lookup, asked } = setUp([new Error('ratelimited'), 'active']);
    await expect(lookup('U0A')).rejects.toThrow('ratelimited');
    expect(await lookup('U0A')).toBe('active');
    expect(asked).toEqual(['U0A', 'U0A']);
  });
});
