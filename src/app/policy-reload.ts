import { type FSWatcher, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../lib/logger';
import { parsePolicy, PolicyError, type PolicyReload, readPolicyText } from '../policy/load';
import { operationNames } from '../operations/catalog';
import type { Policy, RoleDefinition } from '../policy/schema';

export type { PolicyReload } from '../policy/load';

/** The policy file as read at start-up: its text, so that a later event can tell whether it changed. */
export interface LoadedPolicy {
  file: string;
  text: string;
  policy: Policy;
}

/** Reads and validates the policy file, logging its warnings; throws PolicyError when it cannot be used. */
export function loadPolicyFile(file: string, logger: Logger): LoadedPolicy {
  const text = readPolicyText(file);
  return { file, text, policy: parsePolicy(text, file, { onWarning: warningLogger(logger) }) };
}

export interface PolicyReloaderOptions {
  logger: Logger;
  /** Puts a valid policy in force. */
  apply(policy: Policy): void;
  /** Told what each reload did, to count it and post it to the audit channel. */
  onReload?(reload: PolicyReload): void;
  /** How long the directory must be quiet before the file is read again; an editor's save is several events. */
  debounceMs?: number;
}

export interface PolicyReloader {
  /** Reads the file now and applies it if it is valid: what SIGHUP does. Never rejects. */
  reload(): Promise<PolicyReload>;
  /** Stops watching the file. */
  close(): void;
}

const defaultDebounceMs = 200;

/**
 * Keeps the policy in force in step with its file: on `reload()` and whenever the file changes.
 * The file's directory is watched, not the file, because editors and Kubernetes ConfigMaps
 * replace a file (a rename, a symlink swap) rather than write into it, and a watch on the old
 * file would never hear of the new one. Any event in the directory reads the file again; only a
 * change of its text reloads it. A file that cannot be used leaves the policy in force as it is.
 */
export function watchPolicy(loaded: LoadedPolicy, options: PolicyReloaderOptions): PolicyReloader {
  const { file } = loaded;
  const { logger } = options;
  let inForce = loaded.policy;
  // The text last read, used or not (undefined: the file could not be read).
  let lastText: string | undefined = loaded.text;
  // One reload at a time, in order.
  let queue: Promise<unknown> = Promise.resolve();

  const reloadNow = (): PolicyReload => {
    let text: string | undefined;
    let reload: PolicyReload;
    try {
      text = readPolicyText(file);
      const next = parsePolicy(text, file, { onWarning: warningLogger(logger) });
      const changes = policyChanges(inForce, next);
      options.apply(next);
      inForce = next;
      reload = { result: 'applied', changes };
      logger.info('policy reloaded', { file, changes });
    } catch (error) {
      const problems = error instanceof PolicyError ? error.problems : [error instanceof Error ? error.message : String(error)];
      reload = { result: 'rejected', problems };
      logger.error('policy not reloaded: the file cannot be used, the policy in force stays', { file, problems });
    }
    lastText = text;
    options.onReload?.(reload);
    return reload;
  };
  // A bad file (or one that stays unreadable) is reported once, not at every event in its directory.
  const reloadIfChanged = () => {
    let text: string | undefined;
    try {
      text = readPolicyText(file);
    } catch {
      // Unreadable: reported by the reload, unless it was last time too.
    }
    if (text !== lastText) reloadNow();
  };
  const enqueue = <T>(work: () => T): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  let debounce: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void enqueue(reloadIfChanged), options.debounceMs ?? defaultDebounceMs);
  };
  let watcher: FSWatcher | undefined;
  try {
    // Not persistent: watching alone never keeps the process running.
    watcher = watch(dirname(resolve(file)), { persistent: false }, changed);
    watcher.on('error', (error) => {
      logger.warn('stopped watching the policy file; SIGHUP still reloads it', { file, error });
      watcher?.close();
    });
  } catch (error) {
    logger.warn('cannot watch the policy file; SIGHUP still reloads it', { file, error });
  }
  // The file may have changed between its loading and the watch.
  changed();

  return {
    reload: () => enqueue(reloadNow),
    close() {
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}

function warningLogger(logger: Logger) {
  return (warning: string) => logger.warn('policy warning', { warning });
}

/** What changed from `before` to `after`, one short sentence each, for the log; empty when nothing did. */
export function policyChanges(before: Policy, after: Policy): string[] {
  const changes: string[] = [];
  for (const [name, role] of Object.entries(after.roles)) {
    const old = before.roles[name];
    if (!old) {
      changes.push(`role ${name} added: ${members(role)}`);
      continue;
    }
    const { added, removed } = memberChanges(old, role);
    if (added.length || removed.length) {
      const what = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''];
      changes.push(`role ${name}: ${what.filter(Boolean).join('; ')}; now ${members(role)}`);
    }
  }
  for (const name of Object.keys(before.roles)) {
    if (!after.roles[name]) changes.push(`role ${name} removed`);
  }
  for (const action of operationNames) {
    const [old, rule] = [before.actions[action], after.actions[action]];
    if (!old && rule) changes.push(`action ${action} enabled`);
    else if (old && !rule) changes.push(`action ${action} removed: refused to everyone`);
    else if (old && rule) {
      // Who may skip every approval is named, not just "changed": the audit channel shows it.
      if (!isDeepStrictEqual(old.breakGlass, rule.breakGlass)) {
        changes.push(`action ${action}: break_glass ${holders(old.breakGlass)} → ${holders(rule.breakGlass)}`);
      }
      if (!isDeepStrictEqual({ ...old, breakGlass: undefined }, { ...rule, breakGlass: undefined })) changes.push(`action ${action} changed`);
    }
  }
  if (!isDeepStrictEqual(before.channels, after.channels)) changes.push('channels changed');
  if (!isDeepStrictEqual(before.aliases, after.aliases)) changes.push('aliases changed');
  if (before.revealPassword !== after.revealPassword) {
    changes.push(`reveal_password: ${before.revealPassword} → ${after.revealPassword}`);
  }
  if (before.auditChannel !== after.auditChannel) {
    changes.push(`audit_channel: ${before.auditChannel ?? 'none'} → ${after.auditChannel ?? 'none'}`);
  }
  return changes;
}

function holders(roles: string[] | undefined): string {
  return roles?.length ? roles.join(', ') : 'nobody';
}

function members(role: RoleDefinition): string {
  return `${count(role.users.length, 'user')}, ${count(role.usergroups.length, 'user group')}`;
}

/** The user and user-group IDs a role gained and lost; order in the file does not matter. */
function memberChanges(before: RoleDefinition, after: RoleDefinition): { added: string[]; removed: string[] } {
  const [was, is] = [before, after].map((role) => new Set([...role.users, ...role.usergroups]));
  return { added: [...is].filter((id) => !was.has(id)), removed: [...was].filter((id) => !is.has(id)) };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
