import { setTimeout as delay } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '../lib/logger';
import type { FailureKind } from '../model/failure';
import { answerClock, AnswerTimeoutError } from './answer-clock';
import { VendorError } from './errors';
import { Limiter } from './limiter';
import { errorFromResponse } from './normalize';
import { RetryBudget } from './retry-budget';
import {
  isRemoval,
  vendorTitles,
  type RetryPolicy,
  type VendorCall,
  type VendorClient,
  type VendorName,
  type VendorResponse,
  type VendorSettings,
} from './types';

export interface VendorClientOptions {
  logger?: Logger;
  /** How to wait between retries; tests pass one that does not really wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Send through this dispatcher (a MockAgent, say) instead of the client's own Agent. */
  dispatcher?: Dispatcher;
  /** Told of every attempt, for metrics. */
  onAttempt?: (attempt: VendorAttempt) => void;
}

/** The facts of one attempt: never headers, tokens or bodies. */
export interface VendorAttempt {
  vendor: VendorName;
  method: VendorCall['method'];
  path: string;
  attempt: number;
  /** From the attempt's turn in the vendor's queue to its answer: the wait for that turn is not counted. */
  ms: number;
  /** The HTTP status, absent when none came (timeout, connection failure). */
  status?: number;
  failure?: FailureKind;
}

const USER_AGENT = 'twokey';
const MAX_RESPONSE_BYTES = 1024 * 1024;
// Below the 5 s keep-alive of common servers, so we never reuse a socket the vendor is closing.
const KEEP_ALIVE_MS = 4_000;

// The connection never opened, so the vendor certainly did not receive the request.
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// The connection broke after it opened: the vendor may have received the request.
const connectionLostCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);
// undici's own timeouts, which a dispatcher passed in may keep.
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
// The dispatcher was closed; close() waits for calls in flight, so these only meet calls made after
// it or still waiting for their turn.
const closedCodes = new Set(['UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return typeof code === 'string' ? code : errorCode(cause);
}

/** A VendorError for a call that got no complete answer. */
function transportError(vendor: VendorName, error: unknown, timeoutMs: number): VendorError {
  const code = errorCode(error);
  if (error instanceof AnswerTimeoutError || (code !== undefined && timeoutCodes.has(code))) {
    return new VendorError({
      vendor,
      kind: 'timeout',
      message: `no answer within ${timeoutMs} ms`,
      retryable: true,
      outcome: 'unknown',
    });
  }
  if (code !== undefined && notSentCodes.has(code)) {
    return new VendorError({
      vendor,
      kind: 'connection',
      message: `could not connect (${code})`,
      retryable: true,
      outcome: 'failed',
    });
  }
  if (code !== undefined && closedCodes.has(code)) {
    // Sent after close() (the bot is shutting down): nothing went out, and trying again cannot help.
    return new VendorError({
      vendor,
      kind: 'connection',
      message: 'the client is closed',
      retryable: false,
      outcome: 'failed',
    });
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new VendorError({
      vendor,
      kind: 'invalid_response',
      message: `the answer is larger than ${MAX_RESPONSE_BYTES} bytes`,
      retryable: false,
      outcome: 'unknown',
    });
  }
  return new VendorError({
    vendor,
    kind: 'connection',
    message: `connection lost (${code ?? 'unexpected error'})`,
    retryable: code !== undefined && connectionLostCodes.has(code),
    outcome: 'unknown',
  });
}

type AttemptResult = { ok: true; response: VendorResponse } | { ok: false; error: VendorError };

/** A 2xx answer: its JSON body, or undefined when there is none (204). */
function successResult(vendor: VendorName, status: number, text: string): AttemptResult {
  if (text.trim() === '') return { ok: true, response: { status, body: undefined } };
  try {
    return { ok: true, response: { status, body: JSON.parse(text) } };
  } catch {
    // The body is not echoed: a 2xx answer may hold a secret.
    const error = new VendorError({
      vendor,
      kind: 'invalid_response',
      status,
      message: `answered ${status} with a body that is not JSON`,
      retryable: false,
      outcome: 'unknown',
    });
    return { ok: false, error };
  }
}

/**
 * How long to wait before sending `call` again after `error` on attempt number `attempt`,
 * or undefined to give up.
 */
export function retryDelay(
  policy: RetryPolicy,
  call: VendorCall,
  error: VendorError,
  attempt: number,
  random: () => number = Math.random,
): number | undefined {
  if (attempt > policy.attempts) return undefined;
  // A request that may have reached the vendor is sent again only when that is harmless.
  const mayRetry = call.idempotent ? error.retryable : error.kind === 'connection' && error.outcome === 'failed';
  if (!mayRetry) return undefined;
  const retryAfter = error.retryAfterMs ?? 0;
  // Waiting longer than the policy allows would hold the whole batch; report instead.
  if (retryAfter > policy.maxDelayMs) return undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.max(retryAfter, jittered);
}

/** Origin and path prefix of a base URL such as `https://host/api/`. */
function splitBaseUrl(vendor: VendorName, baseUrl: string): { origin: string; prefix: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`${vendorTitles[vendor]} base URL is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${vendorTitles[vendor]} base URL must use http or https`);
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
}

