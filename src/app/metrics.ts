import fs from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CoreObserver, RefusedAttempt, TargetLookup } from '../model/ports';
import type { RequestRecord, RequestStatus } from '../model/request';
import type { VendorAttempt } from '../vendors/http';

/**
 * twokey's Prometheus metrics, served at GET /metrics: its own under `twokey_`, and the process
 * and runtime metrics under their standard names, so that stock Node.js dashboards find them.
 */
export class Metrics implements Pick<CoreObserver, 'refused' | 'approvalCounted' | 'requestFinished' | 'listed' | 'brokeGlass'> {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly approvals: Counter<'operation'>;
  private readonly refusals: Counter<'operation' | 'reason'>;
  private readonly slackCalls: Counter<'method' | 'outcome'>;
  private readonly policyReloads: Counter<'result'>;
  private readonly listings: Counter<'operation' | 'outcome'>;
  private readonly breakGlass: Counter<'operation'>;
  private readonly vendorCalls: Histogram<'vendor' | 'status'>;

  /** `countPending` is asked at each scrape: one COUNT over the shared database. */
  constructor(countPending: () => Promise<number>, version = packageVersion()) {
    const registers = [this.registry];
    new Gauge({
      name: 'twokey_build_info',
      help: 'Always 1; the version of twokey running, as a label.',
      labelNames: ['version'],
      registers,
    }).set({ version }, 1);
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
    this.refusals = new Counter({
      name: 'twokey_refusals_total',
      help: "Commands and clicks the policy refused, by operation and the policy's reason (no_role, roles_unavailable, …).",
      labelNames: ['operation', 'reason'],
      registers,
    });
    this.slackCalls = new Counter({
      name: 'twokey_slack_calls_total',
      help: "Slack calls, each try counted (Web API methods, and response_url posts), by outcome: ok, Slack's error code, an HTTP status, timeout or connection.",
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.policyReloads = new Counter({
      name: 'twokey_policy_reloads_total',
      help: 'Policy reloads: applied, or rejected (the file was invalid and the policy in force stayed).',
      labelNames: ['result'],
      registers,
    });
    this.listings = new Counter({
      name: 'twokey_listings_total',
      help: "Targets looked up with a vendor's list call, by operation and outcome: listed, or the vendor's failure (http, timeout, connection, …).",
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.breakGlass = new Counter({
      name: 'twokey_break_glass_total',
      help: 'Requests run at once without approval under --break-glass, by operation: worth an alert on any increase.',
      labelNames: ['operation'],
      registers,
    });
    // Both series exist from the start, so that a rate or an alert on rejections sees a zero.
    for (const result of ['applied', 'rejected']) this.policyReloads.inc({ result }, 0);
    this.vendorCalls = new Histogram({
      name: 'twokey_vendor_call_duration_seconds',
      help: 'Vendor call attempts, by vendor and HTTP status (or timeout / connection).',
      labelNames: ['vendor', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'twokey_pending_requests',
      help: 'Requests waiting for approval in the whole database: every replica reports the same count, so aggregate with max, not sum.',
      registers,
      async collect() {
        this.set(await countPending());
      },
    });
    collectDefaultMetrics({ register: this.registry });
    // prom-client also reports the totals of active handles, requests and resources as gauges
    // named `_total`, a suffix Prometheus keeps for counters. They are left out; their per-type
    // gauges (`nodejs_active_handles{type}`, …) stay, and `sum()` of one gives its total.
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric instanceof Gauge && metric.name.endsWith('_total')) this.registry.removeSingleMetric(metric.name);
    }
  }

  requestFinished(request: RequestRecord, status: RequestStatus): void {
    this.requests.inc({ operation: request.operation, outcome: status });
  }

  approvalCounted(request: RequestRecord): void {
    this.approvals.inc({ operation: request.operation });
  }

  refused({ operation, reason }: RefusedAttempt): void {
    this.refusals.inc({ operation: operation ?? 'none', reason });
  }

  listed({ operation, outcome }: TargetLookup): void {
    this.listings.inc({ operation, outcome });
  }

  brokeGlass(request: RequestRecord): void {
    this.breakGlass.inc({ operation: request.operation });
  }

  /** One Slack call: `method` is the Web API method, or `response_url`. */
  slackCall(method: string, outcome: string): void {
    this.slackCalls.inc({ method, outcome });
  }

  policyReloaded(result: 'applied' | 'rejected'): void {
    this.policyReloads.inc({ result });
  }

  vendorAttempt(attempt: VendorAttempt): void {
    this.vendorCalls.observe({ vendor: attempt.vendor, status: String(attempt.status ?? attempt.failure) }, attempt.ms / 1000);
  }
}

/**
 * The version in twokey's package.json, found by walking up from this file, so that it is found
 * from `src/app` (tests), `dist/app` (a build) and an installed package alike.
 */
export function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const found = readPackage(path.join(dir, 'package.json'));
    if (found?.name === 'twokey' && typeof found.version === 'string') return found.version;
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** A package.json's name and version; nothing when there is none here or it cannot be read. */
function readPackage(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
