import type { Logger } from '../lib/logger';
import type { AccountLookup, CoreObserver, Messenger, Store } from '../model/ports';
import type { RoleResolver } from '../policy/roles';
import type { Policy } from '../policy/schema';
import type { VendorClients } from '../vendors/types';
import { requestStory } from './story';

/** What the core is built from. */
export interface CoreOptions {
  /** The policy in force; a reload replaces it, so it is read when a decision is made, never kept. */
  policy: Policy;
  roles: RoleResolver;
  /** Where an approver's chat account stands, asked at each Approve and Deny. */
  accounts: AccountLookup;
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
  /** Told of each step of each request (metrics); the events it does not implement are passed over. */
  observer?: Partial<CoreObserver>;
}

export type CoreContext = Required<Omit<CoreOptions, 'observer'>> & {
  /** Every observer of the core: the request story in the log, and the one given. */
  observer: CoreObserver;
  /** Runs work that nobody waits for (the sweep's announcements, a late write), so that a stop can still let it finish. */
  background(what: string, work: Promise<void>): void;
};

/** Fills in defaults once, so every part of the core reads the same clock; each request's story is always logged. */
export function coreContext(options: CoreOptions, background: CoreContext['background']): CoreContext {
  const observer = observeAll([requestStory(options.logger), options.observer ?? {}]);
  return { ...options, now: options.now ?? (() => new Date()), observer, background };
}

/** Tells each observer of each event, in turn; one that does not implement an event is passed over. */
export function observeAll(observers: readonly Partial<CoreObserver>[]): CoreObserver {
  return {
    received: (command) => observers.forEach((observer) => observer.received?.(command)),
    refused: (attempt) => observers.forEach((observer) => observer.refused?.(attempt)),
    pending: (request) => observers.forEach((observer) => observer.pending?.(request)),
    approvalCounted: (request, approverId) => observers.forEach((observer) => observer.approvalCounted?.(request, approverId)),
    requestFinished: (request, status) => observers.forEach((observer) => observer.requestFinished?.(request, status)),
    listed: (lookup) => observers.forEach((observer) => observer.listed?.(lookup)),
    brokeGlass: (request) => observers.forEach((observer) => observer.brokeGlass?.(request)),
    reviewed: (request) => observers.forEach((observer) => observer.reviewed?.(request)),
  };
}
