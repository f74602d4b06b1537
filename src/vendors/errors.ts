import type { VendorName } from './types';

/** How a vendor call failed. */
export type FailureKind = 'http' | 'timeout' | 'connection' | 'invalid_response';

/**
 * Whether the vendor may have applied the change: `failed` means it certainly did not,
 * `unknown` means it may have (a timeout after sending, a 5xx, an unreadable 2xx).
 */
export type FailureOutcome = 'failed' | 'unknown';

export interface VendorErrorFields {
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

/** The one error shape for both vendors' envelopes, timeouts and connection failures. */
export class VendorError extends Error implements VendorErrorFields {
  readonly vendor: VendorName;
  readonly kind: FailureKind;
  readonly status?: number;
  readonly code?: string;
  readonly traceId?: string;
  readonly docUrl?: string;
  readonly retryable: boolean;
  readonly outcome: FailureOutcome;
  readonly retryAfterMs?: number;
  attempts: number;

  constructor(fields: VendorErrorFields) {
    super(fields.message);
    this.name = 'VendorError';
    this.vendor = fields.vendor;
    this.kind = fields.kind;
    this.status = fields.status;
    this.code = fields.code;
    this.traceId = fields.traceId;
    this.docUrl = fields.docUrl;
    this.retryable = fields.retryable;
    this.outcome = fields.outcome;
    this.retryAfterMs = fields.retryAfterMs;
    this.attempts = fields.attempts ?? 1;
  }
}
