/**
 * `twokey check-policy <file>` as CI on a policy repository runs it: the built `bin` spawned with
 * an empty environment (no Slack, no vendor settings), its exit code and output checked.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAllProcesses, NodeProcess, type ProcessExit } from '../support/process';

const root = path.resolve(__dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

/** The package's `twokey` bin, run as `node <bin> …` with nothing in its environment. */
class Twokey extends NodeProcess {
  private constructor(args: string[], cwd: string) {
    super(path.join(root, packageJson.bin.twokey), { env: {}, cwd, args }, 'twokey');
  }

  static run(args: string[], cwd: string): Promise<ProcessExit> {
    return new Twokey(args, cwd).waitForExit();
  }
}

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-check-')));
});
afterEach(async () => {
  await killAllProcesses();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

const usageLine = 'usage: twokey <command>';

test('the example policy: exit 0 with a summary of roles, who may request and approve each action, and where', async () => {
  fs.copyFileSync(path.join(root, 'policy.example.yml'), path.join(dir, 'policy.yml'));
  const exit = await Twokey.run(['check-policy', 'policy.yml'], dir);
  expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });
  expect(exit.stdout).toBe(
    [
      'policy.yml is a valid twokey policy: 3 roles, 4 of 4 actions enabled, 0 warnings.',
      '',
      'Roles:',
      '  oncall    users U0123ABCD; user groups S0ONCALL1',
      '  approver  users U0456EFGH',
      "  admin     users U0789IJKL (may also cancel anyone's request and read every channel's audit)",
      '',
      'Actions:',
      '  revoke-access       requested by oncall, admin; runs at once',
      '  rotate-credentials  requested by oncall, admin; 1 approval from approver, admin (never the requester); expires after 15 minutes; reason required',
      '  delete-peer         requested by oncall, admin; 2 approvals from approver, admin (never the requester); expires after 15 minutes; reminds every 5 minutes; escalates to oncall after 10 minutes; break-glass by admin',
      '  revoke-grant        requested by oncall, admin; 1 approval from approver, admin (never the requester); expires after 15 minutes',
      '',
      'Aliases:',
      '  cpt-edge     site d290f1ee-6c54-4b01-90e6-d701748f0851',
      '  jnb-core     site 6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80',
      '  ops-vpn      VPN instance a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d',
      '  example-org  organization org_xyz789',
      '  acme         organization org_acme42',
      '',
      'Requests may be made only in C0INCIDENT1, inc-*.',
      'Rotated passwords are never shown.',
      '',
    ].join('\n'),
  );
});

test('a policy with a warning is valid: exit 0, the warning with its line, the actions left out refused to everyone', async () => {
  const file = write(
    'policy.yml',
    `roles:
  oncall:
    users: [U0ONCALL1]
  approver:
    users: [U0APPROVER1]
    usergroups: [S0APPROVERS]
  nobody-yet: {}
actions:
  delete-peer: { request: [oncall], approvals: 2, approve: [approver], expires: 2h }
reveal_password: requester
`,
  );
  const exit = await Twokey.run(['check-policy', file], dir);
  expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });
  expect(exit.stdout).toContain('policy.yml is a valid twokey policy: 3 roles, 1 of 4 actions enabled, 1 warning.');
  expect(exit.stdout).toContain('  approver    users U0APPROVER1; user groups S0APPROVERS\n  nobody-yet  nobody\n');
  expect(exit.stdout).toContain('  delete-peer         requested by oncall; 2 approvals from approver (never the requester); expires after 2 hours\n');
  expect(exit.stdout).toContain('  revoke-grant        not in the policy: refused to everyone\n');
  expect(exit.stdout).toContain('Requests may be made in any channel.\nRotated passwords are shown to the requester alone.\n');
  expect(exit.stdout).toMatch(
    /\nWarnings:\n {2}- actions\.delete-peer\.approvals: needs 2 approvers besides the requester, .*user groups \(S0APPROVERS\).* \(line 9\)\n$/,
  );
});

