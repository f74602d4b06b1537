import { resolve } from 'node:path';
import { loadPolicy, parsePolicy, type Policy, PolicyError, type ResolvedRoles, type UnresolvedUsergroup } from '../../../src/policy';

/** The policy shipped as policy.example.yml (PRODUCT.md §2). */
export function examplePolicy(): Policy {
  return loadPolicy(resolve(__dirname, '../../../policy.example.yml'));
}

/** Every problem a policy's text is refused with; throws when it is accepted. */
export function policyProblems(text: string): string[] {
  try {
    parsePolicy(text, 'policy.yml');
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

/** Resolved roles as the RoleResolver returns them: each role granted by user ID unless told how. */
export function who(
  userId: string,
  roles: Record<string, string[]> | string[] = [],
  unresolved: UnresolvedUsergroup[] = [],
): ResolvedRoles {
  const granted = Array.isArray(roles) ? Object.fromEntries(roles.map((role) => [role, ['user']])) : roles;
  return { userId, roles: new Map(Object.entries(granted)), unresolved };
}

/** The roles of the tests of one action's rule (two on-call engineers, an approver, a lead), up to `actions:`. */
export const ruleTestRoles = `roles:
  oncall: { users: [U0ONCALL1, U0ONCALL2] }
  approver: { users: [U0APPROVE1] }
  lead: { users: [U0LEAD1] }
actions:
`;

/** Every problem a policy with `ruleTestRoles` and these `actions` is refused with. */
export function actionProblems(actions: string): string[] {
  return policyProblems(`${ruleTestRoles}${actions}`);
}
