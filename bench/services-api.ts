/**
 * What the benchmark asks of the services process (the fake Slack Web API and the vendor
 * simulator), and the messages that carry those requests over the IPC channel.
 */
import type { CallEnd, FaultSpec } from '../src/simulator';

export interface ServiceUrls {
  /** `http://127.0.0.1:PORT` of the fake Slack: its Web API is under `/api/`, response_urls under `/response/`. */
  slackBaseUrl: string;
  slackApiUrl: string;
  botToken: string;
  vendorUrl: string;
  vendorTokens: { altostrat: string; aitronos: string };
}

/** A top-level message as the fake Slack recorded it; `at` is its epoch ms. */
export interface Posted {
  channel: string;
  ts: string;
  at: number;
  text: string;
  /** Only when asked for (an approval card, to click on). */
  blocks?: Record<string, unknown>[];
}

/** One vendor call as the simulator saw it (epoch ms). */
export interface VendorCallRecord {
  path: string;
  receivedAt: number;
  answeredAt?: number;
  status?: number;
  /** `aborted` when the caller gave up (a timeout) before the answer. */
  end?: CallEnd;
}

export interface CpuUse {
  /** Wall time since the previous `usage` call. */
  wallMs: number;
  /** CPU time (user + system) over that wall time. */
  cpuMs: number;
  /** Event-loop utilisation over that wall time, 0–1. */
  elu: number;
}

export interface ServicesApi {
  /** Every vendor call waits `latencyMs`; `faults` replace the ones in force. */
  configure(settings: { latencyMs: number; faults: FaultSpec[] }): void;
  /** Adds the site (if new) and the sessions that commands will revoke. */
  addSessions(siteId: string, sessionIds: string[]): void;
  /** Adds the organization (if new) and the grants that commands will revoke. */
  addGrants(organizationId: string, grantIds: string[]): void;
  /** Forgets recorded Slack traffic and vendor calls; the in-flight peak starts again. */
  clear(): void;
  /**
   * The first top-level message of each channel, once every channel has one; with `partial`,
   * those that came by the deadline instead of an error naming the missing.
   */
  awaitMessages(query: { channels: string[]; withBlocks?: boolean; timeoutMs: number; partial?: boolean }): Promise<Posted[]>;
  /** The direct-message channel the fake Slack opens for a user. */
  dmChannelFor(userId: string): string;
  vendorCalls(): { calls: VendorCallRecord[]; maxInFlight: number };
  /** Those of `sessionIds` that still exist on the site. */
  sessionsLeft(siteId: string, sessionIds: string[]): string[];
  /** Every Slack Web API call recorded since the last clear: method and epoch ms. */
  slackCalls(): { method: string; at: number }[];
  /** This process's CPU and event-loop use since the previous call. */
  usage(): CpuUse;
}

export type ServicesRequest = {
  [K in keyof ServicesApi]: { id: number; method: K; args: Parameters<ServicesApi[K]> };
}[keyof ServicesApi];

export type ServicesReply = { id: number; result: unknown } | { id: number; error: string };

/** The first message the services process sends: where everything listens. */
export interface ServicesReady {
  ready: ServiceUrls;
}
