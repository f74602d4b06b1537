import { parseArgs } from 'node:util';
import { parseDuration } from '../lib/duration';
import { type AuditFormat, auditFormats } from './export';

export const usage = 'usage: npm run audit -- [--since 7d|24h|30m] [--format jsonl|csv]';

/** The command line cannot be used; the message names the argument and what it accepts. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface AuditArgs {
  /** How far back to export; everything when not given. */
  sinceMs?: number;
  format: AuditFormat;
}

/** `--since <duration>` and `--format jsonl|csv`, nothing else. */
export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const values = parseOptions(argv);
  const format = values.format ?? 'jsonl';
  if (!isAuditFormat(format)) throw new UsageError(`--format: "${format}" is not one of ${auditFormats.join(', ')}`);
  if (values.since === undefined) return { format };
  try {
    return { format, sinceMs: parseDuration(values.since) };
  } catch (error) {
    throw new UsageError(`--since: ${(error as Error).message}`);
  }
}

function parseOptions(argv: readonly string[]): { since?: string; format?: string } {
  try {
    return parseArgs({
      args: [...argv],
      options: { since: { type: 'string' }, format: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // Node's own messages name the argument ("Unknown option '--until'").
    throw new UsageError((error as Error).message);
  }
}

function isAuditFormat(value: string): value is AuditFormat {
  return (auditFormats as readonly string[]).includes(value);
}
