import { findOperation, type Operation, usageLine } from '../../../src/operations/catalog';
import { maxTargets, parseCommand } from '../../../src/operations/grammar';

const site = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
const access1 = 'f0e9d8c7-b6a5-4f3e-2d1c-0b9a8e7f6d5c';
const access2 = '550e8400-e29b-41d4-a716-446655440000';

function op(name: string): Operation {
  const operation = findOperation(name);
  if (!operation) throw new Error(`no operation ${name}`);
  return operation;
}

function parsed(name: string, text: string) {
  const result = parseCommand(op(name), text);
  if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.error}`);
  return result.command;
}

function refused(name: string, text: string) {
  const result = parseCommand(op(name), text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  expect(result.usage).toBe(usageLine(op(name)));
  return result.error;
}

describe('command grammar', () => {
  test('parent, targets and reason', () => {
    const command = parsed('revoke-access', `${site} ${access1} ${access2} contractor left, INC-42`);
    expect(command.parentId).toBe(site);
    expect(command.targetIds).toEqual([access1, access2]);
    expect(command.reason).toBe('contractor left, INC-42');
    expect(command.dryRun).toBe(false);
  });

  test('accepts Altostrat IDs that are not RFC 4122 variants', () => {
    expect(parsed('revoke-access', `${site} ${access1}`).targetIds).toEqual([access1]);
  });

  test('rotate-credentials takes site IDs only, no parent', () => {
    const command = parsed('rotate-credentials', `${site} ${access2} leaked in a log`);
    expect(command.parentId).toBeUndefined();
    expect(command.targetIds).toEqual([site, access2]);
    expect(command.reason).toBe('leaked in a log');
  });

  test('Aitronos organization and grant IDs', () => {
    const command = parsed('revoke-grant', 'org_xyz789 agrant_abc123def456 agrant_Q1 offboarding');
    expect(command.parentId).toBe('org_xyz789');
    expect(command.targetIds).toEqual(['agrant_abc123def456', 'agrant_Q1']);
  });

  test('--dry-run anywhere, removed from the reason', () => {
    const command = parsed('delete-peer', `--dry-run ${site} ${access1} lost laptop --dry-run`);
    expect(command.dryRun).toBe(true);
    expect(command.reason).toBe('lost laptop');
    expect(parsed('delete-peer', `${site} ${access1} because --dry-run now`).reason).toBe('because now');
  });

  test('a target named twice is called once', () => {
    expect(parsed('revoke-access', `${site} ${access1} ${access1}`).targetIds).toEqual([access1]);
  });

  test('a reason may hold dates and words once the IDs are done', () => {
    expect(parsed('revoke-access', `${site} ${access1} seen at 2026-11-23 in logs`).reason).toBe('seen at 2026-11-23 in logs');
  });

  test.each([
    ['revoke-access', '', 'Missing the site ID.'],
    ['revoke-access', site, 'Name at least one session'],
    ['revoke-access', `${site} because`, 'Name at least one session'],
    ['rotate-credentials', 'please', 'Name at least one site'],
    ['revoke-grant', 'org_xyz789', 'Name at least one grant'],
  ])('%s %j without a target is refused with the usage line', (name, text, message) => {
    expect(refused(name, text)).toContain(message);
  });

  test.each([
    ['revoke-access', 'not-a-site a', '`not-a-site` is not a valid site ID'],
    ['revoke-access', `${site} d290f1ee-6c54-4b01-90e6`, '`d290f1ee-6c54-4b01-90e6` is not a valid session ID'],
    ['revoke-access', `${site} ${access1} deadbeefcafe reason`, '`deadbeefcafe` is not a valid session ID'],
    ['revoke-grant', 'org_xyz-789 agrant_a', '`org_xyz-789` is not a valid organization ID'],
    ['revoke-grant', 'org_xyz789 agrant_a agrant_b-c offboarding', '`agrant_b-c` is not a valid grant ID'],
    ['revoke-grant', 'org_xyz789 org_other', '`org_other` is not a valid grant ID'],
    ['revoke-grant', 'agrant_a agrant_b', '`agrant_a` is not a valid organization ID'],
    ['delete-peer', `${site} 'peer'`, 'Name at least one peer'],
  ])('%s %j names the bad token', (name, text, message) => {
    expect(refused(name, text)).toContain(message);
  });

  test('a mistyped ID is an error even among valid ones: no target is dropped silently', () => {
    expect(refused('revoke-access', `${site} ${access1} ${access2.slice(0, -1)} ${access1}`)).toContain(
      'is not a valid session ID',
    );
  });

  test('a valid ID after the reason started is refused', () => {
    expect(refused('revoke-access', `${site} ${access1} oops ${access2}`)).toContain(
      `\`${access2}\` comes after the reason started`,
    );
  });

  test(`at most ${maxTargets} targets`, () => {
    const ids = (count: number) =>
      Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(' ');
    expect(parsed('revoke-access', `${site} ${ids(maxTargets)}`).targetIds).toHaveLength(maxTargets);
    expect(refused('revoke-access', `${site} ${ids(maxTargets + 1)}`)).toContain(`at most ${maxTargets}`);
  });

  test('a very long reason is refused', () => {
    expect(refused('revoke-access', `${site} ${access1} ${'x'.repeat(600)}`)).toContain('keep it under');
  });

  test.each([
    ['NUL', 'contractor\u0000left', 'U+0000'],
    ['BEL', 'ding\u0007', 'U+0007'],
    ['ESC, as in a terminal colour code', '\u001b[31mred\u001b[0m', 'U+001B'],
    ['DEL', 'oops\u007f', 'U+007F'],
    ['a C1 control', 'next\u0085line', 'U+0085'],
    ['a right-to-left override', 'INC-\u202E24', 'U+202E'],
    ['a left-to-right embedding', '\u202Aembedded', 'U+202A'],
    ['a first-strong isolate', 'x\u2068y\u2069', 'U+2068, U+2069'],
  ])('a reason holding %s is refused, naming the character by its code point', (_name, reason, codes) => {
    const error = refused('revoke-access', `${site} ${access1} ${reason}`);
    const plural = codes.includes(',') ? 'control characters' : 'a control character';
    expect(error).toBe(`The command contains ${plural} (${codes}); retype it as plain text.`);
    expect(error).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
  });

  test('each character is named once, in the order found, wherever it is in the command', () => {
    expect(refused('revoke-access', `${site}\u0000 ${access1} a\u202Eb\u0000c`)).toBe(
      'The command contains control characters (U+0000, U+202E); retype it as plain text.',
    );
    // Tabs and newlines separate words, as spaces do: they are not what is refused.
    expect(refused('revoke-access', `${site}\t${access1}\r\ncontractor\u0007\nleft`)).toBe(
      'The command contains a control character (U+0007); retype it as plain text.',
    );
    expect(parsed('revoke-access', `${site}\t${access1}\r\ncontractor\nleft`).reason).toBe('contractor left');
  });
});

describe('vendor calls', () => {
  test('each operation builds its documented method and path', () => {
    expect(op('revoke-access').call(site, access1)).toEqual({
      vendor: 'altostrat',
      method: 'DELETE',
      path: `/control-plane/${site}/transient-accesses/${access1}`,
      idempotent: true,
    });
    expect(op('rotate-credentials').call(undefined, site)).toEqual({
      vendor: 'altostrat',
      method: 'POST',
      path: `/control-plane/${site}/credentials`,
      idempotent: false,
    });
    expect(op('delete-peer').call(site, access2).path).toBe(`/vpn/instances/${site}/peers/${access2}`);
    expect(op('revoke-grant').call('org_xyz789', 'agrant_abc').path).toBe('/v1/organizations/org_xyz789/access/grants/agrant_abc');
  });

  test('path segments are encoded', () => {
    expect(op('revoke-grant').call('org_a/../b', 'agrant_x?y=1').path).toBe(
      '/v1/organizations/org_a%2F..%2Fb/access/grants/agrant_x%3Fy%3D1',
    );
  });
});
