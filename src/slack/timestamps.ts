import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../lib/logger';

/** How far a signed timestamp may stray from now: Slack's own window, which Bolt applies to the past only. */
const signingWindowSeconds = 5 * 60;

/**
 * Refuses a request whose signed timestamp lies further in the future than the signing window,
 * before Bolt sees it. Bolt refuses old timestamps but accepts future ones, and a request signed
 * for later could be replayed for as long as its timestamp stays in the window.
 */
export function refuseFutureTimestamps(listener: RequestListener, logger: Logger, now: () => number = Date.now): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['x-slack-request-timestamp'];
    const seconds = Number(Array.isArray(header) ? header[0] : header);
    if (Number.isFinite(seconds) && seconds > now() / 1000 + signingWindowSeconds) {
      logger.warn('refused a Slack request signed for the future', { url: req.url, timestamp: seconds });
      res.writeHead(401).end();
      return;
    }
    listener(req, res);
  };
}
