import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, loadConfig, loadDotenv, secretValues, type Config } from '../../../src/app/config';
import { parseDatabaseUrl } from '../../../src/store/url';

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1-bot-secret',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  ALTOSTRAT_API_TOKEN: 'altostrat-secret-token',
  AITRONOS_API_TOKEN: 'aitronos-secret-token',
};

function problemsOf(env: NodeJS.ProcessEnv, options?: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('fills in every default in HTTP mode', () => {
    const vendorDefaults = {
      connectTimeoutMs: 5_000,
      timeoutMs: 15_000,
      maxInFlight: 32,
      retry: { attempts: 3, baseDelayMs: 250, maxDelayMs: 10_000 },
    };
    expect(loadConfig(base)).toEqual<Config>({
      mode: 'http',
      slack: {
        botToken: 'xoxb-1-bot-secret',
        signingSecret: 'signing-secret-value',
        appToken: undefined,
        apiUrl: undefined,
      },
      port: 3000,
      vendors: {
        altostrat: { baseUrl: 'https://v1.api.altostrat.io', token: 'altostrat-secret-token', ...vendorDefaults },
        aitronos: { baseUrl: 'https://api.aitronos.com', token: 'aitronos-secret-token', ...vendorDefaults },
      },
      policyFile: './policy.yml',
      database: { kind: 'sqlite', path: './data/twokey.db' },
      logLevel: 'info',
      concurrency: 8,
      usergroupCacheTtlMs: 300_000,
    });
  });

  it('reads every variable when set', () => {
    const config = loadConfig({
      ...base,
      SLACK_API_URL: 'http://127.0.0.1:4000/api',
      PORT: '8080',
      ALTOSTRAT_API_URL: 'http://127.0.0.1:5000/altostrat/',
      AITRONOS_API_URL: 'http://127.0.0.1:5000',
      POLICY_FILE: '/etc/twokey/policy.yml',
      DATABASE_URL: 'postgres://twokey@db:5432/twokey',
      LOG_LEVEL: 'debug',
      VENDOR_TIMEOUT_MS: '30000',
      VENDOR_CONNECT_TIMEOUT_MS: '2000',
      VENDOR_RETRIES: '0',
      VENDOR_CONCURRENCY: '50',
      VENDOR_MAX_IN_FLIGHT: '4',
      USERGROUP_CACHE_TTL: '30s',
    });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:4000/api/');
    expect(config.port).toBe(8080);
    expect(config.vendors.altostrat.baseUrl).toBe('http://127.0.0.1:5000/altostrat');
    expect(config.vendors.aitronos).toEqual({
      baseUrl: 'http://127.0.0.1:5000',
      token: 'aitronos-secret-token',
      connectTimeoutMs: 2_000,
      timeoutMs: 30_000,
      maxInFlight: 4,
      retry: { attempts: 0, baseDelayMs: 250, maxDelayMs: 10_000 },
    });
    expect(config.policyFile).toBe('/etc/twokey/policy.yml');
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://twokey@db:5432/twokey' });
    expect(config.logLevel).toBe('debug');
    expect(config.concurrency).toBe(50);
    expect(config.usergroupCacheTtlMs).toBe(30_000);
  });

  it('keeps a Slack API URL that already ends in /', () => {
    expect(loadConfig({ ...base, SLACK_API_URL: 'https://slack.example/api/' }).slack.apiUrl).toBe(
      'https://slack.example/api/',
    );
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set, and then needs no signing secret', () => {
    const config = loadConfig({ ...base, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1-app-secret' });
    expect(config.mode).toBe('socket');
    expect(config.slack).toEqual({
      botToken: 'xoxb-1-bot-secret',
      signingSecret: undefined,
      appToken: 'xapp-1-app-secret',
      apiUrl: undefined,
    });
  });

  it('uses HTTP mode without SLACK_APP_TOKEN, and then needs the signing secret', () => {
    expect(problemsOf({ ...base, SLACK_SIGNING_SECRET: undefined })).toEqual([
      'SLACK_SIGNING_SECRET: is not set; it is required in HTTP mode (when SLACK_APP_TOKEN is not set)',
    ]);
  });

  it('treats blank values as unset and trims the rest', () => {
    const config = loadConfig({ ...base, PORT: '', SLACK_APP_TOKEN: '  ', LOG_LEVEL: ' warn\n' });
    expect(config.port).toBe(3000);
    expect(config.mode).toBe('http');
    expect(config.logLevel).toBe('warn');
    expect(problemsOf({ ...base, SLACK_BOT_TOKEN: '   ' })).toEqual([
      'SLACK_BOT_TOKEN: is not set; expected a bot token',
    ]);
  });

  it('needs the vendor tokens unless told otherwise', () => {
    const env = { ...base, ALTOSTRAT_API_TOKEN: undefined, AITRONOS_API_TOKEN: undefined };
    expect(problemsOf(env)).toEqual([
      "ALTOSTRAT_API_TOKEN: is not set; the bot's Altostrat API token is required",
      "AITRONOS_API_TOKEN: is not set; the bot's Aitronos API token is required",
    ]);
    const config = loadConfig(env, { requireVendorTokens: false });
    expect(config.vendors.altostrat.token).toBe('');
    expect(config.vendors.aitronos.token).toBe('');
  });

  const badDatabase = 'DATABASE_URL: must be a file path, sqlite:<path>, or a postgres:// or postgresql:// URL';

  it.each<[string, string | undefined, string]>([
    ['SLACK_BOT_TOKEN', undefined, 'SLACK_BOT_TOKEN: is not set; expected a bot token'],
    ['SLACK_BOT_TOKEN', 'xoxp-user-token', 'SLACK_BOT_TOKEN: must be a bot token, starting with xoxb-'],
    ['SLACK_APP_TOKEN', 'xoxb-not-an-app-token', 'SLACK_APP_TOKEN: must be an app-level token, starting with xapp-'],
    ['SLACK_API_URL', 'slack.test/api', 'SLACK_API_URL: must be an http:// or https:// URL'],
    ['SLACK_API_URL', 'ftp://slack.test/api/', 'SLACK_API_URL: must be an http:// or https:// URL'],
    ['PORT', 'http', 'PORT: must be a whole number from 0 to 65535'],
    ['PORT', '70000', 'PORT: must be a whole number from 0 to 65535'],
    ['PORT', '-1', 'PORT: must be a whole number from 0 to 65535'],
    ['ALTOSTRAT_API_URL', 'v1.api.altostrat.io', 'ALTOSTRAT_API_URL: must be an http:// or https:// URL'],
    ['AITRONOS_API_URL', 'not a url', 'AITRONOS_API_URL: must be an http:// or https:// URL'],
    ['DATABASE_URL', 'mysql://db/twokey', badDatabase],
    ['DATABASE_URL', 'sqlite:', badDatabase],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL: must be one of debug, info, warn, error'],
    ['VENDOR_TIMEOUT_MS', '0', 'VENDOR_TIMEOUT_MS: must be a whole number from 1 to 600000'],
    ['VENDOR_TIMEOUT_MS', '1.5', 'VENDOR_TIMEOUT_MS: must be a whole number from 1 to 600000'],
    ['VENDOR_CONNECT_TIMEOUT_MS', '5s', 'VENDOR_CONNECT_TIMEOUT_MS: must be a whole number from 1 to 600000'],
    ['VENDOR_RETRIES', '6', 'VENDOR_RETRIES: must be a whole number from 0 to 5'],
    ['VENDOR_CONCURRENCY', '0', 'VENDOR_CONCURRENCY: must be a whole number from 1 to 50'],
    ['VENDOR_CONCURRENCY', '51', 'VENDOR_CONCURRENCY: must be a whole number from 1 to 50'],
    ['VENDOR_MAX_IN_FLIGHT', '0', 'VENDOR_MAX_IN_FLIGHT: must be a whole number from 1 to 256'],
    ['VENDOR_MAX_IN_FLIGHT', '257', 'VENDOR_MAX_IN_FLIGHT: must be a whole number from 1 to 256'],
    [
      'USERGROUP_CACHE_TTL',
      '300',
      'USERGROUP_CACHE_TTL: expected a duration such as 30s, 15m, 2h or 1d, got "300"',
    ],
    ['USERGROUP_CACHE_TTL', '25h', 'USERGROUP_CACHE_TTL: expected a duration of at most 1d, got "25h"'],
    ['USERGROUP_CACHE_TTL', '3000000d', 'USERGROUP_CACHE_TTL: expected a duration of at most 1d, got "3000000d"'],
  ])('refuses %s=%p', (name, value, problem) => {
    expect(problemsOf({ ...base, [name]: value })).toEqual([problem]);
  });

  const notHttps = 'must be an https:// URL; http:// is allowed only to a loopback address such as 127.0.0.1';

  it.each([
    'http://vendor.example.com',
    'http://v1.api.altostrat.io/',
    'http://10.0.0.5:8080',
    'http://[::2]:8080',
    'http://localhost.example.com',
    'http://127.0.0.1.example.com',
  ])('refuses a vendor URL over plain http to %p: the token would travel in clear', (url) => {
    expect(problemsOf({ ...base, ALTOSTRAT_API_URL: url, AITRONOS_API_URL: url })).toEqual([
      `ALTOSTRAT_API_URL: ${notHttps}`,
      `AITRONOS_API_URL: ${notHttps}`,
    ]);
  });

  it.each([
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['http://127.45.6.7:5000/api/', 'http://127.45.6.7:5000/api'],
    ['http://localhost:5000', 'http://localhost:5000'],
    ['http://LOCALHOST:5000', 'http://LOCALHOST:5000'],
    ['http://[::1]:5000', 'http://[::1]:5000'],
    ['https://vendor.example.com/', 'https://vendor.example.com'],
  ])('accepts the vendor URL %p (https, or http to this machine)', (url, baseUrl) => {
    expect(loadConfig({ ...base, ALTOSTRAT_API_URL: url }).vendors.altostrat.baseUrl).toBe(baseUrl);
  });

  it('refuses a vendor URL carrying credentials, and never repeats them', () => {
    const problems = problemsOf({
      ...base,
      ALTOSTRAT_API_URL: 'https://twokey:hunter2-url-password@v1.api.altostrat.io',
      AITRONOS_API_URL: 'http://admin@127.0.0.1:5000',
    });
    expect(problems).toEqual([
      'ALTOSTRAT_API_URL: must not carry a user name or password; the token goes in ALTOSTRAT_API_TOKEN',
      'AITRONOS_API_URL: must not carry a user name or password; the token goes in AITRONOS_API_TOKEN',
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|twokey:|admin@/);
  });

  it('lists every problem at once, one per line, in one ConfigError', () => {
    let error: unknown;
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'xoxp-1', PORT: 'eighty', LOG_LEVEL: 'loud', VENDOR_RETRIES: '9' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toEqual([
      'SLACK_BOT_TOKEN: must be a bot token, starting with xoxb-',
      'SLACK_SIGNING_SECRET: is not set; it is required in HTTP mode (when SLACK_APP_TOKEN is not set)',
      'PORT: must be a whole number from 0 to 65535',
      "ALTOSTRAT_API_TOKEN: is not set; the bot's Altostrat API token is required",
      "AITRONOS_API_TOKEN: is not set; the bot's Aitronos API token is required",
      'LOG_LEVEL: must be one of debug, info, warn, error',
      'VENDOR_RETRIES: must be a whole number from 0 to 5',
    ]);
    expect(message.split('\n')).toEqual([
      'The configuration is invalid:',
      ...problems.map((problem) => `  - ${problem}`),
    ]);
  });

  it('never puts the value of a secret in its error', () => {
    const secrets = ['xoxp-user-secret-1234', 'xoxb-bot-in-the-wrong-place-5678', 'hunter2-password'];
    let error: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: secrets[0],
        SLACK_APP_TOKEN: secrets[1],
        DATABASE_URL: `mysql://twokey:${secrets[2]}@db/twokey`,
        SLACK_API_URL: `not a url ${secrets[2]}`,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_API_URL',
      'ALTOSTRAT_API_TOKEN',
      'AITRONOS_API_TOKEN',
      'DATABASE_URL',
    ]);
    for (const secret of secrets) expect(message).not.toContain(secret);
    expect(message).not.toContain('hunter2');
  });
});