/**
 * The call's path with `.` and `..` segments percent-encoded, so that no ID can climb out of
 * its place in the path, and its query (already encoded) left as it is. The path is sent as is:
 * undici does not normalise a dispatcher path.
 */
function safePath(path: string): string {
  const queryAt = path.indexOf('?');
  const [pathname, query] = queryAt < 0 ? [path, ''] : [path.slice(0, queryAt), path.slice(queryAt)];
  const segments = pathname
    .replace(/^\/*/, '/')
    .split('/')
    .map((segment) => (segment === '.' || segment === '..' ? segment.replace(/\./g, '%2E') : segment));
  return segments.join('/') + query;
}

export function createVendorClient(
  vendor: VendorName,
  settings: VendorSettings,
  options: VendorClientOptions = {},
): VendorClient {
  const { origin, prefix } = splitBaseUrl(vendor, settings.baseUrl);
  const pool: Dispatcher =
    options.dispatcher ??
    new Agent({
      connect: { timeout: settings.connectTimeoutMs },
      keepAliveTimeout: KEEP_ALIVE_MS,
      // A connection for every call the limiter lets through, so that none waits for one.
      connections: settings.maxInFlight,
      // The answer clock is the one budget: undici's own (300 s) would cut a longer one short.
      headersTimeout: 0,
      bodyTimeout: 0,
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
  const dispatcher = pool.compose(answerClock(settings.timeoutMs));
  // A dispatcher passed in belongs to the caller, who closes it.
  let closable = options.dispatcher === undefined;
  const limiter = new Limiter(settings.maxInFlight);
  const retryBudget = new RetryBudget();
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const headers = {
    authorization: `Bearer ${settings.token}`,
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };

  async function attempt(call: VendorCall): Promise<AttemptResult> {
    try {
      const response = await dispatcher.request({
        origin,
        path: prefix + safePath(call.path),
        method: call.method,
        headers,
      });
      const text = await response.body.text();
      if (response.statusCode < 200 || response.statusCode > 299) {
        return { ok: false, error: errorFromResponse(vendor, response.statusCode, response.headers, text) };
      }
      return successResult(vendor, response.statusCode, text);
    } catch (error) {
      return { ok: false, error: transportError(vendor, error, settings.timeoutMs) };
    }
  }

  async function send(call: VendorCall): Promise<VendorResponse> {
    // The latest failed attempt that may have reached the vendor: once there is one, a
    // removal's 404 on a retry means that attempt removed the target.
    let mayHaveApplied: VendorError | undefined;
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      // Each attempt queues for its turn anew; no turn is held while waiting to retry.
      const { result, ms } = await limiter.run(async () => {
        if (attemptNumber === 1) retryBudget.firstAttemptSent();
        const started = Date.now();
        return { result: await attempt(call), ms: Date.now() - started };
      });
      const facts: VendorAttempt = {
        vendor,
        method: call.method,
        path: call.path,
        attempt: attemptNumber,
        ms,
        status: result.ok ? result.response.status : result.error.status,
        failure: result.ok ? undefined : result.error.kind,
      };
      options.logger?.debug('vendor call', { ...facts });
      options.onAttempt?.(facts);
      if (result.ok) return result.response;
      const { error } = result;
      error.attempts = attemptNumber;
      if (mayHaveApplied && isRemoval(call) && error.status === 404) {
        mayHaveApplied.attempts = attemptNumber;
        return { status: error.status, body: undefined, earlierFailure: mayHaveApplied };
      }
      if (error.outcome === 'unknown') mayHaveApplied = error;
      const wait = retryDelay(settings.retry, call, error, attemptNumber);
      if (wait === undefined) throw error;
      if (!retryBudget.takeRetry()) {
        const { method, path } = call;
        options.logger?.debug('vendor retry withheld: retry budget spent', { vendor, method, path });
        throw error;
      }
      await sleep(wait);
    }
  }

  return {
    vendor,
    baseUrl: settings.baseUrl,
    send,
    // Safe to call more than once: shutdown paths often do.
    close: async () => {
      if (!closable) return;
      closable = false;
      await pool.close();
    },
  };
}
