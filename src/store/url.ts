/** Which database DATABASE_URL names. */
export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * `postgres://…` / `postgresql://…` → PostgreSQL; `sqlite:<path>` (also `sqlite:///abs/path`) or a
 * plain file path → SQLite. Undefined for any other scheme or an unusable URL.
 */
export function parseDatabaseUrl(value: string): DatabaseConfig | undefined {
  if (/^postgres(ql)?:\/\//i.test(value)) return URL.canParse(value) ? { kind: 'postgres', url: value } : undefined;
  if (/^sqlite:/i.test(value)) {
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    return path ? { kind: 'sqlite', path } : undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  return { kind: 'sqlite', path: value };
}
