import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_EXPIRES_MS, loadPolicy, MAX_EXPIRES_MS, parsePolicy, PolicyError } from '../../../src/policy';
import { operationNames } from '../../../src/operations/catalog';
import { policyProblems as problemsOf } from './fixtures';


// A small valid base; each error case below changes one thing.
const roles = `roles:
  oncall: { users: [U0123ABCD], usergroups: [S0ONCALL1] }
  approver: { users: [W0456EFGH] }
`;

describe('parsePolicy: a valid policy', () => {
  it('loads policy.example.yml from the repository root as documented', () => {
    const policy = loadPolicy(resolve(__dirname, '../../../policy.example.yml'));
    expect(policy.roles.oncall).toEqual({ users: ['U0123ABCD'], usergroups: ['S0ONCALL1'] });
    expect(policy.roles.approver).toEqual({ users: ['U0456EFGH'], usergroups: [] });
    expect(policy.channels).toEqual(['C0INCIDENT1', 'inc-*']);
    expect(policy.revealPassword).toBe('never');
    expect(policy.actions['revoke-access']).toEqual({
      request: ['oncall', 'admin'],
      approve: [],
      approvals: 0,
      expiresMs: DEFAULT_EXPIRES_MS,
      reasonRequired: false,
    });
    expect(policy.actions['rotate-credentials']).toEqual({
      request: ['oncall', 'admin'],
      approve: ['approver', 'admin'],
      approvals: 1,
      expiresMs: 15 * 60_000,
      reasonRequired: true,
    });
    expect(policy.actions['delete-peer']).toMatchObject({ approvals: 2, breakGlass: ['admin'] });
    expect(Object.keys(policy.actions).sort()).toEqual([...operationNames].sort());
  });

  it('applies the defaults: expires 15m, reason optional, reveal_password never, channels anywhere', () => {
    const text = `${roles}actions:\n  delete-peer: { request: [oncall], approvals: 1, approve: [approver] }\n`;
    const policy = parsePolicy(text, 'p');
    expect(policy.actions['delete-peer']).toEqual({
      request: ['oncall'],
      approve: ['approver'],
      approvals: 1,
      expiresMs: 15 * 60_000,
      reasonRequired: false,
    });
    expect(policy.revealPassword).toBe('never');
    expect(policy.channels).toBeUndefined();
    expect(policy.actions['revoke-grant']).toBeUndefined();
  });

  it('reads expires, reason and reveal_password when given', () => {
    const policy = parsePolicy(
      `${roles}actions:
  revoke-grant: { request: [oncall], approvals: 1, approve: [approver], expires: 2h, reason: required }
reveal_password: requester
`,
      'p',
    );
    expect(policy.actions['revoke-grant']).toMatchObject({ expiresMs: 7_200_000, reasonRequired: true });
    expect(policy.revealPassword).toBe('requester');
  });

  it('allows empty roles and actions (then nothing is allowed)', () => {
    expect(parsePolicy('roles: {}\nactions: {}\n', 'p')).toEqual({
      roles: {},
      channels: undefined,
      actions: {},
      revealPassword: 'never',
      aliases: { sites: {}, instances: {}, organizations: {} },
    });
  });
});

