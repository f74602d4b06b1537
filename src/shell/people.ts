import path from 'node:path';
import type { Policy } from '../policy/schema';

/** The template policy that ships with twokey, found from the code rather than the working directory. */
export const examplePolicyFile = path.resolve(__dirname, '../../policy.example.yml');

/** The role the sandbox gives a chosen user who holds none, so that they can try every request. */
export const sandboxRole = 'oncall';

/** Slack user IDs, as the policy lists them. */
export const userIdPattern = /^[UW][A-Z0-9]+$/;

// In the shell, user groups have no members, so a user's roles are the ones that list them by ID.
function rolesOf(policy: Policy, userId: string): string[] {
  return Object.entries(policy.roles)
    .filter(([, role]) => role.users.includes(userId))
    .map(([name]) => name);
}

/** Every user the policy names, in the order it names them. */
function usersIn(policy: Policy): string[] {
  return [...new Set(Object.values(policy.roles).flatMap((role) => role.users))];
}

/** The example policy with `userId` added to the sandbox role, unless they already hold a role. */
export function sandboxPolicy(policy: Policy, userId: string): { policy: Policy; added: boolean } {
  const role = policy.roles[sandboxRole];
  if (rolesOf(policy, userId).length > 0 || !role) return { policy, added: false };
  return {
    policy: { ...policy, roles: { ...policy.roles, [sandboxRole]: { ...role, users: [...role.users, userId] } } },
    added: true,
  };
}

/** Who the shell acts as when not told: the first user of a role that may request something (the on-call user of the example). */
export function defaultUser(policy: Policy): string | undefined {
  const requesting = new Set(Object.values(policy.actions).flatMap((rule) => rule?.request ?? []));
  return Object.entries(policy.roles).find(([name, role]) => requesting.has(name) && role.users.length > 0)?.[1].users[0];
}

/** `U0123ABCD (oncall)`, or `(no role)`. */
export function who(policy: Policy, userId: string): string {
  const roles = rolesOf(policy, userId);
  return `${userId} (${roles.length ? roles.join(', ') : 'no role'})`;
}

/** Which roles each user holds, and who could approve a request by `userId`. */
export function introduction(policy: Policy, userId: string): string[] {
  const lines = [`Users in the policy: ${usersIn(policy).map((user) => who(policy, user)).join(', ')}.`];
  const approving = new Set(Object.values(policy.actions).flatMap((rule) => rule?.approve ?? []));
  const approvers = usersIn(policy).filter(
    (user) => user !== userId && rolesOf(policy, user).some((role) => approving.has(role)),
  );
  const you = `You are ${who(policy, userId)}.`;
  if (approvers.length === 0) return [...lines, `${you} Nobody else in the policy may approve requests.`];
  const named = approvers.map((user) => who(policy, user));
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
  return [...lines, `${you} ${list} can approve: type \`:as ${approvers[0]}\` to act as ${approvers[0]}.`];
}
