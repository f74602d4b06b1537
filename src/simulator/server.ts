import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../lib/logger';
import { aitronosSimulation } from './aitronos';
import { altostratScopes, altostratSimulation } from './altostrat';
import { CallLog, type Authorization, type CallEnd, type CallRecord } from './calls';
import type { SimulatedVendor } from './contract';
import { controlRoot, handleControl } from './control';
import { FaultSet } from './faults';
import type { CallKey } from './filter';
import {
  jsonResponse,
  pathSegments,
  requestPath,
  requestQuery,
  statusText,
  writeResponse,
  type SimResponse,
  type VendorSimulation,
} from './http';
import { emptySeed, type SimulatorSeed } from './seed';
import { SimulatorState } from './state';

export const defaultSimulatorTokens: Readonly<Record<SimulatedVendor, string>> = {
  altostrat: 'sim-altostrat-token',
  aitronos: 'sim-aitronos-token',
};

export interface SimulatorOptions {
  /** Bearer tokens each vendor accepts; `defaultSimulatorTokens` where absent. */
  tokens?: Partial<Record<SimulatedVendor, string>>;
  /** Scopes of the Altostrat token; every scope in `altostratScopes` when absent. */
  scopes?: readonly string[];
  /** Data at start and after `reset()`; empty when absent. */
  seed?: SimulatorSeed;
  /** Added to every vendor call. */
  latencyMs?: number;
  logger?: Logger;
  /** Decides faults that have a probability; Math.random when absent. */
  random?: () => number;
}

/** Altostrat and Aitronos on one port, with state, fault injection and a record of calls. */
export interface Simulator {
  /** Base URL for both vendors; throws when the simulator is not running. */
  readonly url: string;
  readonly tokens: Readonly<Record<SimulatedVendor, string>>;
  readonly state: SimulatorState;
  readonly faults: FaultSet;
  readonly calls: CallLog;
  latencyMs: number;
  /** Listens on `port` (0: any free port) and resolves with the base URL. */
  start(port?: number, host?: string): Promise<string>;
  /** Closes every connection, held calls included. */
  stop(): Promise<void>;
  /** Back to the seed and the initial latency, with no faults and no recorded calls. */
  reset(): void;
}

/** What a vendor call turns into: an answer, or a connection destroyed without one. */
type Answer = SimResponse | 'reset';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

interface Delivered {
  end: CallEnd;
  status?: number;
}

/** Sends the answer, or cuts the connection for a reset. */
function deliver(req: IncomingMessage, res: ServerResponse, answer: Answer): Delivered {
  if (answer === 'reset') {
    req.socket.destroy();
    return { end: 'reset' };
  }
  writeResponse(res, answer);
  return { end: 'answered', status: answer.status };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

class VendorSimulator implements Simulator {
  readonly tokens: Readonly<Record<SimulatedVendor, string>>;
  readonly state: SimulatorState;
  readonly faults: FaultSet;
  readonly calls = new CallLog();
  latencyMs: number;
  private readonly seed: SimulatorSeed;
  private readonly vendors: readonly VendorSimulation[];
  private readonly server: Server;
  private baseUrl?: string;

  constructor(private readonly options: SimulatorOptions) {
    this.tokens = { ...defaultSimulatorTokens, ...options.tokens };
    this.seed = options.seed ?? emptySeed;
    this.state = new SimulatorState(this.seed);
    this.faults = new FaultSet(options.random);
    this.latencyMs = options.latencyMs ?? 0;
    this.vendors = [
      altostratSimulation(this.state, options.scopes ?? altostratScopes),
      aitronosSimulation(this.state),
    ];
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('the simulator is not running');
    return this.baseUrl;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server.listening) throw new Error('the simulator is already running');
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    this.baseUrl = `http://${urlHost(host)}:${boundPort}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    this.server.closeAllConnections();
    await closed;
    this.baseUrl = undefined;
  }

  reset(): void {
    this.state.load(this.seed);
    this.faults.clear();
    this.calls.clear();
    this.latencyMs = this.options.latencyMs ?? 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestPath(req.url);
    if (pathSegments(path)[0] === controlRoot) {
      writeResponse(res, await handleControl(this, req, path).catch((error: unknown) => this.failure(error)));
      return;
    }
    await this.vendorCall(req, res, path);
  }

  private async vendorCall(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const segments = pathSegments(path);
    const vendor = this.vendors.find((candidate) => candidate.roots.includes(segments[0]));
    const key: CallKey = { vendor: vendor?.vendor, method: req.method ?? 'GET', path };
    const query = requestQuery(req.url);
    const authorization = this.authorize(req.headers.authorization, vendor);
    const record = this.calls.begin({ ...key, query, authorization });
    // A client that gives up (a timeout) closes the connection: stop holding its call.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    req.resume();

    let delivered: Delivered;
    try {
      delivered = deliver(req, res, await this.answer(key, segments, query, vendor, record, gone.signal));
    } catch (error) {
      delivered = gone.signal.aborted ? { end: 'aborted' } : deliver(req, res, this.failure(error));
    }
    this.calls.finish(record, delivered.end, delivered.status);
    this.options.logger?.debug('simulator call', { ...key, ...delivered, ms: Date.now() - record.receivedAt });
  }

  private async answer(
    key: CallKey,
    segments: string[],
    query: string,
    vendor: VendorSimulation | undefined,
    record: CallRecord,
    signal: AbortSignal,
  ): Promise<Answer> {
    if (this.latencyMs > 0) await delay(this.latencyMs, undefined, { signal });
    const fault = this.faults.take(key);
    if (fault) this.calls.noteFault(record, fault.type);
    const errorFor = (status: number) => vendor?.error(status) ?? jsonResponse(status, { message: statusText(status) });
    const normally = () => this.route(key.method, segments, new URLSearchParams(query), vendor, record.authorization);

    switch (fault?.type) {
      case undefined:
        return normally();
      case 'status':
        return fault.body === undefined
          ? errorFor(fault.status)
          : { status: fault.status, headers: { 'content-type': fault.contentType }, body: fault.body };
      case 'delay':
        await delay(fault.ms, undefined, { signal });
        return fault.status === undefined ? normally() : errorFor(fault.status);
      case 'reset':
        return 'reset';
      case 'malformed':
        return { status: fault.status, headers: { 'content-type': 'application/json' }, body: '{"id": "5f0c' };
      case 'rate_limit': {
        const limited = errorFor(429);
        return { ...limited, headers: { ...limited.headers, 'retry-after': String(fault.retryAfterSeconds) } };
      }
    }
  }

  private route(
    method: string,
    segments: string[],
    query: URLSearchParams,
    vendor: VendorSimulation | undefined,
    authorization: Authorization,
  ): SimResponse | Promise<SimResponse> {
    if (!vendor) return jsonResponse(404, { message: 'Not Found' });
    if (authorization !== 'valid') return vendor.unauthenticated();
    return vendor.handle(method, segments, query);
  }

  private authorize(header: string | undefined, vendor: VendorSimulation | undefined): Authorization {
    if (!header) return 'missing';
    const token = BEARER.exec(header)?.[1];
    const accepted = vendor ? [this.tokens[vendor.vendor]] : Object.values(this.tokens);
    return token !== undefined && accepted.includes(token) ? 'valid' : 'invalid';
  }

  private failure(error: unknown): SimResponse {
    this.options.logger?.error('simulator failure', { error });
    return jsonResponse(500, { message: 'simulator failure' });
  }
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  return new VendorSimulator(options);
}
