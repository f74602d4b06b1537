/**
 * The modal's views stay within what Slack takes (checked by the fake Slack's own validation)
 * however many aliases the policy names and however long their names, and the targets select
 * offers at most 100 options of at most 75 characters, matching what is typed.
 */
import { findOperation, type Operation } from '../../../src/operations/catalog';
import type { ListedTarget } from '../../../src/operations/listing';
import { parsePolicy } from '../../../src/policy';
import { firstView, type ModalForm, targetOptions, targetsView } from '../../../src/slack/modal';
import { optionsProblems, viewProblems } from '../../support/fake-slack';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
// 150 sites, each named with the longest name an alias may have.
const sites = Array.from({ length: 150 }, (_, i) => `    ${`site-${i}-`.padEnd(40, 'x')}: ${uuid(i)}`).join('\n');
const policy = parsePolicy(
  `
roles:
  oncall: { users: [U0ONCALL1] }
actions:
  revoke-access:      { request: [oncall], approvals: 0, reason: required }
  rotate-credentials: { request: [oncall], approvals: 0 }
aliases:
  sites:
${sites}
`,
  'policy.yml',
);
const form: ModalForm = {
  operation: 'revoke-access',
  channel: { id: 'C0INCIDENT1', name: 'inc-db' },
  responseUrl: `https://hooks.slack.com/commands/T0/${'9'.repeat(60)}`,
};
const operation = (name: string): Operation => findOperation(name)!;

test('every view of the modal is one Slack takes, with 150 long alias names', () => {
  for (const name of ['revoke-access', 'rotate-credentials', 'delete-peer', 'revoke-grant']) {
    expect(viewProblems(firstView(operation(name), policy, { ...form, operation: name }))).toEqual([]);
  }
  const second = targetsView(operation('revoke-access'), policy, { ...form, parent: 'site-1-xxx', parentId: uuid(1) }, 3);
  expect(viewProblems(second)).toEqual([]);
  // The policy says a reason is required for revoke-access, not for rotate-credentials.
  expect(JSON.stringify(second)).toContain('"block_id":"reason","optional":false');
  expect(JSON.stringify(firstView(operation('rotate-credentials'), policy, form))).toContain('"block_id":"reason","optional":true');
});

test('the targets select offers what matches the typed text, at most 100, each within 75 characters', () => {
  const targets: ListedTarget[] = Array.from({ length: 250 }, (_, i) => ({
    id: uuid(i),
    facts: [
      { label: 'type', value: i % 2 ? 'ssh' : 'winbox' },
      { label: 'entry point', value: `host-${i}.example.net:22` },
    ],
  }));
  const all = targetOptions(targets, '');
  expect(all).toHaveLength(100);
  expect(optionsProblems({ options: all })).toEqual([]);
  expect(targetOptions(targets, 'HOST-17.').map((option) => option.value)).toEqual([uuid(17)]);
  expect(targetOptions(targets, 'winbox').every((option) => Number(option.value!.slice(-3)) % 2 === 0)).toBe(true);
  expect(targetOptions(targets, 'nothing like it')).toEqual([]);
});
