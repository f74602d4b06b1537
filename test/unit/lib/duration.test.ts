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

  it.each(['', '15', 'm', '0s', '015m', '-5m', '1.5h', '15 m', '15M', '1h30m', '2w', ' 15m', '99999999999999999d'])(
    'refuses %p',
    (text) => {
      expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration such as 30s, 15m, 2h or 1d`);
    },
  );
});

describe('durationSchema', () => {
  it('parses text to milliseconds', () => {
    expect(durationSchema.parse('5m')).toBe(300_000);
  });

  it('refuses bad text and other types with a sentence', () => {
    expect(durationSchema.safeParse('soon').error?.issues.map((issue) => issue.message)).toEqual([
      'expected a duration such as 30s, 15m, 2h or 1d, got "soon"',
    ]);
    expect(durationSchema.safeParse(15).error?.issues.map((issue) => issue.message)).toEqual([
      'expected a duration such as 30s, 15m, 2h or 1d',
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
