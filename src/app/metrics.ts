import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CoreObserver } from '../model/ports';
import type { RequestStatus } from '../model/request';
import type { VendorAttempt } from '../vendors/http';

/** twokey's Prometheus metrics, served at GET /metrics. */
export class Metrics implements CoreObserver {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly approvals: Counter<'operation'>;
  private readonly vendorCalls: Histogram<'vendor' | 'status'>;

  /** `countPending` is asked at each scrape, so the gauge is right on every replica. */
  constructor(countPending: () => Promise<number>) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'twokey_requests_total',
      help: 'Requests that reached a final status, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.approvals = new Counter({
      name: 'twokey_approvals_total',
      help: 'Approvals counted, by operation.',
      labelNames: ['operation'],
      registers,
    });
    this.vendorCalls = new Histogram({
      name: 'twokey_vendor_call_duration_seconds',
      help: 'Vendor call attempts, by vendor and HTTP status (or timeout / connection).',
      labelNames: ['vendor', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'twokey_pending_requests',
      help: 'Requests waiting for approval.',
      registers,
      async collect() {
        this.set(await countPending());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'twokey_' });
  }

  requestFinished(operation: string, status: RequestStatus): void {
    this.requests.inc({ operation, outcome: status });
  }

  approvalCounted(operation: string): void {
    this.approvals.inc({ operation });
  }

  vendorAttempt(attempt: VendorAttempt): void {
    this.vendorCalls.observe({ vendor: attempt.vendor, status: String(attempt.status ?? attempt.failure) }, attempt.ms / 1000);
  }
}
