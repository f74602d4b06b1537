import type { IdSlot } from './catalog';

/** The kinds of ID the policy's `aliases:` may name. */
export const aliasKinds = ['sites', 'instances', 'organizations'] as const;
export type AliasKind = (typeof aliasKinds)[number];

/** Short names for IDs, per kind: `aliases.sites.cpt-edge: d290f1ee-…`. */
export type Aliases = Readonly<Record<AliasKind, Readonly<Record<string, string>>>>;

export const noAliases: Aliases = { sites: {}, instances: {}, organizations: {} };

/** What each kind names, as messages call it. */
export const aliasNouns: Readonly<Record<AliasKind, string>> = { sites: 'site', instances: 'VPN instance', organizations: 'organization' };

// The slots a name may stand in, by their placeholder: a site is a site whether it is the parent
// of sessions or the target of a rotation.
const kindOfSlot: Readonly<Record<string, AliasKind>> = {
  siteId: 'sites',
  instanceId: 'instances',
  organizationId: 'organizations',
};

/** The kind of alias a slot accepts; none for targets that are never named (sessions, peers, grants). */
export function aliasKindOf(slot: IdSlot): AliasKind | undefined {
  return kindOfSlot[slot.placeholder];
}

/** The names a slot accepts, in the policy's order. */
export function aliasNames(aliases: Aliases, slot: IdSlot): string[] {
  const kind = aliasKindOf(slot);
  return kind ? Object.keys(aliases[kind]) : [];
}

/** The ID `word` names in `slot`, when it is one of its aliases; names are matched ignoring case. */
export function resolveAlias(aliases: Aliases, slot: IdSlot, word: string): string | undefined {
  const kind = aliasKindOf(slot);
  const name = word.toLowerCase();
  // Own keys only: `constructor` is a fine name, and no alias unless the policy gives it.
  return kind && Object.hasOwn(aliases[kind], name) ? aliases[kind][name] : undefined;
}

// The names a message lists at most: enough to jog a memory, short enough to read.
const maxNamesListed = 20;

/** Names as a message lists them: `cpt-edge`, `jnb-core` and 5 more. */
export function listNames(names: readonly string[]): string {
  const listed = names.slice(0, maxNamesListed).map((name) => `\`${name}\``).join(', ');
  return names.length > maxNamesListed ? `${listed} and ${names.length - maxNamesListed} more` : listed;
}

/** The name to show beside an ID in a slot; none when it has no alias. */
export type IdNamer = (slot: IdSlot, id: string) => string | undefined;

export const unnamed: IdNamer = () => undefined;

/** Names IDs by the policy's aliases; an ID with two names goes by the first. */
export function aliasNamer(aliases: Aliases): IdNamer {
  return (slot, id) => {
    const kind = aliasKindOf(slot);
    return kind ? Object.keys(aliases[kind]).find((name) => aliases[kind][name] === id) : undefined;
  };
}
