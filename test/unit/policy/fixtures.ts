import { resolve } from 'node:path';
import { loadPolicy, type Policy, type ResolvedRoles, type UnresolvedUsergroup } from '../../../src/policy';

/** The policy shipped as policy.example.yml (PRODUCT.md §2). */
export function examplePolicy(): Policy {
  return loadPolicy(resolve(__dirname, '../../../policy.example.yml'));
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
