import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The items the list endpoints answer with, as `../shared/vendors/lists.md` documents them, and how
 * a seed's bare ID or partial item becomes a whole one. Secret fields get values that say what they
 * are (`pw-…`, `tok-…`), so that a test can look for them wherever they must never appear.
 */

export const sessionTypes = ['winbox', 'ssh'] as const;
export const peerTypes = ['client', 'site'] as const;
export const entityTypes = ['knowledge_slice', 'vector_store', 'assistant'] as const;
export const granteeTypes = ['user', 'department', 'role'] as const;

/** An Altostrat transient access session, secrets included; `time_to_expire` is worked out when listed. */
export interface Session {
  id: string;
  type: (typeof sessionTypes)[number];
  port: number;
  entry_point: string;
  full_access: boolean;
  allow_rfc1918: boolean;
  allow_only_cidr?: string;
  expires_at: string;
  /** Set for a session that ended early; one whose `expires_at` has passed is listed as expired too. */
  expired: boolean;
  revoked_early: boolean;
  username: string;
  password: string;
  onclick: string;
}

/** A peer of an Altostrat managed VPN instance, its config token included. */
export interface Peer {
  id: string;
  type: (typeof peerTypes)[number];
  user_id: string | null;
  site_id: string | null;
  subnets: readonly string[];
  route_all: boolean;
  protocol: 'wireguard' | 'openvpn';
  connected: boolean;
  connected_from: string | null;
  created_at: string;
  token: string;
  token_ttl: number;
}

/** An Aitronos access grant. */
export interface Grant {
  id: string;
  entity_type: (typeof entityTypes)[number];
  entity_id: string;
  grantee_type: (typeof granteeTypes)[number];
  grantee_id: string;
  created_at: string;
}

const sessionSecrets = ['username', 'password', 'onclick'] as const;
const peerSecrets = ['token', 'token_ttl'] as const;

/** What a seed may say about an item: its ID and any public field; the rest is made up. */
export type SessionSeed = Pick<Session, 'id'> & Partial<Omit<Session, 'id' | (typeof sessionSecrets)[number]>>;
export type PeerSeed = Pick<Peer, 'id'> & Partial<Omit<Peer, 'id' | (typeof peerSecrets)[number]>>;
export type GrantSeed = Pick<Grant, 'id'> & Partial<Omit<Grant, 'id'>>;

/** A seed item: a bare ID, or an item with some of its fields. */
export type Seeded<Item extends { id: string }> = string | Item;

export function idOf(item: Seeded<{ id: string }>): string {
  return typeof item === 'string' ? item : item.id;
}

const MINUTE = 60_000;

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function minutesFromNow(minutes: number): string {
  return new Date(Date.now() + minutes * MINUTE).toISOString();
}

export function newSession(seed: Seeded<SessionSeed>): Session {
  const given: SessionSeed = typeof seed === 'string' ? { id: seed } : seed;
  const type = given.type ?? 'winbox';
  // A session revoked early has ended.
  const expired = given.expired ?? given.revoked_early ?? false;
  const session = {
    type,
    port: type === 'ssh' ? 2222 : 8291,
    entry_point: 'mgmt-sim-1.altostrat.test',
    full_access: false,
    allow_rfc1918: false,
    expires_at: minutesFromNow(expired ? -10 : 60),
    revoked_early: false,
    ...given,
    expired,
  };
  const username = `user-${hex(4)}`;
  const password = `pw-${hex(12)}`;
  const onclick = `winbox://${username}:${password}@${session.entry_point}:${session.port}`;
  return { ...session, username, password, onclick };
}

export function newPeer(seed: Seeded<PeerSeed>, index: number): Peer {
  const given: PeerSeed = typeof seed === 'string' ? { id: seed } : seed;
  const type = given.type ?? 'client';
  const connected = given.connected ?? false;
  return {
    type,
    user_id: type === 'client' ? randomUUID() : null,
    site_id: type === 'site' ? randomUUID() : null,
    subnets: type === 'site' ? [`10.${20 + (index % 200)}.0.0/24`] : [],
    route_all: false,
    protocol: 'wireguard',
    connected_from: connected ? `203.0.113.${(index % 250) + 1}` : null,
    created_at: minutesFromNow(-24 * 60),
    ...given,
    connected,
    token: `tok-${hex(16)}`,
    token_ttl: 300,
  };
}

export function newGrant(seed: Seeded<GrantSeed>): Grant {
  const given: GrantSeed = typeof seed === 'string' ? { id: seed } : seed;
  return {
    entity_type: 'knowledge_slice',
    entity_id: `ks_${hex(6)}`,
    grantee_type: 'user',
    grantee_id: `usr_${hex(6)}`,
    created_at: new Date().toISOString(),
    ...given,
  };
}

/** "15 minutes from now", "3 minutes ago": the human text Altostrat sends beside `expires_at`. */
function timeToExpire(expiresAt: string, now: number): string {
  const minutes = Math.round((Date.parse(expiresAt) - now) / MINUTE);
  const amount = `${Math.abs(minutes)} minute${Math.abs(minutes) === 1 ? '' : 's'}`;
  return minutes >= 0 ? `${amount} from now` : `${amount} ago`;
}

/** A session as the list endpoint answers with it, at `now`. */
export function listedSession(session: Session, now: number = Date.now()) {
  return {
    ...session,
    expired: session.expired || Date.parse(session.expires_at) <= now,
    time_to_expire: timeToExpire(session.expires_at, now),
  };
}

function omit<Item extends object, Key extends keyof Item>(item: Item, keys: readonly Key[]): Omit<Item, Key> {
  const copy = { ...item };
  for (const key of keys) delete copy[key];
  return copy;
}

/** The seed form of a session: everything but its secrets. */
export function sessionSeedOf(session: Session): SessionSeed {
  return omit(session, sessionSecrets);
}

export function peerSeedOf(peer: Peer): PeerSeed {
  return omit(peer, peerSecrets);
}

/** Every secret value an item holds, for tests that look for leaks. */
export function secretsOf(item: Session | Peer): string[] {
  return 'token' in item ? [item.token] : sessionSecrets.map((key) => item[key]);
}
