import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDuration } from '../lib/duration';
import { aliasKinds, aliasNouns } from '../operations/aliases';
import { operationNames } from '../operations/catalog';
import { adminRole } from '../policy/access';
import { loadPolicy, PolicyError } from '../policy/load';
import type { ActionRule, Policy, RoleDefinition } from '../policy/schema';

/** What a command says and how it ends: 0 done, 1 the input is bad, 2 the command line is. */
export interface CommandResult {
  code: 0 | 1 | 2;
  stdout?: string;
  stderr?: string;
}

/** A command line that cannot be run; the CLI adds its usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `twokey check-policy <file>`: validates a policy as the bot does at start-up, without Slack or
 * vendor settings. Valid: a summary of who may do what, and the warnings. Not: every problem.
 */
export function checkPolicy(args: readonly string[]): CommandResult {
  if (args.length !== 1) throw new UsageError(args.length ? `one file at a time, not ${args.length}` : 'which file? name the policy');
  const [file] = args;
  // The bot's own message for a missing file speaks of POLICY_FILE, which is not used here.
  if (!existsSync(file)) throw new UsageError(`no file at ${resolve(file)}`);
  const warnings: string[] = [];
  try {
    const policy = loadPolicy(file, { onWarning: (warning) => warnings.push(warning) });
    return { code: 0, stdout: `${describePolicy(file, policy, warnings).join('\n')}\n` };
  } catch (error) {
    if (error instanceof PolicyError) return { code: 1, stderr: `${error.message}\n` };
    throw error;
  }
}

/** The summary of a valid policy: its roles, each action's rule, its aliases, where requests may be made, its audit channel, its warnings. */
export function describePolicy(file: string, policy: Policy, warnings: readonly string[]): string[] {
  const roles = Object.entries(policy.roles);
  const enabled = operationNames.filter((name) => policy.actions[name]);
  return [
    `${file} is a valid twokey policy: ${count(roles.length, 'role')}, ${enabled.length} of ${operationNames.length} actions enabled, ${count(warnings.length, 'warning')}.`,
    '',
    'Roles:',
    ...table(roles.map(([name, role]) => [name, describeRole(name, role)])),
    '',
    'Actions:',
    ...table(operationNames.map((name) => [name, describeRule(policy.actions[name])])),
    '',
    ...describeAliases(policy),
    `Requests may be made ${policy.channels ? `only in ${policy.channels.join(', ')}` : 'in any channel'}.`,
    `Rotated passwords are ${policy.revealPassword === 'requester' ? 'shown to the requester alone' : 'never shown'}.`,
    ...(policy.auditChannel ? [`Every outcome, refusal and policy reload is posted as one line in ${policy.auditChannel}.`] : []),
    ...(warnings.length ? ['', 'Warnings:', ...warnings.map((warning) => `  - ${warning}`)] : []),
  ];
}

function describeRole(name: string, role: RoleDefinition): string {
  const members = [
    role.users.length ? `users ${role.users.join(', ')}` : '',
    role.usergroups.length ? `user groups ${role.usergroups.join(', ')}` : '',
  ].filter(Boolean);
  const powers = name === adminRole ? " (may also cancel anyone's request and read every channel's audit)" : '';
  return `${members.length ? members.join('; ') : 'nobody'}${powers}`;
}

function describeRule(rule: ActionRule | undefined): string {
  if (!rule) return 'not in the policy: refused to everyone';
  const parts = [`requested by ${rule.request.join(', ')}`];
  if (rule.approvals === 0) parts.push('runs at once');
  else {
    parts.push(`${count(rule.approvals, 'approval')} from ${rule.approve.join(', ')} (never the requester)`);
    parts.push(`expires after ${formatDuration(rule.expiresMs)}`);
    if (rule.remindMs) parts.push(`reminds every ${formatDuration(rule.remindMs)}`);
    if (rule.escalation) parts.push(`escalates to ${rule.escalation.to.join(', ')} after ${formatDuration(rule.escalation.afterMs)}`);
    if (rule.breakGlass) parts.push(`break-glass by ${rule.breakGlass.join(', ')}`);
  }
  if (rule.reasonRequired) parts.push('reason required');
  return parts.join('; ');
}

/** Each alias and what it names, in a section of their own; nothing when there are none. */
function describeAliases(policy: Policy): string[] {
  const rows = aliasKinds.flatMap((kind) =>
    Object.entries(policy.aliases[kind]).map(([name, id]): [string, string] => [name, `${aliasNouns[kind]} ${id}`]),
  );
  return rows.length ? ['Aliases:', ...table(rows), ''] : [];
}

/** `name  text` lines, the texts aligned. */
function table(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