describe('parsePolicy: each problem names its path in the file', () => {
  const cases: [string, string, string][] = [
    [
      'an unknown key',
      `${roles}actions:\n  delete-peer: { request: [oncall], approvals: 0, approvers: [approver] }\n`,
      'actions.delete-peer.approvers: unknown key; allowed here: request, approve, approvals, expires, reason, remind, escalate, break_glass (line 5)',
    ],
    [
      'an unknown top-level key',
      `${roles}actions: {}\nreveal_passwords: never\n`,
      'reveal_passwords: unknown key; allowed here: roles, channels, actions, reveal_password, aliases, audit_channel (line 5)',
    ],
    [
      'an unknown action name',
      `${roles}actions:\n  revoke-acess: { request: [oncall], approvals: 0 }\n`,
      'actions.revoke-acess: unknown action; valid actions are revoke-access, rotate-credentials, delete-peer, revoke-grant (line 5)',
    ],
    [
      'a role that roles does not define',
      `${roles}actions:\n  revoke-grant: { request: [oncall], approvals: 1, approve: [approver, admin] }\n`,
      'actions.revoke-grant.approve.1: unknown role "admin"; defined roles: oncall, approver (line 5)',
    ],
    [
      'a negative approvals',
      `${roles}actions:\n  delete-peer: { request: [oncall], approvals: -1 }\n`,
      'actions.delete-peer.approvals: expected a whole number ≥ 0 (line 5)',
    ],
    [
      'approvals above 5',
      `${roles}actions:\n  delete-peer: { request: [oncall], approvals: 6, approve: [approver] }\n`,
      'actions.delete-peer.approvals: expected a whole number ≤ 5 (line 5)',
    ],
    [
      'approvals that is not whole',
      `${roles}actions:\n  delete-peer: { request: [oncall], approvals: 1.5, approve: [approver] }\n`,
      'actions.delete-peer.approvals: expected a whole number, got 1.5 (line 5)',
    ],
    [
      'approvals missing',
      `${roles}actions:\n  delete-peer: { request: [oncall] }\n`,
      'actions.delete-peer.approvals: missing (expected a number) (line 5)',
    ],
    [
      'a bad duration',
      `${roles}actions:\n  delete-peer: { request: [oncall], approvals: 0, expires: 15 minutes }\n`,
      'actions.delete-peer.expires: expected a duration such as 30s, 15m, 2h or 1d, got "15 minutes" (line 5)',
    ],
    [
      'expires over 7 days',
      `${roles}actions:\n  rotate-credentials: { request: [oncall], approvals: 1, approve: [approver], expires: 8d }\n`,
      'actions.rotate-credentials.expires: expected a duration of at most 7d, got "8d" (line 5)',
    ],
    [
      'an expires so long that the date would overflow',
      `${roles}actions:\n  rotate-credentials: { request: [oncall], approvals: 1, approve: [approver], expires: 3000000d }\n`,
      'actions.rotate-credentials.expires: expected a duration of at most 7d, got "3000000d" (line 5)',
    ],
    [
      'a bad user ID',
      'roles:\n  oncall:\n    users: [U0123ABCD, alice]\nactions: {}\n',
      'roles.oncall.users.1: expected a Slack user ID such as U0123ABCD, got "alice" (line 3)',
    ],
    [
      'a lower-case user ID',
      'roles:\n  oncall: { users: [u0123abcd] }\nactions: {}\n',
      'roles.oncall.users.0: expected a Slack user ID such as U0123ABCD, got "u0123abcd" (line 2)',
    ],
    [
      'a bad user-group ID',
      'roles:\n  oncall: { usergroups: [oncall-team] }\nactions: {}\n',
      'roles.oncall.usergroups.0: expected a Slack user-group ID such as S0ONCALL1, got "oncall-team" (line 2)',
    ],
    [
      'approve missing when approvals is 1 or more',
      `${roles}actions:\n  revoke-grant: { request: [oncall], approvals: 1 }\n`,
      'actions.revoke-grant.approve: required when approvals is 1: list the roles that may approve (line 5)',
    ],
    [
      'an empty approve when approvals is 1 or more',
      `${roles}actions:\n  revoke-grant: { request: [oncall], approvals: 2, approve: [] }\n`,
      'actions.revoke-grant.approve: required when approvals is 2: list the roles that may approve (line 5)',
    ],
    [
      'an empty request list',
      `${roles}actions:\n  revoke-access: { request: [], approvals: 0 }\n`,
      'actions.revoke-access.request: expected at least one role that may request this action (line 5)',
    ],
    [
      'a bad reason setting',
      `${roles}actions:\n  revoke-access: { request: [oncall], approvals: 0, reason: always }\n`,
      'actions.revoke-access.reason: expected one of required, optional, got "always" (line 5)',
    ],
    [
      'a bad reveal_password',
      `${roles}actions: {}\nreveal_password: always\n`,
      'reveal_password: expected one of never, requester, got "always" (line 5)',
    ],
    [
      'a channel entry that is neither an ID nor a name glob',
      `${roles}channels: [C0INCIDENT1, "#incidents"]\nactions: {}\n`,
      'channels.1: expected a channel ID such as C0INCIDENT1 or a lower-case channel name glob such as inc-*, got "#incidents" (line 4)',
    ],
    [
      'an empty channels list',
      `${roles}channels: []\nactions: {}\n`,
      'channels: expected at least one channel; remove channels to allow requests anywhere (line 4)',
    ],
    ['a missing actions key', roles, 'actions: missing (expected a mapping)'],
    ['an empty file', '', '(top level): expected a mapping, got nothing'],
    [
      'a role given as a list instead of a mapping',
      'roles:\n  oncall: [U0123ABCD]\nactions: {}\n',
      'roles.oncall: expected a mapping, got a list (line 2)',
    ],
  ];

  it.each(cases)('%s', (_name, text, problem) => {
    expect(problemsOf(text)).toEqual([problem]);
  });

  it('reports both the typo and the key it leaves missing', () => {
    expect(
      problemsOf(`${roles}actions:\n  delete-peer: { request: [oncall], approvals: 1, approvers: [approver] }\n`),
    ).toEqual([
      'actions.delete-peer.approvers: unknown key; allowed here: request, approve, approvals, expires, reason, remind, escalate, break_glass (line 5)',
      'actions.delete-peer.approve: required when approvals is 1: list the roles that may approve (line 5)',
    ]);
  });

  it('lists every problem together, in one error whose message names the source', () => {
    const text = `roles:
  oncall:
    users: [alice]
    usergroup: [S0ONCALL1]
actions:
  revoke-acess: { request: [oncall], approvals: 0 }
  delete-peer: { request: [oncal], approvals: -1, approvers: [oncall] }
  rotate-credentials: { request: [oncall], approvals: 1, expires: soon }
`;
    let error: unknown;
    try {
      parsePolicy(text, 'config/policy.yml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const { problems, message } = error as PolicyError;
    expect(problems).toEqual([
      'roles.oncall.users.0: expected a Slack user ID such as U0123ABCD, got "alice" (line 3)',
      'roles.oncall.usergroup: unknown key; allowed here: users, usergroups (line 4)',
      'actions.delete-peer.request.0: unknown role "oncal"; defined roles: oncall (line 7)',
      'actions.delete-peer.approvals: expected a whole number ≥ 0 (line 7)',
      'actions.delete-peer.approvers: unknown key; allowed here: request, approve, approvals, expires, reason, remind, escalate, break_glass (line 7)',
      'actions.rotate-credentials.expires: expected a duration such as 30s, 15m, 2h or 1d, got "soon" (line 8)',
      'actions.revoke-acess: unknown action; valid actions are revoke-access, rotate-credentials, delete-peer, revoke-grant (line 6)',
    ]);
    expect(message.split('\n')).toEqual([
      'The policy config/policy.yml cannot be used:',
      ...problems.map((problem) => `  - ${problem}`),
    ]);
    // Sentences, not zod's JSON.
    expect(message).not.toMatch(/"code"|invalid_type|Invalid input/);
  });

  it('checks role references even when roles has errors of its own', () => {
    expect(
      problemsOf('roles:\n  oncall: { users: [bob] }\nactions:\n  revoke-access: { request: [ops], approvals: 0 }\n'),
    ).toEqual([
      'roles.oncall.users.0: expected a Slack user ID such as U0123ABCD, got "bob" (line 2)',
      'actions.revoke-access.request.0: unknown role "ops"; defined roles: oncall (line 4)',
    ]);
  });

  it('says so when no roles are defined at all', () => {
    expect(problemsOf('actions:\n  revoke-access: { request: [oncall], approvals: 0 }\n')).toEqual([
      'roles: missing (expected a mapping)',
      'actions.revoke-access.request.0: unknown role "oncall"; no roles are defined under roles (line 2)',
    ]);
  });
});

describe('parsePolicy: expires', () => {
  it('accepts up to 7 days, in any unit', () => {
    const rule = (expires: string) =>
      parsePolicy(`${roles}actions:\n  delete-peer: { request: [oncall], approvals: 1, approve: [approver], expires: ${expires} }\n`, 'p')
        .actions['delete-peer']?.expiresMs;
    expect(rule('7d')).toBe(MAX_EXPIRES_MS);
    expect(rule('168h')).toBe(MAX_EXPIRES_MS);
    expect(problemsOf(`${roles}actions:\n  delete-peer: { request: [oncall], approvals: 1, approve: [approver], expires: 169h }\n`)).toEqual([
      'actions.delete-peer.expires: expected a duration of at most 7d, got "169h" (line 5)',
    ]);
  });
});

describe('parsePolicy: approval rules people can satisfy', () => {
  /** The policy's warnings, after checking that it loads. */
  function warningsOf(text: string): string[] {
    const warnings: string[] = [];
    parsePolicy(text, 'policy.yml', { onWarning: (warning) => warnings.push(warning) });
    return warnings;
  }

  const people = `roles:
  oncall: { users: [U0ONCALL1, U0ONCALL2] }
  approver: { users: [U0APPROVE1] }
  lead: { users: [U0APPROVE1, U0LEAD1] }
  groupies: { usergroups: [S0APPROVERS] }
  grouprequesters: { usergroups: [S0ONCALL1] }
actions:
`;

  it('refuses more approvals than the approving roles list people, naming the rule', () => {
    expect(problemsOf(`${people}  delete-peer: { request: [oncall], approvals: 2, approve: [approver] }\n`)).toEqual([
      'actions.delete-peer.approvals: needs 2 approvers besides the requester, but the roles in approve (approver) list 1 user; add users to those roles or lower approvals (line 8)',
    ]);
  });

  it('counts a person once, however many approving roles list them', () => {
    expect(problemsOf(`${people}  delete-peer: { request: [oncall], approvals: 3, approve: [approver, lead] }\n`)).toEqual([
      'actions.delete-peer.approvals: needs 3 approvers besides the requester, but the roles in approve (approver, lead) list 2 users; add users to those roles or lower approvals (line 8)',
    ]);
    expect(warningsOf(`${people}  delete-peer: { request: [oncall], approvals: 2, approve: [approver, lead] }\n`)).toEqual([]);
  });

  it('leaves out the requester when everyone who may request also approves: nobody approves their own request', () => {
    expect(problemsOf(`${people}  revoke-grant: { request: [lead], approvals: 2, approve: [lead] }\n`)).toEqual([
      'actions.revoke-grant.approvals: needs 2 approvers besides the requester, but the roles in approve (lead) list 2 users, and the requester is always one of them; add users to those roles or lower approvals (line 8)',
    ]);
    // With one requester who approves nothing, both approvers are free to approve.
    expect(warningsOf(`${people}  revoke-grant: { request: [lead, oncall], approvals: 2, approve: [lead] }\n`)).toEqual([]);
  });

  it('reports every rule nobody could satisfy, each at its path', () => {
    expect(
      problemsOf(`${people}  delete-peer: { request: [oncall], approvals: 2, approve: [approver] }
  revoke-grant: { request: [oncall], approvals: 1, approve: [oncall] }
  rotate-credentials: { request: [oncall], approvals: 1, approve: [approver] }
`).map((problem) => problem.split(':')[0]),
    ).toEqual(['actions.delete-peer.approvals']);
    expect(
      problemsOf(`${people}  delete-peer: { request: [oncall], approvals: 2, approve: [approver] }
  revoke-grant: { request: [approver], approvals: 1, approve: [approver] }
`).map((problem) => problem.split(':')[0]),
    ).toEqual(['actions.delete-peer.approvals', 'actions.revoke-grant.approvals']);
  });

  it('is reported with the other problems, but an unknown role only as unknown', () => {
    expect(
      problemsOf(`${people}  rotate-credentials: { request: [oncall], approvals: 1, approve: [approver], expires: 8d }
  delete-peer: { request: [oncall], approvals: 2, approve: [approver] }
  revoke-grant: { request: [oncall], approvals: 2, approve: [approvers] }
`),
    ).toEqual([
      'actions.rotate-credentials.expires: expected a duration of at most 7d, got "8d" (line 8)',
      'actions.delete-peer.approvals: needs 2 approvers besides the requester, but the roles in approve (approver) list 1 user; add users to those roles or lower approvals (line 9)',
      'actions.revoke-grant.approve.0: unknown role "approvers"; defined roles: oncall, approver, lead, groupies, grouprequesters (line 10)',
    ]);
  });

  it('only warns when user groups could make up the difference: their members are known at run time', () => {
    expect(warningsOf(`${people}  delete-peer: { request: [oncall], approvals: 3, approve: [approver, groupies] }\n`)).toEqual([
      'actions.delete-peer.approvals: needs 3 approvers besides the requester, but the roles in approve (approver, groupies) list 1 user; it can be met only through user groups (S0APPROVERS), whose members are known only at run time (line 8)',
    ]);
    // A requester from a group may approve nothing, leaving both listed approvers free.
    expect(warningsOf(`${people}  revoke-grant: { request: [lead, grouprequesters], approvals: 2, approve: [lead] }\n`)).toEqual([
      'actions.revoke-grant.approvals: needs 2 approvers besides the requester, but the roles in approve (lead) list 2 users, and the requester is always one of them; it can be met only through user groups (S0ONCALL1), whose members are known only at run time (line 8)',
    ]);
    // A requesting group cannot make up for approvers who are not there.
    expect(problemsOf(`${people}  revoke-grant: { request: [grouprequesters], approvals: 3, approve: [lead] }\n`)).toEqual([
      'actions.revoke-grant.approvals: needs 3 approvers besides the requester, but the roles in approve (lead) list 2 users; add users to those roles or lower approvals (line 8)',
    ]);
  });

  it('finds nothing to say about policy.example.yml', () => {
    const warnings: string[] = [];
    loadPolicy(resolve(__dirname, '../../../policy.example.yml'), { onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([]);
  });
});

describe('parsePolicy: YAML syntax', () => {
  it('reports a syntax error with its line and column', () => {
    const problems = problemsOf('roles: {}\nactions:\n  revoke-access: { request: [oncall, approvals: 0 }\n');
    expect(problems[0]).toMatch(/^line 3, column \d+: /);
    for (const problem of problems) expect(problem).toMatch(/^line \d+, column \d+: \S/);
    expect(problemsOf('roles: {}\nactions: [1\nx: 2\n')).toEqual([
      'line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('refuses a key given twice, which would otherwise hide one of the rules', () => {
    const text = `${roles}actions:
  delete-peer: { request: [oncall], approvals: 2, approve: [approver] }
  delete-peer: { request: [oncall], approvals: 0 }
`;
    expect(problemsOf(text)).toEqual(['actions.delete-peer: given more than once; keep one (line 6)']);
  });
});

describe('parsePolicy: aliases', () => {
  const site = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
  const instance = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d';
  const withAliases = (aliases: string) => `${roles}actions: {}\naliases:\n${aliases}`;

  it('reads names for sites, VPN instances and organizations; each kind is optional', () => {
    const policy = parsePolicy(
      withAliases(`  sites: { cpt-edge: ${site}, capetown: ${site}, jnb.core_2: 6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80 }
  organizations:
    acme: org_acme42
`),
      'p',
    );
    // Two names for one ID are fine.
    expect(policy.aliases).toEqual({
      sites: { 'cpt-edge': site, capetown: site, 'jnb.core_2': '6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80' },
      instances: {},
      organizations: { acme: 'org_acme42' },
    });
  });

  it('loads the example policy with the example IDs named', () => {
    const { aliases } = loadPolicy(resolve(__dirname, '../../../policy.example.yml'));
    expect(aliases.sites['cpt-edge']).toBe(site);
    expect(aliases.instances['ops-vpn']).toBe(instance);
    expect(aliases.organizations['example-org']).toBe('org_xyz789');
  });

  const cases: [string, string, string][] = [
    [
      'an unknown kind',
      '  site: { cpt-edge: d290f1ee-6c54-4b01-90e6-d701748f0851 }\n',
      'aliases.site: unknown key; allowed here: sites, instances, organizations (line 6)',
    ],
    [
      'a malformed site ID',
      '  sites:\n    cpt-edge: d290f1ee-6c54\n',
      'aliases.sites.cpt-edge: expected a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851, got "d290f1ee-6c54" (line 7)',
    ],
    [
      'a UUID where an organization ID belongs',
      `  organizations:\n    acme: ${site}\n`,
      `aliases.organizations.acme: expected an organization ID such as org_xyz789, got "${site}" (line 7)`,
    ],
    [
      'a name without an ID',
      '  instances:\n    ops-vpn:\n',
      'aliases.instances.ops-vpn: expected a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851, got nothing (line 7)',
    ],
    [
      'a name with capitals and a space',
      `  sites:\n    "Cape Town": ${site}\n`,
      'aliases.sites.Cape Town: expected a short name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 40 characters (line 7)',
    ],
    [
      'a name that reads as an option',
      `  sites:\n    --all: ${site}\n`,
      'aliases.sites.--all: expected a short name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 40 characters (line 7)',
    ],
    [
      'a name longer than 40 characters',
      `  sites:\n    ${'a'.repeat(41)}: ${site}\n`,
      `aliases.sites.${'a'.repeat(41)}: expected a short name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 40 characters (line 7)`,
    ],
    [
      'a name that is an ID itself',
      `  organizations:\n    org_acme42: org_xyz789\n`,
      'aliases.organizations.org_acme42: a name must not be an ID itself; choose a short name such as cpt-edge (line 7)',
    ],
    [
      'a name given twice in one kind',
      `  sites:\n    cpt-edge: ${site}\n    cpt-edge: 6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80\n`,
      'aliases.sites.cpt-edge: given more than once; keep one (line 8)',
    ],
    ['aliases given as a list', `  - cpt-edge\n`, 'aliases: expected a mapping, got a list (line 5)'],
  ];

  it.each(cases)('refuses %s, at its path', (_name, aliases, problem) => {
    expect(problemsOf(withAliases(aliases))).toEqual([problem]);
  });

  it('allows one name in two kinds: the slot it is typed in says which', () => {
    const policy = parsePolicy(withAliases(`  sites: { ops: ${site} }\n  instances: { ops: ${instance} }\n`), 'p');
    expect(policy.aliases.sites.ops).toBe(site);
    expect(policy.aliases.instances.ops).toBe(instance);
  });

  it('reports every bad alias together', () => {
    expect(problemsOf(withAliases(`  sites:\n    Edge: nope\n  organizations:\n    acme: acme\n`))).toEqual([
      'aliases.sites.Edge: expected a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851, got "nope" (line 7)',
      'aliases.sites.Edge: expected a short name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 40 characters (line 7)',
      'aliases.organizations.acme: expected an organization ID such as org_xyz789, got "acme" (line 9)',
    ]);
  });
});

describe('loadPolicy', () => {
  const directory = mkdtempSync(join(tmpdir(), 'twokey-policy-'));

  it('reads and validates a file, naming the file in its errors', () => {
    const path = join(directory, 'bad.yml');
    writeFileSync(path, 'roles: {}\nactions: {}\nextra: true\n');
    expect(() => loadPolicy(path)).toThrow(
      `The policy ${path} cannot be used:\n  - extra: unknown key; allowed here: roles, channels, actions, reveal_password, aliases, audit_channel (line 3)`,
    );
  });

  it('says which path was tried when the file is missing, and names the template', () => {
    const path = join(directory, 'missing.yml');
    let error: unknown;
    try {
      loadPolicy(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems).toEqual([
      `no file at ${path}; copy policy.example.yml (the template) there and edit it, or set POLICY_FILE`,
    ]);
  });

  it('reports a path it cannot read as a file', () => {
    expect(() => loadPolicy(directory)).toThrow(`cannot read ${directory}: EISDIR`);
  });
});