test('a bad policy: exit 1 with every problem, each with its path and line, as at start-up', async () => {
  const file = write(
    'policy.yml',
    `roles:
  oncall: { users: [U0ONCALL1], usergrups: [S0X] }
channels: []
actions:
  delete-peer: { request: [oncal], approvals: 7 }
  reboot: { request: [oncall], approvals: 0 }
`,
  );
  const exit = await Twokey.run(['check-policy', file], dir);
  expect(exit.code).toBe(1);
  expect(exit.stdout).toBe('');
  expect(exit.stderr).toBe(
    [
      'The policy policy.yml cannot be used:',
      '  - roles.oncall.usergrups: unknown key; allowed here: users, usergroups (line 2)',
      '  - channels: expected at least one channel; remove channels to allow requests anywhere (line 3)',
      '  - actions.delete-peer.request.0: unknown role "oncal"; defined roles: oncall (line 5)',
      '  - actions.delete-peer.approvals: expected a whole number ≤ 5 (line 5)',
      '  - actions.delete-peer.approve: required when approvals is 7: list the roles that may approve (line 5)',
      '  - actions.reboot: unknown action; valid actions are revoke-access, rotate-credentials, delete-peer, revoke-grant (line 6)',
      '',
    ].join('\n'),
  );
});

test('a name given twice, or naming a malformed ID: exit 1 with its path and line', async () => {
  const aliases = 'aliases:\n  sites:\n    cpt-edge: d290f1ee-6c54-4b01-90e6-d701748f0851\n    cpt-edge: 6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80\n';
  const twice = await Twokey.run(['check-policy', write('policy.yml', `roles: {}\nactions: {}\n${aliases}`)], dir);
  expect(twice.code).toBe(1);
  expect(twice.stderr).toBe('The policy policy.yml cannot be used:\n  - aliases.sites.cpt-edge: given more than once; keep one (line 6)\n');
  const malformed = await Twokey.run(['check-policy', write('policy.yml', 'roles: {}\nactions: {}\naliases: { sites: { cpt-edge: d290f1ee } }\n')], dir);
  expect(malformed.stderr).toBe(
    'The policy policy.yml cannot be used:\n  - aliases.sites.cpt-edge: expected a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851, got "d290f1ee" (line 3)\n',
  );
});

test('YAML that does not parse: exit 1 with the line and column', async () => {
  const exit = await Twokey.run(['check-policy', write('policy.yml', 'roles:\n  oncall: [\n')], dir);
  expect(exit.code).toBe(1);
  expect(exit.stderr).toMatch(/^The policy policy\.yml cannot be used:\n {2}- line \d+, column \d+: /);
});

describe('usage errors exit 2 with the usage', () => {
  test.each([
    ['a missing file', ['check-policy', 'nope.yml'], 'twokey check-policy: no file at {dir}/nope.yml'],
    ['no file', ['check-policy'], 'twokey check-policy: which file? name the policy'],
    ['two files', ['check-policy', 'a.yml', 'b.yml'], 'twokey check-policy: one file at a time, not 2'],
    ['an unknown command', ['check-polcy', 'policy.yml'], 'twokey: there is no command "check-polcy"'],
    ['no command', [], 'twokey: which command?'],
  ])('%s', async (_, args, message) => {
    const exit = await Twokey.run(args, dir);
    expect(exit.code).toBe(2);
    expect(exit.stdout).toBe('');
    expect(exit.stderr.startsWith(`${message.replace('{dir}', dir)}\n${usageLine}\n`)).toBe(true);
    expect(exit.stderr).toContain('\n  twokey check-policy <file>\n');
  });
});

test('--help prints the usage and exits 0', async () => {
  const exit = await Twokey.run(['check-policy', '--help'], dir);
  expect(exit).toMatchObject({ code: 0, stderr: '' });
  expect(exit.stdout.startsWith(usageLine)).toBe(true);
});

test('the bin starts with a shebang, and `npm run check-policy -- <file>` runs the same check', () => {
  expect(fs.readFileSync(path.join(root, packageJson.bin.twokey), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  const file = path.join(dir, write('policy.yml', 'roles: {}\nactions: {}\nchannels: [C0X]\nbogus: 1\n'));
  const run = spawnSync('npm', ['run', '--silent', 'check-policy', '--', file], { cwd: root, encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`The policy ${file} cannot be used:\n  - bogus: unknown key; allowed here: roles, channels, actions, reveal_password, aliases, audit_channel (line 4)\n`);
});
