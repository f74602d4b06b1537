/** The vendors whose APIs twokey calls. */
export const vendorNames = ['altostrat', 'aitronos'] as const;
export type VendorName = (typeof vendorNames)[number];

/** How a vendor call failed; `not_sent` when twokey did not make it at all. */
export type FailureKind = 'http' | 'timeout' | 'connection' | 'invalid_response' | 'not_sent';

/**
 * Whether the vendor may have applied the change: `failed` means it certainly did not,
 * `unknown` means it may have (a timeout after sending, a 5xx, an unreadable 2xx).
 */
export type FailureOutcome = 'failed' | 'unknown';

/** The one error model: both vendors' envelopes, timeouts and connection failures, as every transport shows them. */
export interface VendorFailure {
  vendor: VendorName;
  kind: FailureKind;
  message: string;
  status?: number;
  code?: string;
  traceId?: string;
  docUrl?: string;
  retryable: boolean;
  outcome: FailureOutcome;
  /** Milliseconds the vendor asked us to wait (Retry-After), when it said. */
  retryAfterMs?: number;
  /** How many times the call was sent before giving up. */
  attempts?: number;
}
