/**
 * `npm run audit` end to end: the built CLI (`npm test` builds first) run as a child process
 * with an environment of its own — no Slack or vendor token — in a temp working directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { subDays, subHours } from 'date-fns';
import { SqliteStore } from '../../../src/store/sqlite';

const entry = path.resolve(__dirname, '../../../dist/audit/main.js');
const usageForms = /--since 7d\|24h\|30m.*--format jsonl\|csv/;
const noStackTrace = /\n\s+at /;

function runAudit(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const result = spawnSync(process.execPath, [entry, ...args], {
    cwd: options.cwd,
    env: options.env ?? {},
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run audit', () => {
  const now = new Date();
  const days8 = subDays(now, 8);
  const days6 = subDays(now, 6);
  const hour1 = subHours(now, 1);
  let dir: string;
  let database: string;

  beforeAll(async () => {
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-audit-'));
    database = path.join(dir, 'data', 'twokey.db');
    const store = new SqliteStore(database);
    await store.appendAudit({ at: days8, event: 'requested', actorId: 'U_OLD', targets: ['site-1'] });
    await store.appendAudit({
      at: days6,
      event: 'requested',
      actorId: 'U_REQUESTER',
      operation: 'delete-peer',
      channelId: 'C_OPS',
      requestId: 'R-ABCDEF',
      targets: ['instance-1', 'peer-1'],
      detail: 'incident 42, "db" down',
    });
    await store.appendAudit({
      at: hour1,
      event: 'refused',
      actorId: 'U_OTHER',
      channelId: 'C_OPS',
      requestId: 'R-ABCDEF',
      targets: [],
      outcome: 'self_approval',
      detail: '=cannot approve\nyour own request',
    });
    await store.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('--since 7d --format csv: the last seven days, oldest first, as CSV', () => {
    const result = runAudit(['--since', '7d', '--format', 'csv'], { cwd: dir, env: { DATABASE_URL: database } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'id,at,event,actor_id,operation,channel_id,request_id,targets,outcome,detail\r\n' +
        `2,${days6.toISOString()},requested,U_REQUESTER,delete-peer,C_OPS,R-ABCDEF,instance-1 peer-1,,"incident 42, ""db"" down"\r\n` +
        `3,${hour1.toISOString()},refused,U_OTHER,,C_OPS,R-ABCDEF,,self_approval,"'=cannot approve\nyour own request"\r\n`,
    );
  });

  test('without arguments: every entry as JSON Lines, DATABASE_URL read from .env', () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'with-env-'));
    fs.writeFileSync(path.join(cwd, '.env'), `DATABASE_URL=sqlite:${database}\n`);
    const result = runAudit([], { cwd });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.id, line.at, line.actorId])).toEqual([
      [1, days8.toISOString(), 'U_OLD'],
      [2, days6.toISOString(), 'U_REQUESTER'],
      [3, hour1.toISOString(), 'U_OTHER'],
    ]);
  });

  test.each([
    [['--since', '7x'], /--since: "7x" is not a duration/],
    [['--format', 'xml'], /--format: "xml" is not one of jsonl, csv/],
    [['--until', '1d'], /Unknown option '--until'/],
  ])('refuses %j with exit code 2 and one clear message', (args, message) => {
    const result = runAudit(args, { cwd: dir, env: { DATABASE_URL: database } });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(usageForms);
    expect(result.stderr).not.toMatch(noStackTrace);
  });

  test('a database file that does not exist: exit code 1, the path named, nothing created', () => {
    const missing = path.join(dir, 'nowhere', 'twokey.db');
    const result = runAudit(['--since', '7d'], { cwd: dir, env: { DATABASE_URL: missing } });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`twokey audit: there is no database at ${missing}; set DATABASE_URL to the bot's database\n`);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });

  test('DATABASE_URL unset: the bot\'s default ./data/twokey.db in the working directory', () => {
    const result = runAudit(['--since', '7d', '--format', 'csv'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\r\n')).toHaveLength(4);
  });
});
