import { setImmediate } from 'node:timers/promises';
import type { Logger } from '../../lib/logger';

/**
 * Resolves once the event loop has taken in the requests that arrived meanwhile. A listener
 * awaits it between its ack and its work, so that when many commands or clicks arrive at
 * once every ack goes out before any of their store writes and vendor calls begin.
 */
export function afterPendingAcks(): Promise<void> {
  return setImmediate();
}

/**
 * Lets the core's `work` go on after the listener returns. Bolt holds on to the whole delivery
 * (request, response, parsed payload, middleware chain: some 15 KiB) until its listener
 * returns, and a command can wait minutes for a busy vendor; the core tracks its own work, for
 * the drain at shutdown, and answers its failures itself. What still escapes is logged as Bolt
 * would have.
 */
export function handOff(work: Promise<void>, logger: Logger): void {
  work.catch((error: unknown) => logger.error('unhandled error in a Slack listener', { error }));
}
