/**
 * Shared bits of the fake Slack's own tests: a logger that keeps Slack's SDK quiet (it logs
 * every refused call as an error, and these tests provoke refusals on purpose) and a
 * WebClient wired to the fake as the bot will be.
 */
import { LogLevel, type Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { FakeSlack } from '../../support/fake-slack';

export function quietLogger(): Logger {
  let level = LogLevel.ERROR;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * A real WebClient pointed at the fake, without retries (they would take up to 30 minutes).
 * `null` sends no token at all.
 */
export function clientFor(fake: FakeSlack, token: string | null = fake.botToken): WebClient {
  return new WebClient(token ?? undefined, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: quietLogger() });
}

/** The Slack error code a WebClient call was refused with. */
export async function slackError(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await call;
  } catch (error) {
    const data = (error as { data?: { error?: string; response_metadata?: { messages?: string[] } } }).data;
    if (data?.error) return { error: data.error, messages: data.response_metadata?.messages ?? [] };
    throw error;
  }
  throw new Error('the call was accepted, but a refusal was expected');
}

/**
 * A fake Slack started before the file's tests and stopped after, reset before each, and a bot
 * client of it; `client` is a getter because the client exists only once the fake has started.
 */
export function startedFakeSlack(options?: ConstructorParameters<typeof FakeSlack>[0]): { fake: FakeSlack; client: () => WebClient } {
  const fake = new FakeSlack(options);
  let client: WebClient | undefined;
  beforeAll(async () => {
    await fake.start();
    client = clientFor(fake);
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());
  return { fake, client: () => client! };
}
