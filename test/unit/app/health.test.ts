import { type Phase, readiness } from '../../../src/app/health';

describe('readiness', () => {
  const answering = { ping: async () => undefined };
  const silent = { ping: async () => Promise.reject(new Error('connection refused')) };

  test.each<[Phase, typeof answering, string[]]>([
    ['serving', answering, []],
    ['starting', answering, ['starting: Slack has not accepted the token yet']],
    ['stopping', answering, ['shutting down']],
    ['serving', silent, ['the database does not answer']],
    ['stopping', silent, ['shutting down', 'the database does not answer']],
  ])('%s with a database that %s', async (phase, store, problems) => {
    expect(await readiness(() => phase, () => store)()).toEqual(problems);
  });

  test('a database that never answers is reported within the ping timeout, not waited for', async () => {
    const hanging = { ping: () => new Promise<void>(() => undefined) };
    expect(await readiness(() => 'serving', () => hanging, 50)()).toEqual(['the database does not answer']);
  });

  test('before the database is open, it says so', async () => {
    expect(await readiness(() => 'starting', () => undefined)()).toEqual(['starting: Slack has not accepted the token yet', 'the database is not open yet']);
  });
});
