import { errorFromResponse, parseRetryAfter, safeText } from '../../../src/vendors/normalize';

const json = (value: unknown) => JSON.stringify(value);

describe('errorFromResponse: envelopes', () => {
  test("Altostrat's documented envelope", () => {
    const error = errorFromResponse(
      'altostrat',
      404,
      {},
      json({
        type: 'invalid_request_error',
        code: 'resource_not_found',
        message: 'The site does not exist.',
        doc_url: 'https://docs.altostrat.io/errors/resource_not_found',
      }),
    );
    expect(error).toMatchObject({
      name: 'VendorError',
      vendor: 'altostrat',
      kind: 'http',
      status: 404,
      code: 'resource_not_found',
      message: 'The site does not exist.',
      docUrl: 'https://docs.altostrat.io/errors/resource_not_found',
      retryable: false,
      outcome: 'failed',
      attempts: 1,
    });
    expect(error.traceId).toBeUndefined();
  });

  test("Altostrat's bare {message} on a 401", () => {
    const error = errorFromResponse('altostrat', 401, {}, json({ message: 'Unauthenticated.' }));
    expect(error).toMatchObject({ status: 401, message: 'Unauthenticated.', outcome: 'failed', retryable: false });
    expect(error.code).toBeUndefined();
    expect(error.docUrl).toBeUndefined();
  });

  test("Aitronos's current envelope, message and system message together", () => {
    const error = errorFromResponse(
      'aitronos',
      404,
      {},
      json({
        success: false,
        error: {
          code: 'RESOURCE_NOT_FOUND',
          message: "We couldn't find the resource you're looking for.",
          system_message: 'Access grant not found',
          type: 'client_error',
          status: 404,
          details: { grant_id: 'agrant_abc123def456' },
          trace_id: 'abc-123-def',
          timestamp: '2025-11-02T08:21:45Z',
        },
      }),
    );
    expect(error).toMatchObject({
      vendor: 'aitronos',
      status: 404,
      code: 'RESOURCE_NOT_FOUND',
      message: "We couldn't find the resource you're looking for. (Access grant not found)",
      traceId: 'abc-123-def',
      outcome: 'failed',
    });
  });

  test('an Aitronos envelope with only a system message or only a code still reads', () => {
    const systemOnly = errorFromResponse('aitronos', 403, {}, json({ error: { system_message: 'Forbidden scope' } }));
    expect(systemOnly.message).toBe('Forbidden scope');
    const codeOnly = errorFromResponse('aitronos', 409, {}, json({ success: false, error: { code: 'CONFLICT' } }));
    expect(codeOnly).toMatchObject({ code: 'CONFLICT', message: 'CONFLICT' });
  });

  test("Aitronos's older envelope: detail, error_type and meta.request_id", () => {
    const error = errorFromResponse(
      'aitronos',
      422,
      {},
      json({
        detail: 'Validation failed',
        status_code: 422,
        error_type: 'VALIDATION_ERROR',
        meta: { timestamp: '2025-11-02T08:21:45Z', request_id: 'req_42' },
        errors: [{ field: 'grant_id', message: 'grant_id is malformed' }, 'second problem'],
      }),
    );
    expect(error).toMatchObject({
      status: 422,
      code: 'VALIDATION_ERROR',
      traceId: 'req_42',
      message: 'Validation failed (grant_id is malformed; second problem)',
      retryable: false,
    });
  });

  test('fields of the wrong type are dropped, not the whole envelope', () => {
    const error = errorFromResponse('altostrat', 400, {}, json({ code: 42, message: 'Bad things', doc_url: ['x'] }));
    expect(error).toMatchObject({ message: 'Bad things', code: undefined, docUrl: undefined });
    const legacy = errorFromResponse('aitronos', 400, {}, json({ detail: 'Nope', meta: 'not an object', errors: 7 }));
    expect(legacy).toMatchObject({ message: 'Nope', traceId: undefined });
  });
});

