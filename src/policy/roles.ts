import { redact } from '../lib/logger';
import { UnknownUsergroupError, type UsergroupMembersLookup } from '../model/ports';
import type { Policy } from './schema';

/** A user group that could not be looked up, and the roles it might have granted. */
export interface UnresolvedUsergroup {
  usergroup: string;
  roles: string[];
  error: string;
  /** Set when Slack does not know the group: the policy is wrong, and trying again will not help. */
  unknown?: true;
}

export interface ResolvedRoles {
  userId: string;
  /** Each role the user holds, with how: `'user'` (listed by ID) and/or the granting user-group IDs. */
  roles: Map<string, string[]>;
  /** Lookups that failed: they grant nothing, and decisions report them. */
  unresolved: UnresolvedUsergroup[];
}

export interface RoleResolverOptions {
  /** How long a user group's member list is trusted. */
  ttlMs: number;
  now?: () => number;
}

const MAX_ERROR_LENGTH = 200;

function shortError(error: unknown): string {
  const text = String(redact(error instanceof Error ? error.message : String(error)));
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function usergroupRolesOf(policy: Policy): Map<string, string[]> {
  const usergroupRoles = new Map<string, string[]>();
  for (const [role, definition] of Object.entries(policy.roles)) {
    for (const usergroup of definition.usergroups) {
      usergroupRoles.set(usergroup, [...(usergroupRoles.get(usergroup) ?? []), role]);
    }
  }
  return usergroupRoles;
}

/** Every user group the policy names, each once. */
export function policyUsergroups(policy: Policy): string[] {
  return [...usergroupRolesOf(policy).keys()];
}

/** Works out which roles a Slack user holds, by user ID and through user groups. */
export class RoleResolver {
  /** Each user group some role uses, with the roles it grants, in policy order. */
  private usergroupRoles: Map<string, string[]>;
  private readonly cache = new Map<string, { members: ReadonlySet<string>; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<ReadonlySet<string>>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private policy: Policy,
    private readonly listUsergroupMembers: UsergroupMembersLookup,
    options: RoleResolverOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    this.usergroupRoles = usergroupRolesOf(policy);
  }

  /** Resolves under `policy` from now on. Cached members stay: a group's members do not depend on the policy. */
  usePolicy(policy: Policy): void {
    this.policy = policy;
    this.usergroupRoles = usergroupRolesOf(policy);
  }

  async resolve(userId: string): Promise<ResolvedRoles> {
    const roles = new Map<string, string[]>();
    const grant = (role: string, how: string) => roles.set(role, [...(roles.get(role) ?? []), how]);

    for (const [role, definition] of Object.entries(this.policy.roles)) {
      if (definition.users.includes(userId)) grant(role, 'user');
    }

    const usergroups = [...this.usergroupRoles];
    const lookups = await Promise.allSettled(usergroups.map(([usergroup]) => this.members(usergroup)));
    const unresolved: UnresolvedUsergroup[] = [];
    lookups.forEach((lookup, index) => {
      const [usergroup, groupRoles] = usergroups[index];
      if (lookup.status === 'rejected') {
        const unknown = lookup.reason instanceof UnknownUsergroupError ? { unknown: true as const } : {};
        unresolved.push({ usergroup, roles: groupRoles, error: shortError(lookup.reason), ...unknown });
      } else if (lookup.value.has(userId)) {
        for (const role of groupRoles) grant(role, usergroup);
      }
    });
    return { userId, roles, unresolved };
  }

  /**
   * Who holds any of `roles`: the users listed by ID and their user groups, and the members of
   * those groups as far as they could be looked up, each once. A group whose lookup failed is
   * still among `usergroupIds`, so it can be mentioned.
   */
  async holders(roles: readonly string[]): Promise<{ userIds: string[]; usergroupIds: string[] }> {
    const definitions = roles.map((role) => this.policy.roles[role]).filter((definition) => definition !== undefined);
    const usergroupIds = [...new Set(definitions.flatMap((definition) => definition.usergroups))];
    const lookups = await Promise.allSettled(usergroupIds.map((usergroup) => this.members(usergroup)));
    const members = lookups.flatMap((lookup) => (lookup.status === 'fulfilled' ? [...lookup.value] : []));
    return { userIds: [...new Set([...definitions.flatMap((definition) => definition.users), ...members])], usergroupIds };
  }

  /** A group's members: cached for the TTL, one call in flight per group, failures never cached. */
  private members(usergroup: string): Promise<ReadonlySet<string>> {
    const cached = this.cache.get(usergroup);
    if (cached && this.now() < cached.expiresAt) return Promise.resolve(cached.members);

    let pending = this.inFlight.get(usergroup);
    if (!pending) {
      // Through a resolved promise, so that a lookup that throws synchronously is a rejection too.
      pending = Promise.resolve(usergroup)
        .then((id) => this.listUsergroupMembers(id))
        .then((list) => {
          const members = new Set(list);
          this.cache.set(usergroup, { members, expiresAt: this.now() + this.ttlMs });
          return members;
        })
        .finally(() => this.inFlight.delete(usergroup));
      this.inFlight.set(usergroup, pending);
    }
    return pending;
  }
}
