import { randomBytes, randomUUID } from 'node:crypto';
import {
  newGrant,
  newPeer,
  newSession,
  peerSeedOf,
  secretsOf,
  sessionSeedOf,
  type Grant,
  type GrantSeed,
  type Peer,
  type PeerSeed,
  type Seeded,
  type Session,
  type SessionSeed,
} from './records';
import { emptySeed, type SimulatorSeed } from './seed';

/** Altostrat's ApiCredential, as `POST /control-plane/{siteId}/credentials` returns it. */
export interface ApiCredential {
  id: string;
  site_id: string;
  username: string;
  password: string;
  ip_address: string;
  api_port: number;
  server_ip: string;
  created_at: string;
  updated_at: string;
}

/** Result of deleting a child: done, or which of the two IDs does not exist. */
export type Removal = 'removed' | 'no_parent' | 'no_child';

interface Parent<Child> {
  name?: string;
  children: Map<string, Child>;
}

/** Parents (sites, VPN instances, organizations) each holding its children by ID, in the order they came. */
class Tree<Child extends { id: string }> {
  private readonly parents = new Map<string, Parent<Child>>();

  constructor(private readonly what: string) {}

  add(id: string, name: string | undefined, children: readonly Child[]): void {
    this.parents.set(id, { name, children: new Map(children.map((child) => [child.id, child])) });
  }

  addChild(parentId: string, child: Child): Child {
    const parent = this.parents.get(parentId);
    if (!parent) throw new Error(`no ${this.what} ${parentId} in the simulator`);
    parent.children.set(child.id, child);
    return child;
  }

  has(parentId: string): boolean {
    return this.parents.has(parentId);
  }

  hasChild(parentId: string, childId: string): boolean {
    return this.parents.get(parentId)?.children.has(childId) ?? false;
  }

  /** Copies of the parent's children, or undefined when there is no such parent. */
  children(parentId: string): Child[] | undefined {
    const parent = this.parents.get(parentId);
    return parent && [...parent.children.values()].map((child) => ({ ...child }));
  }

  remove(parentId: string, childId: string): Removal {
    const parent = this.parents.get(parentId);
    if (!parent) return 'no_parent';
    return parent.children.delete(childId) ? 'removed' : 'no_child';
  }

  clear(): void {
    this.parents.clear();
  }

  entries(): Array<{ id: string; name?: string; children: Child[] }> {
    return [...this.parents].map(([id, parent]) => ({ id, name: parent.name, children: [...parent.children.values()] }));
  }
}

/** The vendors' data: what exists now, changed by the simulated calls. */
export class SimulatorState {
  private readonly sites = new Tree<Session>('site');
  private readonly vpnInstances = new Tree<Peer>('VPN instance');
  private readonly organizations = new Tree<Grant>('organization');
  private readonly credentials = new Map<string, ApiCredential>();
  private peersMade = 0;

  constructor(seed: SimulatorSeed = emptySeed) {
    this.load(seed);
  }

  /** Replaces everything with `seed`. */
  load(seed: SimulatorSeed): void {
    this.sites.clear();
    this.vpnInstances.clear();
    this.organizations.clear();
    this.credentials.clear();
    this.peersMade = 0;
    for (const site of seed.sites) this.addSite(site.id, site.sessions, site.name);
    for (const instance of seed.vpnInstances) this.addVpnInstance(instance.id, instance.peers, instance.name);
    for (const org of seed.organizations) this.addOrganization(org.id, org.grants, org.name);
  }

  /** The current data in seed form, every field but the secrets (and without credentials), e.g. for `GET /__simulator/state`. */
  snapshot(): SimulatorSeed {
    return {
      sites: this.sites.entries().map(({ id, name, children }) => ({ id, name, sessions: children.map(sessionSeedOf) })),
      vpnInstances: this.vpnInstances
        .entries()
        .map(({ id, name, children }) => ({ id, name, peers: children.map(peerSeedOf) })),
      organizations: this.organizations
        .entries()
        .map(({ id, name, children }) => ({ id, name, grants: children.map((grant) => ({ ...grant })) })),
    };
  }

  /** Every secret value the listed items hold now (sessions' username, password and onclick, peers' token). */
  secrets(): string[] {
    const items: Array<Session | Peer> = [
      ...this.sites.entries().flatMap(({ children }) => children),
      ...this.vpnInstances.entries().flatMap(({ children }) => children),
    ];
    return items.flatMap(secretsOf);
  }