describe('errorFromResponse: bodies of no known shape', () => {
  test('an empty body keeps the status', () => {
    const error = errorFromResponse('altostrat', 502, {}, '');
    expect(error).toMatchObject({ status: 502, kind: 'http', message: 'empty answer', outcome: 'unknown' });
  });

  test.each([
    ['HTML', '<html><body><h1>502 Bad Gateway</h1></body></html>', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['JSON of another shape', json({ foo: 1 }), '{"foo":1}'],
    ['JSON null', 'null', 'null'],
    ['a JSON array', '[1,2]', '[1,2]'],
    ['an Aitronos error with nothing in it', json({ error: {} }), '{"error":{}}'],
  ])('%s yields the status and an excerpt', (_label, body, excerpt) => {
    const error = errorFromResponse('aitronos', 500, {}, body);
    expect(error.status).toBe(500);
    expect(error.message).toBe(`unrecognised answer: ${excerpt}`);
    expect(error.code).toBeUndefined();
  });

  test('control characters are stripped from the excerpt', () => {
    const error = errorFromResponse('altostrat', 500, {}, 'line one\r\nline\u0000two\u001b[31m red\u0007');
    expect(error.message).toBe('unrecognised answer: line one line two [31m red');
  });

  test('a huge body yields a short excerpt', () => {
    const error = errorFromResponse('altostrat', 500, {}, 'x y '.repeat(500_000));
    expect(error.message.length).toBeLessThanOrEqual('unrecognised answer: '.length + 200);
    expect(error.message.endsWith('…')).toBe(true);
  });

  test('a huge message inside an envelope is shortened too', () => {
    const error = errorFromResponse('altostrat', 400, {}, json({ message: 'word '.repeat(10_000) }));
    expect(error.message.length).toBeLessThanOrEqual(500);
  });

  test.each([
    ['a bearer credential', 'echo: Authorization: Bearer sk_live_abc123', 'sk_live_abc123'],
    ['a JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl rejected', 'eyJhbGciOiJIUzI1NiJ9'],
    ['a key=value secret', 'bad request api_key=hunter2hunter2 given', 'hunter2hunter2'],
    ['a JSON token field', json({ oops: { access_token: 'abcDEF123' } }), 'abcDEF123'],
    ['a long opaque string', `key ${'A1b2C3d4'.repeat(6)} refused`, 'A1b2C3d4A1b2C3d4'],
    ['a Slack token', 'got xoxb-123-456-abcdef', 'xoxb-123'],
  ])('never echoes %s', (_label, body, secret) => {
    const error = errorFromResponse('altostrat', 500, {}, body);
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('[redacted]');
  });

  test('a token-looking string inside an envelope message is redacted too', () => {
    const error = errorFromResponse('altostrat', 401, {}, json({ message: 'Token Bearer abc.def.ghi is invalid' }));
    expect(error.message).not.toContain('abc.def.ghi');
  });
});

describe('errorFromResponse: retryable and outcome', () => {
  test.each([
    [400, false, 'failed'],
    [401, false, 'failed'],
    [403, false, 'failed'],
    [404, false, 'failed'],
    [409, false, 'failed'],
    [429, true, 'failed'],
    [500, true, 'unknown'],
    [502, true, 'unknown'],
    [503, true, 'unknown'],
    [504, true, 'unknown'],
  ])('HTTP %i: retryable %s, outcome %s', (status, retryable, outcome) => {
    expect(errorFromResponse('altostrat', status, {}, '')).toMatchObject({ status, retryable, outcome, kind: 'http' });
  });

  test('Retry-After in seconds', () => {
    expect(errorFromResponse('altostrat', 429, { 'retry-after': '3' }, '').retryAfterMs).toBe(3000);
  });

  test('Retry-After as an HTTP date', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const ms = errorFromResponse('aitronos', 503, { 'retry-after': inTenSeconds }, '').retryAfterMs;
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });

  test('Retry-After repeated: the first value counts', () => {
    expect(errorFromResponse('altostrat', 429, { 'retry-after': ['2', '9'] }, '').retryAfterMs).toBe(2000);
  });

  test('no Retry-After', () => {
    expect(errorFromResponse('altostrat', 429, {}, '').retryAfterMs).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-11-02T08:00:00Z');

  test.each([
    ['0', 0],
    ['1', 1000],
    [' 120 ', 120_000],
    ['1.5', 1500],
    ['Sun, 02 Nov 2025 08:00:30 GMT', 30_000],
    ['Sun, 02 Nov 2025 07:59:00 GMT', 0],
  ])('%j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  test.each([undefined, '', 'soon', '-5'])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('safeText', () => {
  test('collapses whitespace and bounds the length', () => {
    expect(safeText('  a \n\n b\t c  ', 100)).toBe('a b c');
    expect(safeText('abcdefghij', 5)).toBe('abcd…');
  });
});
