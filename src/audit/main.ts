/**
 * `npm run audit -- [--since 7d] [--format jsonl|csv]`: the audit log on standard output.
 * It reads DATABASE_URL as the bot does and needs no Slack or vendor token.
 */
import fs from 'node:fs';
import path from 'node:path';
import { subMilliseconds } from 'date-fns/subMilliseconds';
import { loadDatabaseConfig, loadDotenv } from '../app/config';
import { type DatabaseConfig, openStore } from '../store';
import { parseAuditArgs, UsageError, usage } from './args';
import { formatAudit } from './export';

async function main(): Promise<void> {
  const args = parseAuditArgs(process.argv.slice(2));
  loadDotenv();
  const store = await openStore(databaseToExport(process.env));
  try {
    const since = args.sinceMs === undefined ? undefined : subMilliseconds(new Date(), args.sinceMs);
    process.stdout.write(formatAudit(await store.listAudit({ since }), args.format));
  } finally {
    await store.close();
  }
}

function databaseToExport(env: NodeJS.ProcessEnv): DatabaseConfig {
  const database = loadDatabaseConfig(env);
  // Opening a missing file would create an empty database and export nothing, as if all were well.
  if (database.kind === 'sqlite' && !fs.existsSync(database.path)) {
    throw new Error(`there is no database at ${path.resolve(database.path)}; set DATABASE_URL to the bot's database`);
  }
  return database;
}

// Exit codes: 2 for a bad command line, 1 for anything else; one line, no stack trace.
// exitCode rather than exit() lets a long export finish flushing to a pipe.
main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const isUsage = error instanceof UsageError;
  process.stderr.write(`twokey audit: ${message}\n${isUsage ? `${usage}\n` : ''}`);
  process.exitCode = isUsage ? 2 : 1;
});
