import type { Logger as BoltLogger } from '@slack/bolt';
import { type Logger, type LogLevel, redact } from '../lib/logger';
import { LogLevel as BoltLogLevel } from './bolt';

/** Bolt's logger interface on top of ours, so Bolt's own lines are redacted too. */
export function boltLogger(logger: Logger, level: LogLevel): BoltLogger {
  let current = level;
  const join = (parts: unknown[]) =>
    parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(redact(part)))).join(' ');
  const bolt = logger.child({ source: 'bolt' });
  return {
    debug: (...parts) => bolt.debug(join(parts)),
    info: (...parts) => bolt.info(join(parts)),
    warn: (...parts) => bolt.warn(join(parts)),
    error: (...parts) => bolt.error(join(parts)),
    setLevel: (next) => {
      current = next as unknown as LogLevel;
    },
    getLevel: () => current as unknown as BoltLogLevel,
    setName: () => undefined,
  };
}
