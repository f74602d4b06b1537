import { cardMessage } from '../../../src/messages/card';
import { helpMessage } from '../../../src/messages/help';
import { dryRunMessage, resultMessage, secretMessage } from '../../../src/messages/results';
import type { StoredTargetResult } from '../../../src/model/request';
import { aliasNamer } from '../../../src/operations/aliases';
import { blockKitLimits, renderBlocks } from '../../../src/slack/blocks';
import type { VendorClients } from '../../../src/vendors/types';
import { finished, op, revoked, session, site } from './fixtures';

// The policy's aliases in what twokey says: the store keeps IDs, messages show names beside them.



describe('aliases: a named ID is shown with its name', () => {
  const otherSite = '6f1c2b7e-8a4d-4c3e-9b5f-2d7e1a9c4b80';
  const names = aliasNamer({ sites: { 'cpt-edge': site, capetown: site, 'jnb-core': otherSite }, instances: {}, organizations: {} });
  const rotated = (id: string): StoredTargetResult => ({ targetId: id, status: 'succeeded', summary: 'rotated', idempotent: false });
  const fieldValue = (message: { fields?: { label: string; value: string }[] }, label: string) =>
    message.fields?.find((field) => field.label === label)?.value;

  test('the parent field of a result, by the first of its names', () => {
    const message = resultMessage(finished('succeeded', [revoked(session(1))]), names);
    expect(fieldValue(message, 'Site')).toBe(`\`cpt-edge\` (\`${site}\`)`);
    // Sessions have no names: their lines are as ever.
    expect(message.targets?.[0].text).toBe(`\`${session(1)}\` revoked`);
  });

  test('without names, or for an ID the policy does not name, the ID alone', () => {
    expect(fieldValue(resultMessage(finished('succeeded', [revoked(session(1))])), 'Site')).toBe(`\`${site}\``);
    const unnamedSite = aliasNamer({ sites: { 'jnb-core': otherSite }, instances: {}, organizations: {} });
    expect(fieldValue(resultMessage(finished('succeeded', [revoked(session(1))]), unnamedSite), 'Site')).toBe(`\`${site}\``);
  });

  test('rotated sites are named on their target lines, sharing a line as ever', () => {
    const message = resultMessage(finished('succeeded', [rotated(site), rotated(otherSite)], 'rotate-credentials'), names);
    expect(message.targets).toEqual([
      { ids: [site, otherSite], status: 'succeeded', text: `\`cpt-edge\` (\`${site}\`), \`jnb-core\` (\`${otherSite}\`) rotated` },
    ]);
  });

  test('an approval card names the parent and the planned targets', () => {
    const pending = { ...finished('pending', undefined, 'rotate-credentials', [site]), approvalsRequired: 1 };
    expect(cardMessage(pending, new Date(0), names).targets).toEqual([
      { ids: [site], status: 'planned', text: `\`cpt-edge\` (\`${site}\`)` },
    ]);
    const revoking = { ...finished('pending', undefined, 'revoke-access', [session(1)]), approvalsRequired: 1 };
    expect(fieldValue(cardMessage(revoking, new Date(0), names), 'Site')).toBe(`\`cpt-edge\` (\`${site}\`)`);
  });

  test('a dry run shows the names as they were typed', () => {
    const vendors = { altostrat: { baseUrl: 'https://v1.api.altostrat.io/' } } as VendorClients;
    const command = {
      operation: op('rotate-credentials'),
      targetIds: [site, otherSite],
      names: { [site]: 'capetown' },
      reason: '',
      dryRun: true,
      breakGlass: false,
      all: false,
      filters: [],
    };
    expect(dryRunMessage(command, vendors, 'U1').targets?.map((target) => target.text)).toEqual([
      `\`POST https://v1.api.altostrat.io/control-plane/${site}/credentials\` (\`capetown\`)`,
      `\`POST https://v1.api.altostrat.io/control-plane/${otherSite}/credentials\``,
    ]);
    const revoke = { ...command, operation: op('revoke-access'), parentId: site, targetIds: [session(1)] };
    expect(fieldValue(dryRunMessage(revoke, vendors, 'U1'), 'Site')).toBe(`\`capetown\` (\`${site}\`)`);
  });

  test('a revealed password names the site it is for', () => {
    expect(secretMessage(op('rotate-credentials'), site, 'password for admin', 's3cret', names).body?.[0]).toBe(
      `New password for admin for site \`cpt-edge\` (\`${site}\`):`,
    );
  });

  test('50 named sites still fit Block Kit, each named', () => {
    const sites = Array.from({ length: 50 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const name = (i: number) => `site-${String(i).padStart(2, '0')}-${'x'.repeat(32)}`;
    const long = aliasNamer({ sites: Object.fromEntries(sites.map((id, i) => [name(i), id])), instances: {}, organizations: {} });
    const message = resultMessage(finished('succeeded', sites.map(rotated), 'rotate-credentials'), long);
    expect(message.targets!.length).toBeGreaterThan(1);
    const { blocks } = renderBlocks(message);
    for (const block of blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(blockKitLimits.sectionText);
    }
    const shown = JSON.stringify(blocks);
    sites.forEach((id, i) => expect(shown).toContain(`\`${name(i)}\` (\`${id}\`)`));
  });
});

describe('/twokey help lists the names', () => {
  const subcommands = [{ name: 'help', description: 'this list' }];

  test('by kind, with what they are for', () => {
    const aliases = { sites: { 'cpt-edge': site, 'jnb-core': site }, instances: {}, organizations: { acme: 'org_acme42' } };
    expect(helpMessage(subcommands, aliases).body?.at(-1)).toBe(
      'Names the policy gives, usable wherever the ID goes: sites `cpt-edge`, `jnb-core`; organizations `acme`.',
    );
  });

  test('says nothing of names when the policy gives none', () => {
    expect(JSON.stringify(helpMessage(subcommands))).not.toContain('Names the policy gives');
  });
});
