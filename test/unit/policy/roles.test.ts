import { UnknownUsergroupError, type UsergroupMembersLookup } from '../../../src/model/ports';
import { parsePolicy, RoleResolver, type Policy } from '../../../src/policy';

const policy: Policy = parsePolicy(
  `roles:
  oncall:
    users: [U0DIRECT1]
    usergroups: [S0ONCALL1, S0SRE1]
  approver:
    users: [U0APPROVE1]
    usergroups: [S0SRE1]
  admin:
    users: [U0DIRECT1]
actions: {}
`,
  'test policy',
);

const members: Readonly<Record<string, readonly string[]>> = {
  S0ONCALL1: ['U0ONCALL1', 'U0BOTH1'],
  S0SRE1: ['U0SRE1', 'U0BOTH1'],
};

const TTL = 60_000;

function setup(lookup: UsergroupMembersLookup = async (usergroup) => [...(members[usergroup] ?? [])]) {
  let time = 1_000_000;
  const listUsergroupMembers = jest.fn(lookup);
  const resolver = new RoleResolver(policy, listUsergroupMembers, { ttlMs: TTL, now: () => time });
  return {
    resolver,
    listUsergroupMembers,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('RoleResolver', () => {
  it('grants roles that list the user ID directly', async () => {
    const { resolver } = setup();
    const resolved = await resolver.resolve('U0DIRECT1');
    expect(resolved).toEqual({
      userId: 'U0DIRECT1',
      roles: new Map([
        ['oncall', ['user']],
        ['admin', ['user']],
      ]),
      unresolved: [],
    });
  });

  it('grants roles through user groups, naming each granting group', async () => {
    const { resolver } = setup();
    expect((await resolver.resolve('U0ONCALL1')).roles).toEqual(new Map([['oncall', ['S0ONCALL1']]]));
    expect((await resolver.resolve('U0BOTH1')).roles).toEqual(
      new Map([
        ['oncall', ['S0ONCALL1', 'S0SRE1']],
        ['approver', ['S0SRE1']],
      ]),
    );
  });

  it('gives a user no role anywhere a role does not list them', async () => {
    const { resolver } = setup();
    expect(await resolver.resolve('U0STRANGER')).toEqual({ userId: 'U0STRANGER', roles: new Map(), unresolved: [] });
  });

  it('looks up only the user groups that roles use, each once', async () => {
    const { resolver, listUsergroupMembers } = setup();
    await resolver.resolve('U0SRE1');
    expect(listUsergroupMembers.mock.calls.map(([group]) => group).sort()).toEqual(['S0ONCALL1', 'S0SRE1']);
  });

  it('looks up no user group when no role uses one', async () => {
    const listUsergroupMembers = jest.fn(async () => []);
    const resolver = new RoleResolver(
      parsePolicy('roles:\n  admin: { users: [U0ADMIN1] }\nactions: {}\n', 'p'),
      listUsergroupMembers,
      { ttlMs: TTL },
    );
    expect((await resolver.resolve('U0ADMIN1')).roles).toEqual(new Map([['admin', ['user']]]));
    expect(listUsergroupMembers).not.toHaveBeenCalled();
  });

  it('serves member lists from the cache within the TTL and looks them up again after it', async () => {
    const current: Record<string, string[]> = { S0ONCALL1: [], S0SRE1: [] };
    const { resolver, listUsergroupMembers, advance } = setup(async (usergroup) => [...current[usergroup]]);
    expect((await resolver.resolve('U0NEWCOMER')).roles).toEqual(new Map());
    expect(listUsergroupMembers).toHaveBeenCalledTimes(2);

    current.S0ONCALL1.push('U0NEWCOMER');
    advance(TTL - 1);
    expect((await resolver.resolve('U0NEWCOMER')).roles).toEqual(new Map());
    expect(listUsergroupMembers).toHaveBeenCalledTimes(2);

    advance(1);
    expect((await resolver.resolve('U0NEWCOMER')).roles).toEqual(new Map([['oncall', ['S0ONCALL1']]]));
    expect(listUsergroupMembers).toHaveBeenCalledTimes(4);
  });

  it('shares one in-flight lookup of a group between concurrent resolutions', async () => {
    const pending = new Map<string, ReturnType<typeof deferred<string[]>>>();
    const { resolver, listUsergroupMembers } = setup((usergroup) => {
      const call = deferred<string[]>();
      pending.set(usergroup, call);
      return call.promise;
    });
    const first = resolver.resolve('U0ONCALL1');
    const second = resolver.resolve('U0SRE1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(listUsergroupMembers).toHaveBeenCalledTimes(2);

    for (const [usergroup, call] of pending) call.resolve([...members[usergroup]]);
    expect((await first).roles).toEqual(new Map([['oncall', ['S0ONCALL1']]]));
    expect((await second).roles).toEqual(
      new Map([
        ['oncall', ['S0SRE1']],
        ['approver', ['S0SRE1']],
      ]),
    );
    expect(listUsergroupMembers).toHaveBeenCalledTimes(2);
  });

  it('never grants through a group whose lookup failed, and reports it with the roles at stake', async () => {
    const { resolver } = setup(async (usergroup) => {
      if (usergroup === 'S0SRE1') throw new Error('An API error occurred: missing_scope');
      return [...members[usergroup]];
    });
    expect(await resolver.resolve('U0BOTH1')).toEqual({
      userId: 'U0BOTH1',
      roles: new Map([['oncall', ['S0ONCALL1']]]),
      unresolved: [
        { usergroup: 'S0SRE1', roles: ['oncall', 'approver'], error: 'An API error occurred: missing_scope' },
      ],
    });
  });

  it('reports a lookup that throws synchronously like one that rejects', async () => {
    const { resolver } = setup(() => {
      throw new Error('not connected');
    });
    const resolved = await resolver.resolve('U0DIRECT1');
    expect(resolved.roles).toEqual(
      new Map([
        ['oncall', ['user']],
        ['admin', ['user']],
      ]),
    );
    expect(resolved.unresolved.map((group) => [group.usergroup, group.error])).toEqual([
      ['S0ONCALL1', 'not connected'],
      ['S0SRE1', 'not connected'],
    ]);
  });

  it('keeps tokens and long text out of the reported error', async () => {
    const { resolver } = setup(async () => {
      throw new Error(`request with xoxb-1234-5678-abcdef failed: ${'x'.repeat(500)}`);
    });
    const [unresolved] = (await resolver.resolve('U0SRE1')).unresolved;
    expect(unresolved.error).not.toContain('xoxb-1234');
    expect(unresolved.error.startsWith('request with [redacted] failed: ')).toBe(true);
    expect(unresolved.error.length).toBeLessThanOrEqual(200);
  });

  it('does not cache a failed lookup: the next resolution asks again', async () => {
    let fail = true;
    const { resolver, listUsergroupMembers } = setup(async (usergroup) => {
      if (fail) throw new Error('ratelimited');
      return [...members[usergroup]];
    });
    expect((await resolver.resolve('U0ONCALL1')).unresolved).toHaveLength(2);
    fail = false;
    const resolved = await resolver.resolve('U0ONCALL1');
    expect(resolved.roles).toEqual(new Map([['oncall', ['S0ONCALL1']]]));
    expect(resolved.unresolved).toEqual([]);
    expect(listUsergroupMembers).toHaveBeenCalledTimes(4);
  });

  it('marks a group Slack does not know apart from a lookup that failed', async () => {
    const { resolver } = setup(async (usergroup) => {
      if (usergroup === 'S0SRE1') throw new UnknownUsergroupError(usergroup);
      throw new Error('An API error occurred: ratelimited');
    });
    const { unresolved } = await resolver.resolve('U0SRE1');
    expect(unresolved).toEqual([
      { usergroup: 'S0ONCALL1', roles: ['oncall'], error: 'An API error occurred: ratelimited' },
      {
        usergroup: 'S0SRE1',
        roles: ['oncall', 'approver'],
        error: 'the user group S0SRE1 named in the policy does not exist in Slack',
        unknown: true,
      },
    ]);
  });
});
