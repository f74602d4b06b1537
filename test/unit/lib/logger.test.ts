import { createLogger, redact } from '../../../src/lib/logger';

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, write: (line) => lines.push(line) });
  return { logger, lines };
}

describe('logger', () => {
  test('writes one JSON line per entry with level, message and fields', () => {
    const { logger, lines } = capture();
    logger.child({ requestId: 'R-ABCDEF' }).info('operation executed', { outcome: 'succeeded' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', msg: 'operation executed', requestId: 'R-ABCDEF', outcome: 'succeeded' });
  });

  test('drops entries below the level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['w']);
  });

  test('redacts secret keys, Slack tokens, bearer credentials and configured values wherever they are', () => {
    const { logger, lines } = capture({ secrets: ['signing-secret-value'] });
    logger.error('call failed', {
      headers: { Authorization: 'Bearer abc.def', 'content-type': 'application/json' },
      password: 'hunter2',
      nested: { apiToken: 'x', note: 'used xoxb-123-456-abc and xapp-1-A1-2-b then Bearer eyJhbGciOi' },
      error: new Error('signature mismatch for signing-secret-value'),
    });
    const line = lines[0];
    for (const secret of ['abc.def', 'hunter2', 'xoxb-123-456-abc', 'xapp-1-A1-2-b', 'eyJhbGciOi', 'signing-secret-value']) {
      expect(line).not.toContain(secret);
    }
    expect(JSON.parse(line).headers['content-type']).toBe('application/json');
  });

  test('redact leaves ordinary values alone and copes with cycles of depth', () => {
    expect(redact({ a: 1, b: ['x', null] })).toEqual({ a: 1, b: ['x', null] });
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 20; i += 1) cursor = cursor.next = {} as Record<string, unknown>;
    expect(JSON.stringify(redact(deep))).toContain('[nested]');
  });
});
