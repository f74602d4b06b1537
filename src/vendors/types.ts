import type { VendorFailure, VendorName } from '../model/failure';

export { vendorNames, type VendorName } from '../model/failure';

export const vendorTitles: Record<VendorName, string> = {
  altostrat: 'Altostrat',
  aitronos: 'Aitronos',
};

export type HttpMethod = 'GET' | 'DELETE' | 'POST';

/** One HTTP call to a vendor, described as data so that a dry run can show it. */
export interface VendorCall {
  vendor: VendorName;
  method: HttpMethod;
  /**
   * Path below the vendor's base URL, path segments already encoded, optionally followed by an
   * encoded query (`/vpn/instances/{id}/peers?type=site`).
   */
  path: string;
  /** True when sending the call twice is harmless (the GETs and DELETEs); false for rotate. */
  idempotent: boolean;
}

/**
 * A DELETE wants its target gone, so its 404 says that goal already holds (a POST's 404 says
 * nothing was done, a GET's that its parent does not exist).
 */
export function isRemoval(call: VendorCall): boolean {
  return call.method === 'DELETE';
}

/**
 * A 2xx answer, or a removal's 404 on a retry after an attempt that may have reached the vendor:
 * that attempt removed the target. Anything else is thrown as a VendorError.
 */
export interface VendorResponse {
  status: number;
  body: unknown;
  /** Set on that 404: what the attempt before it met (a 5xx, a timeout, a broken connection). */
  earlierFailure?: VendorFailure;
}

export interface VendorClient {
  readonly vendor: VendorName;
  readonly baseUrl: string;
  send(call: VendorCall): Promise<VendorResponse>;
  /** Closes the client's connections; calls after this fail. */
  close(): Promise<void>;
}

export type VendorClients = Record<VendorName, VendorClient>;

export interface RetryPolicy {
  /** Retries after the first attempt (so `attempts: 3` means up to 4 sends). */
  attempts: number;
  /** First backoff; doubles each retry, with jitter. */
  baseDelayMs: number;
  /** Upper bound on one wait, including a vendor's Retry-After. */
  maxDelayMs: number;
}

export interface VendorSettings {
  baseUrl: string;
  token: string;
  connectTimeoutMs: number;
  /** Budget for one attempt's whole answer, counted from when the request is sent (so not connecting). */
  timeoutMs: number;
  /** Most calls in flight to the vendor at once, across all commands; the others wait their turn, unsent. */
  maxInFlight: number;
  retry: RetryPolicy;
}
