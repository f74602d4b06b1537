import { idOf, type GrantSeed, type PeerSeed, type Seeded, type SessionSeed } from './records';

/**
 * What the simulated vendors hold at start and after a reset. An item is a bare ID, made whole
 * with defaults (an active Winbox session, a client peer, a user's grant on a knowledge slice),
 * or an object giving some of its fields: `{ id, type: 'ssh', expired: true }`.
 */
export interface SimulatorSeed {
  sites: ReadonlyArray<{ id: string; name?: string; sessions: ReadonlyArray<Seeded<SessionSeed>> }>;
  vpnInstances: ReadonlyArray<{ id: string; name?: string; peers: ReadonlyArray<Seeded<PeerSeed>> }>;
  organizations: ReadonlyArray<{ id: string; name?: string; grants: ReadonlyArray<Seeded<GrantSeed>> }>;
}

export const emptySeed: SimulatorSeed = { sites: [], vpnInstances: [], organizations: [] };

/** Example data with fixed IDs, so demos and docs can name them: the first item of each list is a bare ID. */
export const demoSeed = {
  sites: [
    {
      id: 'd290f1ee-6c54-4b01-90e6-d701748f0851',
      name: 'Cape Town edge',
      sessions: [
        'f0e9d8c7-b6a5-4f3e-8d1c-0b9a8e7f6d5c',
        { id: '3b241101-e2bb-4255-8caf-4136c566a962', type: 'ssh', allow_only_cidr: '198.51.100.0/24' },
        { id: 'c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d', type: 'winbox', expired: true },
      ],
    },
    {
      id: '6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80',
      name: 'Johannesburg core',
      sessions: [{ id: '9c5b94b1-35ad-49bb-b118-8e8fc24abf80', type: 'ssh', full_access: true }],
    },
  ],
  vpnInstances: [
    {
      id: 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d',
      name: 'Operations VPN',
      peers: [
        '550e8400-e29b-41d4-a716-446655440000',
        {
          id: '7d444840-9dc0-41cc-b7f1-9a6a4b1e2f3c',
          type: 'site',
          site_id: '6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80',
          subnets: ['10.20.0.0/24', '10.20.1.0/24'],
          connected: true,
          connected_from: '203.0.113.7',
        },
      ],
    },
  ],
  organizations: [
    {
      id: 'org_xyz789',
      name: 'Example Org',
      grants: [
        'agrant_abc123def456',
        {
          id: 'agrant_9f8e7d6c5b4a',
          entity_type: 'assistant',
          entity_id: 'asst_support',
          grantee_type: 'role',
          grantee_id: 'role_contractors',
        },
        {
          id: 'agrant_5e6f7a8b9c0d',
          entity_type: 'vector_store',
          entity_id: 'vs_runbooks',
          grantee_type: 'department',
          grantee_id: 'dept_ops',
        },
      ],
    },
    { id: 'org_acme42', name: 'Acme', grants: ['agrant_x1y2z3'] },
  ],
} as const satisfies SimulatorSeed;

function labelled(kind: string, id: string, name: string | undefined): string {
  return name ? `${kind} ${id} (${name})` : `${kind} ${id}`;
}

function listed(noun: string, items: readonly string[]): string {
  return items.length > 0 ? `${noun}: ${items.join(', ')}` : `no ${noun}`;
}

function session(item: Seeded<SessionSeed>): string {
  return typeof item !== 'string' && (item.expired || item.revoked_early) ? `${item.id} (expired)` : idOf(item);
}

function peer(item: Seeded<PeerSeed>): string {
  return typeof item !== 'string' && item.type ? `${item.id} (${item.type})` : idOf(item);
}

/** One readable line per site, VPN instance and organization, for printing at start-up. */
export function describeSeed(seed: SimulatorSeed): string[] {
  return [
    ...seed.sites.map(
      (site) =>
        `Altostrat ${labelled('site', site.id, site.name)} — ${listed('transient sessions', site.sessions.map(session))}`,
    ),
    ...seed.vpnInstances.map(
      (instance) =>
        `Altostrat ${labelled('VPN instance', instance.id, instance.name)} — ${listed('peers', instance.peers.map(peer))}`,
    ),
    ...seed.organizations.map(
      (org) => `Aitronos ${labelled('organization', org.id, org.name)} — ${listed('grants', org.grants.map(idOf))}`,
    ),
  ];
}
