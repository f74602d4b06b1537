import dotenv from 'dotenv';
import { z } from 'zod';
import { durationSchema } from '../lib/duration';
import { logLevels, type LogLevel } from '../lib/logger';
import { type DatabaseConfig, parseDatabaseUrl } from '../store/url';
import type { SlackSettings } from '../slack/app';
import type { VendorName, VendorSettings } from '../vendors/types';

export interface Config {
  /** Socket Mode when SLACK_APP_TOKEN is set, HTTP otherwise. */
  mode: 'socket' | 'http';
  slack: SlackSettings;
  /** HTTP port: always in HTTP mode (default 3000); in Socket Mode only when PORT is set, for health and metrics. */
  port?: number;
  /** Base URLs without a trailing slash; a token is empty when not set and not required. */
  vendors: Record<VendorName, VendorSettings>;
  policyFile: string;
  database: DatabaseConfig;
  logLevel: LogLevel;
  /** Vendor calls run at once for one command. */
  concurrency: number;
  usergroupCacheTtlMs: number;
}

export interface LoadConfigOptions {
  /** Whether ALTOSTRAT_API_TOKEN and AITRONOS_API_TOKEN must be set (the shell runs without them). */
  requireVendorTokens?: boolean;
  /** Whether the Slack tokens must be set (the shell needs no Slack). */
  requireSlack?: boolean;
}

/** The environment cannot be used; the message names every bad variable, never a value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The configuration is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` into `process.env` without overriding what is already set. */
export function loadDotenv(): void {
  dotenv.config({ quiet: true });
}

const RETRY_BASE_DELAY_MS = 250;
const RETRY_MAX_DELAY_MS = 10_000;
const MAX_TIMEOUT_MS = 10 * 60_000;
// One connection each: more than any vendor would want from one client.
const MAX_VENDOR_IN_FLIGHT = 256;
// A removal from a user group takes effect within the TTL: a day at most.
const MAX_USERGROUP_CACHE_TTL_MS = 24 * 3_600_000;

// Messages name what is expected and never echo the value, which may be a secret.
function slackToken(prefix: string, what: string) {
  return z
    .string({ error: `is not set; expected ${what}` })
    .startsWith(prefix, `must be ${what}, starting with ${prefix}`);
}

function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]+$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** 127.0.0.0/8, ::1 and localhost, as the URL parser writes them (it normalises `127.1` and `LOCALHOST`). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Why a vendor URL cannot be used, if it cannot. The token travels in every request: over TLS
 * only, except to this machine (tests, the simulator). Credentials in the URL would be shown
 * wherever the URL is (a dry run, the shell), so they are refused, never echoed.
 */
function vendorUrlProblem(text: string, tokenVariable: string): string | undefined {
  const url = new URL(text);
  if (url.username || url.password) return `must not carry a user name or password; the token goes in ${tokenVariable}`;
  if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
    return 'must be an https:// URL; http:// is allowed only to a loopback address such as 127.0.0.1';
  }
  return undefined;
}

const vendorUrl = (fallback: string, tokenVariable: string) =>
  httpUrl
    .transform((text, ctx) => {
      const problem = vendorUrlProblem(text, tokenVariable);
      if (problem === undefined) return text.replace(/\/+$/, '');
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    })
    .default(fallback);

function vendorToken(title: string, required: boolean) {
  return required
    ? z.string({ error: `is not set; the bot's ${title} API token is required` })
    : z.string().default('');
}

