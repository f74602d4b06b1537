/** What the simulated vendors hold at start and after a reset. */
export interface SimulatorSeed {
  sites: Array<{ id: string; name?: string; sessions: string[] }>;
  vpnInstances: Array<{ id: string; name?: string; peers: string[] }>;
  organizations: Array<{ id: string; name?: string; grants: string[] }>;
}

export const emptySeed: SimulatorSeed = { sites: [], vpnInstances: [], organizations: [] };

/** Example data with fixed IDs, so demos and docs can name them. */
export const demoSeed: SimulatorSeed = {
  sites: [
    {
      id: 'd290f1ee-6c54-4b01-90e6-d701748f0851',
      name: 'Cape Town edge',
      sessions: ['f0e9d8c7-b6a5-4f3e-8d1c-0b9a8e7f6d5c', '3b241101-e2bb-4255-8caf-4136c566a962'],
    },
    {
      id: '6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80',
      name: 'Johannesburg core',
      sessions: ['9c5b94b1-35ad-49bb-b118-8e8fc24abf80'],
    },
  ],
  vpnInstances: [
    {
      id: 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d',
      name: 'Operations VPN',
      peers: ['550e8400-e29b-41d4-a716-446655440000', '7d444840-9dc0-41cc-b7f1-9a6a4b1e2f3c'],
    },
  ],
  organizations: [
    { id: 'org_xyz789', name: 'Example Org', grants: ['agrant_abc123def456', 'agrant_9f8e7d6c5b4a'] },
    { id: 'org_acme42', name: 'Acme', grants: ['agrant_x1y2z3'] },
  ],
};

function labelled(kind: string, id: string, name: string | undefined): string {
  return name ? `${kind} ${id} (${name})` : `${kind} ${id}`;
}

function listed(noun: string, ids: string[]): string {
  return ids.length > 0 ? `${noun}: ${ids.join(', ')}` : `no ${noun}`;
}

/** One readable line per site, VPN instance and organization, for printing at start-up. */
export function describeSeed(seed: SimulatorSeed): string[] {
  return [
    ...seed.sites.map(
      (site) => `Altostrat ${labelled('site', site.id, site.name)} — ${listed('transient sessions', site.sessions)}`,
    ),
    ...seed.vpnInstances.map(
      (instance) =>
        `Altostrat ${labelled('VPN instance', instance.id, instance.name)} — ${listed('peers', instance.peers)}`,
    ),
    ...seed.organizations.map(
      (org) => `Aitronos ${labelled('organization', org.id, org.name)} — ${listed('grants', org.grants)}`,
    ),
  ];
}
