import { parseAuditArgs, UsageError } from '../../../src/audit/args';

describe('parseAuditArgs', () => {
  test('defaults: everything, as JSON Lines', () => {
    expect(parseAuditArgs([])).toEqual({ format: 'jsonl' });
  });

  test.each([
    [['--since', '7d', '--format', 'csv'], { sinceMs: 7 * 24 * 3_600_000, format: 'csv' }],
    [['--since=24h'], { sinceMs: 24 * 3_600_000, format: 'jsonl' }],
    [['--format', 'jsonl', '--since', '30m'], { sinceMs: 30 * 60_000, format: 'jsonl' }],
  ])('%j', (argv, expected) => {
    expect(parseAuditArgs(argv)).toEqual(expected);
  });

  test.each([
    [['--since', '7x'], /^--since: "7x" is not a duration such as/],
    [['--since', '0d'], /^--since: /],
    [['--since'], /--since/],
    [['--format', 'xml'], /^--format: "xml" is not one of jsonl, csv$/],
    [['--until', '1d'], /--until/],
    [['7d'], /'7d'/],
  ])('refuses %j, naming the argument', (argv, message) => {
    expect(() => parseAuditArgs(argv)).toThrow(UsageError);
    expect(() => parseAuditArgs(argv)).toThrow(message);
  });
});
