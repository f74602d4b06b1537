export interface RetryBudgetOptions {
  /** Retries allowed per first attempt sent in the window: 0.1 is one retry for every ten calls. */
  share: number;
  /** Retries allowed in any window on top of the share, so that a lone failing call is still retried. */
  floor: number;
  windowMs: number;
  now?: () => number;
}

/** One retry for every ten calls, and ten in any ten seconds whatever the traffic. */
const defaultRetryBudget: RetryBudgetOptions = { share: 0.1, floor: 10, windowMs: 10_000 };

interface Slice {
  start: number;
  firstAttempts: number;
  retries: number;
}

// The window is counted in slices, so that old counts leave it a slice at a time.
const SLICES = 10;

const emptySlice = (start: number): Slice => ({ start, firstAttempts: 0, retries: 0 });

/**
 * Caps the retries sent to one vendor at `share` of the first attempts sent in the last
 * `windowMs`, plus `floor`. When a vendor fails every call, retrying each one up to
 * VENDOR_RETRIES times would multiply the load on a vendor that is already struggling, and so
 * make it fail more: the "retry budget" of gRPC, Envoy and Finagle.
 */
export class RetryBudget {
  private readonly slices: Slice[] = Array.from({ length: SLICES }, () => emptySlice(-Infinity));
  private readonly sliceMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RetryBudgetOptions = defaultRetryBudget) {
    this.sliceMs = options.windowMs / SLICES;
    this.now = options.now ?? Date.now;
  }

  firstAttemptSent(): void {
    this.currentSlice().firstAttempts += 1;
  }

  /** Takes one retry from the budget; false when the window's retries already reached their share. */
  takeRetry(): boolean {
    const since = this.now() - this.options.windowMs;
    let firstAttempts = 0;
    let retries = 0;
    for (const slice of this.slices) {
      if (slice.start <= since) continue;
      firstAttempts += slice.firstAttempts;
      retries += slice.retries;
    }
    if (retries + 1 > this.options.floor + this.options.share * firstAttempts) return false;
    this.currentSlice().retries += 1;
    return true;
  }

  private currentSlice(): Slice {
    const index = Math.floor(this.now() / this.sliceMs);
    const slot = index % SLICES;
    const start = index * this.sliceMs;
    // The slot last counted a slice a whole window ago: it starts afresh.
    if (this.slices[slot].start !== start) this.slices[slot] = emptySlice(start);
    return this.slices[slot];
  }
}
