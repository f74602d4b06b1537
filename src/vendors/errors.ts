import type { FailureKind, FailureOutcome, VendorFailure, VendorName } from '../model/failure';

/** The one error shape for both vendors' envelopes, timeouts and connection failures. */
export class VendorError extends Error implements VendorFailure {
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

  constructor(fields: VendorFailure) {
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
