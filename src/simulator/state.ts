import { randomBytes, randomUUID } from 'node:crypto';
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

interface Parent {
  name?: string;
  children: Set<string>;
}

/** Parents (sites, VPN instances, organizations) each holding a set of child IDs. */
class Tree {
  private readonly parents = new Map<string, Parent>();

  add(id: string, name: string | undefined, children: readonly string[]): void {
    this.parents.set(id, { name, children: new Set(children) });
  }

  addChild(parentId: string, childId: string, what: string): void {
    const parent = this.parents.get(parentId);
    if (!parent) throw new Error(`no ${what} ${parentId} in the simulator`);
    parent.children.add(childId);
  }

  has(parentId: string): boolean {
    return this.parents.has(parentId);
  }

  hasChild(parentId: string, childId: string): boolean {
    return this.parents.get(parentId)?.children.has(childId) ?? false;
  }

  remove(parentId: string, childId: string): Removal {
    const parent = this.parents.get(parentId);
    if (!parent) return 'no_parent';
    return parent.children.delete(childId) ? 'removed' : 'no_child';
  }

  clear(): void {
    this.parents.clear();
  }

  entries(): Array<{ id: string; name?: string; children: string[] }> {
    return [...this.parents].map(([id, parent]) => ({ id, name: parent.name, children: [...parent.children] }));
  }
}

/** The vendors' data: what exists now, changed by the simulated calls. */
export class SimulatorState {
  private readonly sites = new Tree();
  private readonly vpnInstances = new Tree();
  private readonly organizations = new Tree();
  private readonly credentials = new Map<string, ApiCredential>();

  constructor(seed: SimulatorSeed = emptySeed) {
    this.load(seed);
  }

  /** Replaces everything with `seed`. */
  load(seed: SimulatorSeed): void {
    this.sites.clear();
    this.vpnInstances.clear();
    this.organizations.clear();
    this.credentials.clear();
    for (const site of seed.sites) this.addSite(site.id, site.sessions, site.name);
    for (const instance of seed.vpnInstances) this.addVpnInstance(instance.id, instance.peers, instance.name);
    for (const org of seed.organizations) this.addOrganization(org.id, org.grants, org.name);
  }

  /** The current data in seed form (without credentials), e.g. for `describeSeed`. */
  snapshot(): SimulatorSeed {
    return {
      sites: this.sites.entries().map(({ id, name, children }) => ({ id, name, sessions: children })),
      vpnInstances: this.vpnInstances.entries().map(({ id, name, children }) => ({ id, name, peers: children })),
      organizations: this.organizations.entries().map(({ id, name, children }) => ({ id, name, grants: children })),
    };
  }

  // Altostrat sites, their transient access sessions and API credential

  addSite(siteId: string, sessions: readonly string[] = [], name?: string): void {
    this.sites.add(siteId, name, sessions);
    this.credentials.set(siteId, newCredential(siteId, this.credentials.size));
  }

  addSession(siteId: string, accessId: string): void {
    this.sites.addChild(siteId, accessId, 'site');
  }

  hasSite(siteId: string): boolean {
    return this.sites.has(siteId);
  }

  hasSession(siteId: string, accessId: string): boolean {
    return this.sites.hasChild(siteId, accessId);
  }

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

  addVpnInstance(instanceId: string, peers: readonly string[] = [], name?: string): void {
    this.vpnInstances.add(instanceId, name, peers);
  }

  addPeer(instanceId: string, peerId: string): void {
    this.vpnInstances.addChild(instanceId, peerId, 'VPN instance');
  }

  hasVpnInstance(instanceId: string): boolean {
    return this.vpnInstances.has(instanceId);
  }

  hasPeer(instanceId: string, peerId: string): boolean {
    return this.vpnInstances.hasChild(instanceId, peerId);
  }

  deletePeer(instanceId: string, peerId: string): Removal {
    return this.vpnInstances.remove(instanceId, peerId);
  }

  // Aitronos organizations and their access grants

  addOrganization(organizationId: string, grants: readonly string[] = [], name?: string): void {
    this.organizations.add(organizationId, name, grants);
  }

  addGrant(organizationId: string, grantId: string): void {
    this.organizations.addChild(organizationId, grantId, 'organization');
  }

  hasOrganization(organizationId: string): boolean {
    return this.organizations.has(organizationId);
  }

  hasGrant(organizationId: string, grantId: string): boolean {
    return this.organizations.hasChild(organizationId, grantId);
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
