import type { Logger } from '../lib/logger';
import type { ChatPorts, CoreObserver, Store } from '../model/ports';
import { maxTargets } from '../operations/grammar';
import { cachedAccountLookup } from '../policy/accounts';
import { RoleResolver } from '../policy/roles';
import type { Policy } from '../policy/schema';
import { type Sweep, Twokey } from '../requests/core';
import type { VendorClients } from '../vendors/types';
import type { Config } from './config';

/** What the core is made of, whichever transport drives it; each part is opened by the caller, who closes it. */
export interface CoreParts {
  config: Pick<Config, 'concurrency' | 'usergroupCacheTtlMs' | 'vendors' | 'database'>;
  policy: Policy;
  store: Store;
  vendors: VendorClients;
  logger: Logger;
  /** The clock; tests move it to make requests expire. */
  now?: () => Date;
  observer?: Partial<CoreObserver>;
}

export interface AssembledCore {
  core: Twokey;
  /** At start-up: reports the executions a stopped process left unfinished, and announces what it left unannounced. */
  recoverInterrupted(): Promise<void>;
  /**
   * Sweeps every `intervalMs`, never two at once. `around` lets a transport fit each sweep
   * between its own work (the shell runs one thing at a time).
   */
  startSweeping(intervalMs: number, around?: (sweep: () => Promise<void>) => Promise<void>): { stop(): void };
  /** The longest one vendor call can take, retries and their waits included: how long a stop waits for calls under way. */
  longestVendorCallMs: number;
}

/** The one place the core is put together, for Slack and the shell alike: its chat comes from the transport. */
export function assembleCore(parts: CoreParts, chat: ChatPorts): AssembledCore {
  const { config, policy, logger } = parts;
  const longestVendorCallMs = longestCallMs(config.vendors);
  // An execution that ran longer than any could was cut off by a process that stopped.
  const executionDeadlineMs = longestVendorCallMs * Math.ceil(maxTargets / config.concurrency);
  const now = parts.now ?? (() => new Date());
  // On the core's clock, so that a test moving it also ages the cached group members and accounts.
  const cache = { ttlMs: config.usergroupCacheTtlMs, now: () => now().getTime() };
  const core = new Twokey({
    policy,
    roles: new RoleResolver(policy, chat.usergroupMembers, cache),
    accounts: cachedAccountLookup(chat.account, cache),
    store: parts.store,
    vendors: parts.vendors,
    messenger: chat.messenger,
    concurrency: config.concurrency,
    executionDeadlineMs,
    logger,
    now,
    observer: parts.observer,
  });
  const logSweep = (sweep: Sweep) =>
    logger.debug('swept', Object.fromEntries(Object.entries(sweep).map(([what, done]: [string, unknown[]]) => [what, done.length])));

  return {
    core,
    longestVendorCallMs,
    async recoverInterrupted() {
      // With SQLite one process owns the file, so at start-up whatever is unfinished or unannounced
      // was left by a stopped one; on a shared database another replica may still be at it.
      await core.recoverAtStart(config.database.kind === 'sqlite');
    },
    startSweeping(intervalMs, around = (sweep) => sweep()) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        around(async () => logSweep(await core.sweep()))
          .catch((error: unknown) => logger.error('expiry sweep failed', { error }))
          .finally(() => {
            running = false;
          });
      }, intervalMs);
      timer.unref();
      return { stop: () => clearInterval(timer) };
    },
  };
}

function longestCallMs(vendors: Config['vendors']): number {
  return Math.max(
    // An attempt's time budget starts once it is sent: connecting comes before it.
    ...Object.values(vendors).map(
      ({ connectTimeoutMs, timeoutMs, retry }) =>
        (connectTimeoutMs + timeoutMs) * (retry.attempts + 1) + retry.maxDelayMs * retry.attempts,
    ),
  );
}