describe('DATABASE_URL', () => {
  it.each<[string | undefined, ReturnType<typeof parseDatabaseUrl>]>([
    [undefined, { kind: 'sqlite', path: './data/twokey.db' }],
    ['./state/twokey.db', { kind: 'sqlite', path: './state/twokey.db' }],
    ['/var/lib/twokey/twokey.db', { kind: 'sqlite', path: '/var/lib/twokey/twokey.db' }],
    ['twokey.db', { kind: 'sqlite', path: 'twokey.db' }],
    ['sqlite:./data/other.db', { kind: 'sqlite', path: './data/other.db' }],
    ['sqlite:///var/lib/twokey.db', { kind: 'sqlite', path: '/var/lib/twokey.db' }],
    ['sqlite://data/twokey.db', { kind: 'sqlite', path: 'data/twokey.db' }],
    ['postgres://postgres@127.0.0.1:5432/test', { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test' }],
    ['postgresql://db.internal/twokey?ssl=true', { kind: 'postgres', url: 'postgresql://db.internal/twokey?ssl=true' }],
  ])('%p', (value, database) => {
    expect(loadConfig({ ...base, DATABASE_URL: value }).database).toEqual(database);
  });

  it('refuses other schemes and unusable URLs', () => {
    expect(parseDatabaseUrl('mysql://db/twokey')).toBeUndefined();
    expect(parseDatabaseUrl('postgres://[bad')).toBeUndefined();
    expect(parseDatabaseUrl('sqlite:')).toBeUndefined();
  });
});

describe('secretValues', () => {
  it('lists the tokens, the signing secret and a database password for the logger to redact', () => {
    const config = loadConfig({
      ...base,
      SLACK_APP_TOKEN: 'xapp-1-app-secret',
      DATABASE_URL: 'postgres://twokey:db-pass%21@db/twokey',
    });
    expect(secretValues(config).sort()).toEqual(
      [
        'xoxb-1-bot-secret',
        'signing-secret-value',
        'xapp-1-app-secret',
        'altostrat-secret-token',
        'aitronos-secret-token',
        'db-pass%21',
      ].sort(),
    );
  });

  it('leaves out what is not set', () => {
    const config = loadConfig(
      { SLACK_BOT_TOKEN: 'xoxb-only', SLACK_APP_TOKEN: 'xapp-only' },
      { requireVendorTokens: false },
    );
    expect(secretValues(config)).toEqual(['xoxb-only', 'xapp-only']);
  });
});

describe('.env.example', () => {
  const text = readFileSync(resolve(__dirname, '../../../.env.example'), 'utf8');

  it('documents every variable, each with a comment line above it', () => {
    const names = [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_APP_TOKEN',
      'SLACK_API_URL',
      'PORT',
      'ALTOSTRAT_API_URL',
      'ALTOSTRAT_API_TOKEN',
      'AITRONOS_API_URL',
      'AITRONOS_API_TOKEN',
      'POLICY_FILE',
      'DATABASE_URL',
      'LOG_LEVEL',
      'VENDOR_TIMEOUT_MS',
      'VENDOR_CONNECT_TIMEOUT_MS',
      'VENDOR_RETRIES',
      'VENDOR_CONCURRENCY',
      'VENDOR_MAX_IN_FLIGHT',
      'USERGROUP_CACHE_TTL',
    ];
    expect(Object.keys(dotenv.parse(text)).sort()).toEqual([...names].sort());
    const lines = text.split('\n');
    for (const name of names) {
      const at = lines.findIndex((line) => line.startsWith(`${name}=`));
      expect(lines[at - 1]).toMatch(/^# \S/);
    }
  });

  it('is a configuration twokey accepts, in HTTP mode', () => {
    expect(loadConfig(dotenv.parse(text)).mode).toBe('http');
  });
});

describe('loadDotenv', () => {
  it('reads .env from the working directory without overriding what is set', () => {
    const directory = mkdtempSync(join(tmpdir(), 'twokey-env-'));
    writeFileSync(join(directory, '.env'), 'TWOKEY_TEST_FROM_FILE=file\nTWOKEY_TEST_ALREADY_SET=file\n');
    const cwd = process.cwd();
    process.env.TWOKEY_TEST_ALREADY_SET = 'environment';
    try {
      process.chdir(directory);
      loadDotenv();
      expect(process.env.TWOKEY_TEST_FROM_FILE).toBe('file');
      expect(process.env.TWOKEY_TEST_ALREADY_SET).toBe('environment');
    } finally {
      process.chdir(cwd);
      delete process.env.TWOKEY_TEST_FROM_FILE;
      delete process.env.TWOKEY_TEST_ALREADY_SET;
    }
  });
});
