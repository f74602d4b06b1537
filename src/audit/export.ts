import type { AuditEntry } from '../model/audit';

export const auditFormats = ['jsonl', 'csv'] as const;
export type AuditFormat = (typeof auditFormats)[number];

/** The audit log as a file: `jsonl` (one JSON object per line) or `csv` (RFC 4180), oldest entry first. */
export function formatAudit(entries: readonly AuditEntry[], format: AuditFormat): string {
  const oldestFirst = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  return format === 'csv' ? toCsv(oldestFirst) : toJsonLines(oldestFirst);
}

/** One object per line, fields named as in AuditEntry, `at` in ISO 8601; unset fields are left out. */
function toJsonLines(entries: readonly AuditEntry[]): string {
  return entries.map((entry) => `${JSON.stringify({ ...entry, at: entry.at.toISOString() })}\n`).join('');
}

const csvColumns: ReadonlyArray<[header: string, value: (entry: AuditEntry) => string | number | undefined]> = [
  ['id', (entry) => entry.id],
  ['at', (entry) => entry.at.toISOString()],
  ['event', (entry) => entry.event],
  ['actor_id', (entry) => entry.actorId],
  ['operation', (entry) => entry.operation],
  ['channel_id', (entry) => entry.channelId],
  ['request_id', (entry) => entry.requestId],
  ['targets', (entry) => entry.targets.join(' ')],
  ['outcome', (entry) => entry.outcome],
  ['detail', (entry) => entry.detail],
];

/** A header row, then one row per entry; CRLF line ends, as RFC 4180 has them. */
function toCsv(entries: readonly AuditEntry[]): string {
  const rows = [
    csvColumns.map(([header]) => header),
    ...entries.map((entry) => csvColumns.map(([, value]) => csvField(value(entry)))),
  ];
  return rows.map((row) => `${row.join(',')}\r\n`).join('');
}

// A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection");
// a leading apostrophe makes it text. Tab and carriage return are on OWASP's list too.
const formulaStart = /^[=+\-@\t\r]/;

function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  const safe = formulaStart.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
