import { findOperation, type Operation, usageLine } from '../../../src/operations/catalog';
import type { Aliases } from '../../../src/operations/aliases';
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
    ['rotate-credentials', 'please', 'Name at least one site'],
  ])('%s %j without a target is refused with the usage line', (name, text, message) => {
    expect(refused(name, text)).toContain(message);
  });

  describe('a parent without targets: a listing, or --all (PRODUCT.md §9)', () => {
    test.each([
      ['revoke-access', site, ''],
      ['revoke-access', `${site} offboarding`, 'offboarding'],
      ['revoke-grant', 'org_xyz789', ''],
      ['delete-peer', `${site} 'peer'`, "'peer'"],
    ])('%s %j lists, with the reason kept for the request it leads to', (name, text, reason) => {
      expect(parsed(name, text)).toMatchObject({ targetIds: [], all: false, filters: [], reason });
    });

    test('--all and filters, in any order and either form, with the query each makes', () => {
      const command = parsed('revoke-grant', 'org_xyz789 --grantee=role:role_contractors --all contractors leave --entity assistant:asst_1');
      expect(command).toMatchObject({ targetIds: [], all: true, reason: 'contractors leave' });
      expect(command.filters).toEqual([
        { flag: '--grantee', value: 'role:role_contractors', query: { grantee_type: 'role', grantee_id: 'role_contractors' } },
        { flag: '--entity', value: 'assistant:asst_1', query: { entity_type: 'assistant', entity_id: 'asst_1' } },
      ]);
      expect(parsed('delete-peer', `${site} --type site`).filters).toEqual([{ flag: '--type', value: 'site', query: { type: 'site' } }]);
    });

    test.each([
      ['revoke-access', `${site} ${access1} --all`, '`--all` picks sessions from a listing: name the sessions or use it, not both.'],
      ['delete-peer', `${site} --type client ${access1}`, '`--type` picks peers from a listing'],
      ['delete-peer', `${site} --type`, '`--type` needs a value: client|site.'],
      ['delete-peer', `${site} --type sites`, '`--type`: "sites" is not one of client, site'],
      ['delete-peer', `${site} --type site --type client`, '`--type` is given twice.'],
      ['revoke-access', `${site} --type ssh`, '`--type` is not an option of /revoke-access; it takes `--dry-run`, `--break-glass`, `--all`.'],
      ['rotate-credentials', `${site} --all`, '`--all` is not an option of /rotate-credentials; it takes `--dry-run`, `--break-glass`.'],
      ['revoke-access', `${site} --al`, '`--al` is not an option'],
    ])('%s %j is refused: %s', (name, text, message) => {
      expect(refused(name, text)).toContain(message);
    });
  });

  describe('--break-glass (PRODUCT.md §10)', () => {
    test('anywhere among the words, never part of the reason', () => {
      expect(parsed('revoke-access', `${site} ${access1} --break-glass laptop stolen at the airport`)).toMatchObject({
        breakGlass: true,
        targetIds: [access1],
        reason: 'laptop stolen at the airport',
      });
      expect(parsed('revoke-access', `${site} ${access1} laptop --break-glass stolen`)).toMatchObject({ breakGlass: true, reason: 'laptop stolen' });
      expect(parsed('revoke-access', `${site} ${access1} laptop stolen`).breakGlass).toBe(false);
    });

    test('with --all it acts on every target listed; alone, without targets, it is refused rather than shown a listing', () => {
      expect(parsed('revoke-access', `${site} --all --break-glass laptop stolen at the airport`)).toMatchObject({ breakGlass: true, all: true });
      expect(refused('revoke-access', `${site} --break-glass laptop stolen`)).toBe(
        '`--break-glass` runs at once: name the sessions, or add `--all` to act on every one listed.',
      );
      expect(refused('rotate-credentials', '--break-glass')).toContain('Name at least one site');
    });

    test('takes no value', () => {
      expect(refused('revoke-access', `${site} ${access1} --break-glass=yes`)).toContain('`--break-glass` is not an option');
    });
  });

  test.each([
    ['revoke-access', 'not-a-site a', '`not-a-site` is not a valid site ID'],
    ['revoke-access', `${site} d290f1ee-6c54-4b01-90e6`, '`d290f1ee-6c54-4b01-90e6` is not a valid session ID'],
    ['revoke-access', `${site} ${access1} deadbeefcafe reason`, '`deadbeefcafe` is not a valid session ID'],
    ['revoke-grant', 'org_xyz-789 agrant_a', '`org_xyz-789` is not a valid organization ID'],
    ['revoke-grant', 'org_xyz789 agrant_a agrant_b-c offboarding', '`agrant_b-c` is not a valid grant ID'],
    ['revoke-grant', 'org_xyz789 org_other', '`org_other` is not a valid grant ID'],
    ['revoke-grant', 'agrant_a agrant_b', '`agrant_a` is not a valid organization ID'],
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

describe('command grammar with the policy’s aliases', () => {
  const otherSite = '6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80';
  const instance = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d';
  const aliases: Aliases = {
    sites: { 'cpt-edge': site, capetown: site, 'jnb-core': otherSite },
    instances: { 'ops-vpn': instance },
    organizations: { acme: 'org_acme42' },
  };

  function withAliases(name: string, text: string) {
    const result = parseCommand(op(name), text, aliases);
    if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.error}`);
    return result.command;
  }

  function refusedWithAliases(name: string, text: string, given: Aliases = aliases) {
    const result = parseCommand(op(name), text, given);
    if (result.ok) throw new Error(`expected ${text} to be refused`);
    expect(result.usage).toBe(usageLine(op(name)));
    return result.error;
  }

  test.each([
    ['revoke-access', `cpt-edge ${access1} contractor left`, site],
    ['delete-peer', `ops-vpn ${access1} lost laptop`, instance],
    ['revoke-grant', 'acme agrant_abc123 offboarding', 'org_acme42'],
  ])('%s takes a name for its parent and holds the ID', (name, text, id) => {
    const command = withAliases(name, text);
    expect(command.parentId).toBe(id);
    expect(command.names).toEqual({ [id]: text.split(' ')[0] });
  });

  test('a name is matched ignoring case, and recorded as the policy spells it', () => {
    const command = withAliases('revoke-access', `CPT-Edge ${access1}`);
    expect(command.parentId).toBe(site);
    expect(command.names).toEqual({ [site]: 'cpt-edge' });
  });

  test('rotate-credentials takes names among its site IDs; one site named twice is rotated once', () => {
    const command = withAliases('rotate-credentials', `cpt-edge ${otherSite} capetown jnb-core leaked in a log`);
    expect(command.targetIds).toEqual([site, otherSite]);
    expect(command.reason).toBe('leaked in a log');
    expect(command.names).toEqual({ [site]: 'cpt-edge', [otherSite]: 'jnb-core' });
  });

  test('only the names the policy gives count: an object property is no alias', () => {
    expect(refusedWithAliases('revoke-access', `constructor ${access1}`)).toContain('`constructor` is not a valid site ID');
  });

  test('IDs typed as IDs carry no name, even when they have one', () => {
    expect(withAliases('revoke-access', `${site} ${access1}`).names).toEqual({});
  });

  test('a name is accepted only where its kind is: a site name is no VPN instance', () => {
    expect(refusedWithAliases('delete-peer', `cpt-edge ${access1}`)).toBe(
      "`cpt-edge` is not a valid VPN instance ID (a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851) nor the name of one. The policy's VPN instance aliases: `ops-vpn`.",
    );
  });

  test('an unknown name is refused naming the known ones, with the one likely meant', () => {
    expect(refusedWithAliases('revoke-access', `cpt-egde ${access1} reason`)).toBe(
      "`cpt-egde` is not a valid site ID (a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851) nor the name of one. Did you mean `cpt-edge`? The policy's site aliases: `cpt-edge`, `capetown`, `jnb-core`.",
    );
    expect(refusedWithAliases('revoke-grant', 'umbrella agrant_a')).toBe(
      "`umbrella` is not a valid organization ID (an organization ID such as org_xyz789) nor the name of one. The policy's organization aliases: `acme`.",
    );
  });

  test('without aliases of that kind, the refusal says the policy has none', () => {
    expect(refusedWithAliases('revoke-access', `cpt-edge ${access1}`, { ...aliases, sites: {} })).toBe(
      '`cpt-edge` is not a valid site ID (a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851) nor the name of one. The policy defines no site aliases.',
    );
    // A word that looks like an ID was meant as one, and is told so as before.
    expect(refusedWithAliases('revoke-access', `d290f1ee-6c54 ${access1}`)).toBe(
      '`d290f1ee-6c54` is not a valid site ID: expected a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851.',
    );
  });

  test('a long list of names is cut short', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`site-${i + 1}`, site]));
    const error = refusedWithAliases('revoke-access', `nowhere ${access1}`, { ...aliases, sites: many });
    expect(error).toContain('`site-20` and 5 more.');
    expect(error).not.toContain('`site-21`');
  });

  test('a mistyped target name is refused, never taken for the start of the reason', () => {
    expect(refusedWithAliases('rotate-credentials', 'cpt-edge jnb-croe leaked')).toContain('Did you mean `jnb-core`?');
    expect(refusedWithAliases('rotate-credentials', 'jnb-croe leaked')).toContain('Did you mean `jnb-core`?');
  });

  test('a target name after the reason started is a stray target; a parent name in the reason is just words', () => {
    expect(refusedWithAliases('rotate-credentials', 'cpt-edge leaked, and jnb-core too')).toBe(
      '`jnb-core` comes after the reason started; put every ID before the reason.',
    );
    expect(withAliases('revoke-access', `cpt-edge ${access1} left open on cpt-edge`).reason).toBe('left open on cpt-edge');
  });

  test('rotate-credentials with no site says names are accepted too', () => {
    expect(refusedWithAliases('rotate-credentials', 'please')).toBe(
      'Name at least one site (a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851, or an alias such as `cpt-edge`) before the reason.',
    );
  });
});