function environmentSchema(socketMode: boolean, requireVendorTokens: boolean, requireSlack: boolean) {
  return z.object({
    SLACK_BOT_TOKEN: requireSlack ? slackToken('xoxb-', 'a bot token') : slackToken('xoxb-', 'a bot token').default(''),
    SLACK_SIGNING_SECRET: socketMode || !requireSlack
      ? z.string().optional()
      : z.string({ error: 'is not set; it is required in HTTP mode (when SLACK_APP_TOKEN is not set)' }),
    SLACK_APP_TOKEN: slackToken('xapp-', 'an app-level token').optional(),
    SLACK_API_URL: httpUrl.transform((url) => (url.endsWith('/') ? url : `${url}/`)).optional(),
    PORT: socketMode ? wholeNumber(0, 65_535).optional() : wholeNumber(0, 65_535).default(3000),
    ALTOSTRAT_API_URL: vendorUrl('https://v1.api.altostrat.io', 'ALTOSTRAT_API_TOKEN'),
    ALTOSTRAT_API_TOKEN: vendorToken('Altostrat', requireVendorTokens),
    AITRONOS_API_URL: vendorUrl('https://api.aitronos.com', 'AITRONOS_API_TOKEN'),
    AITRONOS_API_TOKEN: vendorToken('Aitronos', requireVendorTokens),
    POLICY_FILE: z.string().default('./policy.yml'),
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
    VENDOR_TIMEOUT_MS: wholeNumber(1, MAX_TIMEOUT_MS).default(15_000),
    VENDOR_CONNECT_TIMEOUT_MS: wholeNumber(1, MAX_TIMEOUT_MS).default(5_000),
    VENDOR_RETRIES: wholeNumber(0, 5).default(3),
    VENDOR_CONCURRENCY: wholeNumber(1, 50).default(8),
    VENDOR_MAX_IN_FLIGHT: wholeNumber(1, MAX_VENDOR_IN_FLIGHT).default(32),
    USERGROUP_CACHE_TTL: durationSchema(MAX_USERGROUP_CACHE_TTL_MS).default(5 * 60_000),
  });
}

const databaseUrl = z
  .string()
  .default('./data/twokey.db')
  .transform((value, ctx) => {
    const database = parseDatabaseUrl(value);
    if (database) return database;
    ctx.addIssue({
      code: 'custom',
      input: value,
      message: 'must be a file path, sqlite:<path>, or a postgres:// or postgresql:// URL',
    });
    return z.NEVER;
  });

/** Set and not blank, trimmed: `FOO=` in `.env` counts as unset. */
function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Validates the environment; throws a ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): Config {
  const input = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, present(value)]));
  const socketMode = input.SLACK_APP_TOKEN !== undefined;
  const vars = validate(
    environmentSchema(socketMode, options.requireVendorTokens ?? true, options.requireSlack ?? true),
    input,
  );
  const vendor = (baseUrl: string, token: string): VendorSettings => ({
    baseUrl,
    token,
    connectTimeoutMs: vars.VENDOR_CONNECT_TIMEOUT_MS,
    timeoutMs: vars.VENDOR_TIMEOUT_MS,
    maxInFlight: vars.VENDOR_MAX_IN_FLIGHT,
    retry: { attempts: vars.VENDOR_RETRIES, baseDelayMs: RETRY_BASE_DELAY_MS, maxDelayMs: RETRY_MAX_DELAY_MS },
  });
  return {
    mode: socketMode ? 'socket' : 'http',
    slack: {
      botToken: vars.SLACK_BOT_TOKEN,
      signingSecret: vars.SLACK_SIGNING_SECRET,
      appToken: vars.SLACK_APP_TOKEN,
      apiUrl: vars.SLACK_API_URL,
    },
    port: vars.PORT,
    vendors: {
      altostrat: vendor(vars.ALTOSTRAT_API_URL, vars.ALTOSTRAT_API_TOKEN),
      aitronos: vendor(vars.AITRONOS_API_URL, vars.AITRONOS_API_TOKEN),
    },
    policyFile: vars.POLICY_FILE,
    database: vars.DATABASE_URL,
    logLevel: vars.LOG_LEVEL,
    concurrency: vars.VENDOR_CONCURRENCY,
    usergroupCacheTtlMs: vars.USERGROUP_CACHE_TTL,
  };
}

/** DATABASE_URL alone, read as the bot reads it, for tools that need nothing else (the audit export). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv): DatabaseConfig {
  return validate(z.object({ DATABASE_URL: databaseUrl }), { DATABASE_URL: present(env.DATABASE_URL) }).DATABASE_URL;
}

function validate<T extends z.ZodType>(schema: T, input: Record<string, string | undefined>): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`));
  }
  return parsed.data;
}

/** Every secret in `config` (tokens, signing secret, database password), for the logger to redact. */
export function secretValues(config: Config): string[] {
  const databasePassword = config.database.kind === 'postgres' ? new URL(config.database.url).password : '';
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    config.vendors.altostrat.token,
    config.vendors.aitronos.token,
    databasePassword,
  ].filter((value): value is string => Boolean(value));
}
