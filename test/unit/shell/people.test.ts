import { loadPolicy } from '../../../src/policy/load';
import { defaultUser, examplePolicyFile, introduction, sandboxPolicy, who } from '../../../src/shell/people';

const example = loadPolicy(examplePolicyFile);

describe('the people of the sandbox policy', () => {
  test("the default user is the example's on-call user", () => {
    expect(defaultUser(example)).toBe('U0123ABCD');
  });

  test('a user the example does not name is added to oncall; a named one keeps their roles', () => {
    const added = sandboxPolicy(example, 'U0NEWBIE1');
    expect(added.added).toBe(true);
    expect(added.policy.roles.oncall.users).toEqual(['U0123ABCD', 'U0NEWBIE1']);
    expect(example.roles.oncall.users).toEqual(['U0123ABCD']);
    expect(sandboxPolicy(example, 'U0456EFGH')).toEqual({ policy: example, added: false });
  });

  test('says who holds which role and whom to switch to for an approval', () => {
    expect(who(example, 'U0789IJKL')).toBe('U0789IJKL (admin)');
    expect(who(example, 'U0NOBODY1')).toBe('U0NOBODY1 (no role)');
    expect(introduction(example, 'U0123ABCD')).toEqual([
      'Users in the policy: U0123ABCD (oncall), U0456EFGH (approver), U0789IJKL (admin).',
      'You are U0123ABCD (oncall). U0456EFGH (approver) and U0789IJKL (admin) can approve: type `:as U0456EFGH` to act as U0456EFGH.',
    ]);
    expect(introduction(example, 'U0456EFGH')[1]).toBe(
      'You are U0456EFGH (approver). U0789IJKL (admin) can approve: type `:as U0789IJKL` to act as U0789IJKL.',
    );
  });
});
