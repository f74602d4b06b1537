import type { Logger } from '../lib/logger';
import type { CoreObserver, Messenger, Store } from '../model/ports';
import type { RoleResolver } from '../policy/roles';
import type { Policy } from '../policy/schema';
import type { VendorClients } from '../vendors/types';

/** What the core is built from. */
export interface CoreOptions {
  policy: Policy;
  roles: RoleResolver;
  store: Store;
  vendors: VendorClients;
  messenger: Messenger;
  /** Most vendor calls one request runs at once. */
  concurrency: number;
  /** The longest one execution can run, retries included: one started longer ago than this was cut off. */
  executionDeadlineMs: number;
  logger: Logger;
  /** The clock; injectable so that expiry can be tested. */
  now?: () => Date;
  observer?: CoreObserver;
}

export type CoreContext = Required<CoreOptions> & {
  /** Runs work that nobody waits for (the sweep's announcements, a late write), so that a stop can still let it finish. */
  background(what: string, work: Promise<void>): void;
};

const unobserved: CoreObserver = { requestFinished: () => undefined, approvalCounted: () => undefined };

/** Fills in defaults once, so every part of the core reads the same clock. */
export function coreContext(options: CoreOptions, background: CoreContext['background']): CoreContext {
  return { ...options, now: options.now ?? (() => new Date()), observer: options.observer ?? unobserved, background };
}
