import { types } from 'node:util';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where each JSON line goes; standard output by default. */
  write?: (line: string) => void;
  /** Exact values (tokens, signing secrets) that must never be printed. */
  secrets?: readonly string[];
}

const REDACTED = '[redacted]';
// Keys whose values are secret whatever they hold.
const secretKey = /authorization|token|secret|password|passwd|cookie|signature/i;
// Secret-looking values wherever they appear: Slack tokens and bearer credentials.
const secretPatterns = [/\bxox[abposr]-[A-Za-z0-9-]+/g, /\bxapp-[A-Za-z0-9-]+/g, /\bBearer\s+[^\s"',]+/gi];

function redactString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of secretPatterns) out = out.replace(pattern, REDACTED);
  return out;
}

/** A copy of `value` with secret keys and secret-looking strings replaced. */
export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  // isNativeError also recognises errors made in another realm (a VM context, a worker).
  if (value instanceof Error || types.isNativeError(value)) {
    return { name: value.name, message: redactString(value.message, secrets) };
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = secretKey.test(key) ? REDACTED : redact(item, secrets, depth + 1);
  }
  return out;
}

/** A structured logger writing one JSON line per entry, redacting at the single place lines are made. */
export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const threshold = logLevels.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets = options.secrets ?? [];

  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (logLevels.indexOf(level) < threshold) return;
    const entry = { time: new Date().toISOString(), level, msg: message, ...bound, ...fields };
    write(JSON.stringify(redact(entry, secrets)));
  };

  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
