/**
 * Shared bits of the fake Slack's own tests: a logger that keeps Slack's SDK quiet (it logs
 * every refused call as an error, and these tests provoke refusals on purpose) and a
 * WebClient wired to the fake as the bot will be.
 */
import { LogLevel, type Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { FakeSlack } from '../../support/fake-slack';

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
