import { durationSchema, formatDuration, parseDuration } from '../../../src/lib/duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['90m', 5_400_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '0s', '015m', '-5m', '1.5h', '15 m', '15M', '1h30m', '2w', ' 15m'])(
    'refuses %p',
    (text) => {
      expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration such as 30s, 15m, 2h or 1d`);
    },
  );

  it('refuses a duration longer than its maximum, naming the maximum', () => {
    expect(parseDuration('7d', 7 * 86_400_000)).toBe(7 * 86_400_000);
    expect(() => parseDuration('8d', 7 * 86_400_000)).toThrow('"8d" is longer than 7d, the most allowed');
    expect(() => parseDuration('169h', 7 * 86_400_000)).toThrow('"169h" is longer than 7d, the most allowed');
    expect(() => parseDuration('91s', 90_000)).toThrow('"91s" is longer than 90s, the most allowed');
  });

  it('keeps every duration well inside what a Date can hold, even without a maximum of its own', () => {
    expect(parseDuration('36500d')).toBe(36_500 * 86_400_000);
    const tooLong = '"36501d" is longer than 36500d, the most allowed';
    expect(() => parseDuration('36501d')).toThrow(tooLong);
    // Each of these was accepted once; the larger put `now - since` outside a Date's range.
    for (const text of ['3000000d', '99999999d', '99999999999999999d', `${'9'.repeat(400)}s`]) {
      expect(() => parseDuration(text)).toThrow('is longer than 36500d');
    }
  });
});

describe('durationSchema', () => {
  const day = 86_400_000;
  const messages = (input: unknown) => durationSchema(day).safeParse(input).error?.issues.map((issue) => issue.message);

  it('parses text to milliseconds, up to its maximum', () => {
    expect(durationSchema(day).parse('5m')).toBe(300_000);
    expect(durationSchema(day).parse('24h')).toBe(day);
  });

  it('refuses bad text and other types with a sentence', () => {
    expect(messages('soon')).toEqual(['expected a duration such as 30s, 15m, 2h or 1d, got "soon"']);
    expect(messages(15)).toEqual(['expected a duration such as 30s, 15m, 2h or 1d']);
  });

  it('refuses a duration over its maximum, saying the maximum', () => {
    expect(messages('25h')).toEqual(['expected a duration of at most 1d, got "25h"']);
    expect(messages('3000000d')).toEqual(['expected a duration of at most 1d, got "3000000d"']);
    expect(durationSchema(90 * 60_000).safeParse('2h').error?.issues.map((issue) => issue.message)).toEqual([
      'expected a duration of at most 90m, got "2h"',
    ]);
  });
});

describe('formatDuration', () => {
  it.each([
    [30_000, '30 seconds'],
    [60_000, '1 minute'],
    [900_000, '15 minutes'],
    [5_400_000, '1 hour 30 minutes'],
    [7_200_000, '2 hours'],
    [86_400_000, '1 day'],
    [899_600, '15 minutes'],
    [0, '0 seconds'],
    [-5_000, '0 seconds'],
  ])('%i ms reads "%s"', (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });
});