  // Altostrat sites, their transient access sessions and API credential

  addSite(siteId: string, sessions: ReadonlyArray<Seeded<SessionSeed>> = [], name?: string): void {
    this.sites.add(siteId, name, sessions.map(newSession));
    this.credentials.set(siteId, newCredential(siteId, this.credentials.size));
  }

  /** Adds a session, made whole from a bare ID or some of its fields; returns it, secrets included. */
  addSession(siteId: string, session: Seeded<SessionSeed>): Session {
    return { ...this.sites.addChild(siteId, newSession(session)) };
  }

  hasSite(siteId: string): boolean {
    return this.sites.has(siteId);
  }

  hasSession(siteId: string, accessId: string): boolean {
    return this.sites.hasChild(siteId, accessId);
  }

  /** The site's sessions, expired ones included, or undefined when there is no such site. */
  sessionsOf(siteId: string): Session[] | undefined {
    return this.sites.children(siteId);
  }

  /** A revoked session is gone: Altostrat answers a second revocation with a 404. */
  revokeSession(siteId: string, accessId: string): Removal {
    return this.sites.remove(siteId, accessId);
  }

  credentialOf(siteId: string): ApiCredential | undefined {
    return this.credentials.get(siteId);
  }

  /** A new credential (new ID and password) replacing the site's current one. */
  rotateCredential(siteId: string): ApiCredential | undefined {
    const current = this.credentials.get(siteId);
    if (!current) return undefined;
    const next = { ...newCredential(siteId, 0), ip_address: current.ip_address, server_ip: current.server_ip };
    this.credentials.set(siteId, next);
    return next;
  }

  // Altostrat managed VPN instances and their peers

  addVpnInstance(instanceId: string, peers: ReadonlyArray<Seeded<PeerSeed>> = [], name?: string): void {
    this.vpnInstances.add(instanceId, name, peers.map((peer) => this.newPeer(peer)));
  }

  /** Adds a peer, made whole from a bare ID or some of its fields; returns it, token included. */
  addPeer(instanceId: string, peer: Seeded<PeerSeed>): Peer {
    return { ...this.vpnInstances.addChild(instanceId, this.newPeer(peer)) };
  }

  hasVpnInstance(instanceId: string): boolean {
    return this.vpnInstances.has(instanceId);
  }

  hasPeer(instanceId: string, peerId: string): boolean {
    return this.vpnInstances.hasChild(instanceId, peerId);
  }

  /** The instance's peers, or undefined when there is no such instance. */
  peersOf(instanceId: string): Peer[] | undefined {
    return this.vpnInstances.children(instanceId);
  }

  deletePeer(instanceId: string, peerId: string): Removal {
    return this.vpnInstances.remove(instanceId, peerId);
  }

  private newPeer(peer: Seeded<PeerSeed>): Peer {
    return newPeer(peer, this.peersMade++);
  }

  // Aitronos organizations and their access grants

  addOrganization(organizationId: string, grants: ReadonlyArray<Seeded<GrantSeed>> = [], name?: string): void {
    this.organizations.add(organizationId, name, grants.map(newGrant));
  }

  addGrant(organizationId: string, grant: Seeded<GrantSeed>): Grant {
    return { ...this.organizations.addChild(organizationId, newGrant(grant)) };
  }

  hasOrganization(organizationId: string): boolean {
    return this.organizations.has(organizationId);
  }

  hasGrant(organizationId: string, grantId: string): boolean {
    return this.organizations.hasChild(organizationId, grantId);
  }

  /** The organization's grants, oldest first, or undefined when there is no such organization. */
  grantsOf(organizationId: string): Grant[] | undefined {
    return this.organizations.children(organizationId);
  }

  revokeGrant(organizationId: string, grantId: string): Removal {
    return this.organizations.remove(organizationId, grantId);
  }
}

function newCredential(siteId: string, index: number): ApiCredential {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    site_id: siteId,
    username: 'altostrat-api',
    password: randomBytes(18).toString('base64url'),
    // An address in the shared range the management tunnels use, one per site.
    ip_address: `100.64.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`,
    api_port: 8728,
    server_ip: 'edge-sim-1.altostrat.test',
    created_at: now,
    updated_at: now,
  };
}
