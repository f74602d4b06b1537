import { setImmediate } from 'node:timers/promises';

/**
 * Resolves once the event loop has taken in the requests that arrived meanwhile. A listener
 * awaits it between its ack and its work, so that when many commands or clicks arrive at
 * once every ack goes out before any of their store writes and vendor calls begin.
 */
export function afterPendingAcks(): Promise<void> {
  return setImmediate();
}
