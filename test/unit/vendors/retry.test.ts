import type { VendorFailure } from '../../../src/model/failure';
import { VendorError } from '../../../src/vendors/errors';
import { retryDelay } from '../../../src/vendors/http';
import type { RetryPolicy, VendorCall } from '../../../src/vendors/types';

const policy: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const remove: VendorCall = { vendor: 'altostrat', method: 'DELETE', path: '/vpn/i/peers/p', idempotent: true };
const rotate: VendorCall = {
  vendor: 'altostrat',
  method: 'POST',
  path: '/control-plane/s/credentials',
  idempotent: false,
};

function failure(fields: Partial<VendorFailure>): VendorError {
  return new VendorError({
    vendor: 'altostrat',
    kind: 'http',
    message: 'x',
    retryable: true,
    outcome: 'unknown',
    ...fields,
  });
}

const serverError = failure({ status: 503 });
const refused = failure({ kind: 'connection', outcome: 'failed' });
const reset = failure({ kind: 'connection', outcome: 'unknown' });
const timeout = failure({ kind: 'timeout', outcome: 'unknown' });
const rateLimited = failure({ status: 429, outcome: 'failed' });
const notFound = failure({ status: 404, retryable: false, outcome: 'failed' });
const unreadable = failure({ kind: 'invalid_response', retryable: false });

describe('retryDelay', () => {
  test('backoff doubles each attempt, with jitter between half and all of it', () => {
    expect(retryDelay(policy, remove, serverError, 1, () => 0)).toBe(50);
    expect(retryDelay(policy, remove, serverError, 1, () => 1)).toBe(100);
    expect(retryDelay(policy, remove, serverError, 2, () => 1)).toBe(200);
    expect(retryDelay(policy, remove, serverError, 3, () => 0.5)).toBe(300);
  });

  test('no wait exceeds maxDelayMs', () => {
    expect(retryDelay({ ...policy, attempts: 10 }, remove, serverError, 9, () => 1)).toBe(1000);
  });

  test('gives up after `attempts` retries', () => {
    expect(retryDelay(policy, remove, serverError, 3)).toBeDefined();
    expect(retryDelay(policy, remove, serverError, 4)).toBeUndefined();
    expect(retryDelay({ ...policy, attempts: 0 }, remove, serverError, 1)).toBeUndefined();
  });

  test.each([
    ['5xx', serverError],
    ['429', rateLimited],
    ['a refused connection', refused],
    ['a reset', reset],
    ['a timeout', timeout],
  ])('a DELETE is retried after %s', (_label, error) => {
    expect(retryDelay(policy, remove, error, 1)).toBeGreaterThan(0);
  });

  test.each([
    ['404', notFound],
    ['an unreadable answer', unreadable],
  ])('a DELETE is not retried after %s', (_label, error) => {
    expect(retryDelay(policy, remove, error, 1)).toBeUndefined();
  });

  test('a POST is retried only when the connection never opened', () => {
    expect(retryDelay(policy, rotate, refused, 1)).toBeGreaterThan(0);
    for (const error of [serverError, rateLimited, reset, timeout, notFound, unreadable]) {
      expect(retryDelay(policy, rotate, error, 1)).toBeUndefined();
    }
  });

  test('Retry-After is waited for at least', () => {
    const error = failure({ status: 429, outcome: 'failed', retryAfterMs: 700 });
    expect(retryDelay(policy, remove, error, 1, () => 0)).toBe(700);
  });

  test('a Retry-After beyond maxDelayMs gives up at once', () => {
    const error = failure({ status: 503, retryAfterMs: 1001 });
    expect(retryDelay(policy, remove, error, 1)).toBeUndefined();
  });
});
