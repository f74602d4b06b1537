/**
 * The Slack listeners hand their work to the core and return: Bolt holds on to a delivery
 * (request, response, parsed payload) until its listener returns, and a command may wait
 * minutes for a busy vendor.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import { createLogger } from '../../../src/lib/logger';
import { cardActions } from '../../../src/messages/card';
import type { Twokey } from '../../../src/requests/core';
import { registerActions } from '../../../src/slack/listeners/actions';
import { registerCommands } from '../../../src/slack/listeners/commands';

type Listener = (args: Record<string, unknown>) => Promise<void>;

/** Just enough of a Bolt app to capture the listeners registered on it; `get` finds one as Bolt matches an ID (a string or a pattern). */
function fakeApp() {
  const registered: [string | RegExp, Listener][] = [];
  const register = (id: string | RegExp, listener: Listener) => void registered.push([id, listener]);
  const listeners = {
    get: (id: string) => registered.find(([matcher]) => (typeof matcher === 'string' ? matcher === id : matcher.test(id)))?.[1],
  };
  return { app: { command: register, action: register } as unknown as App, listeners };
}

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }) };
}

const commandArgs = (ack: () => Promise<void>) => ({
  ack,
  command: { user_id: 'U1', channel_id: 'C1', channel_name: 'inc-1', text: 'site session reason', trigger_id: 'T1' },
  client: {},
  respond: async () => undefined,
});

const clickArgs = (ack: () => Promise<void>) => ({
  ack,
  body: { user: { id: 'U2' }, channel: { id: 'C1', name: 'inc-1' }, container: {}, trigger_id: 'T2' },
  action: { value: 'req_1' },
  client: {},
  respond: async () => undefined,
});

/** Whether `listener` returned within a second. */
async function returnsPromptly(listener: Promise<void>): Promise<boolean> {
  return Promise.race([listener.then(() => true), delay(1000).then(() => false)]);
}

describe('Slack listeners', () => {
  const never = () => new Promise<void>(() => undefined);

  test('a command is acknowledged and handed to the core; the listener returns while the core still works on it', async () => {
    const { app, listeners } = fakeApp();
    const handle = jest.fn(never);
    registerCommands(app, { handle } as unknown as Twokey, capturedLogger().logger);
    const ack = jest.fn(async () => undefined);

    expect(await returnsPromptly(listeners.get('/revoke-access')!(commandArgs(ack)))).toBe(true);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(handle).toHaveBeenCalledWith(
      '/revoke-access',
      { userId: 'U1', channel: { id: 'C1', name: 'inc-1' }, text: 'site session reason', deliveryId: 'T1' },
      expect.anything(),
    );
  });

  test('a card click is handed to the core the same way', async () => {
    const { app, listeners } = fakeApp();
    const click = jest.fn(never);
    registerActions(app, { click } as unknown as Twokey, capturedLogger().logger);
    expect(await returnsPromptly(listeners.get(cardActions.approve)!(clickArgs(async () => undefined)))).toBe(true);
    expect(click).toHaveBeenCalledWith(cardActions.approve, 'req_1', { userId: 'U2', channelId: 'C1', deliveryId: 'T2' }, expect.anything());
  });

  test('a failure the core lets escape is logged, not left unhandled', async () => {
    const { app, listeners } = fakeApp();
    const { lines, logger } = capturedLogger();
    registerCommands(app, { handle: async () => Promise.reject(new Error('the core broke')) } as unknown as Twokey, logger);

    await listeners.get('/revoke-access')!(commandArgs(async () => undefined));
    await delay(10);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'unhandled error in a Slack listener', error: expect.objectContaining({ message: 'the core broke' }) }),
    );
  });
});
