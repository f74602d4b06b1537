import type { Dispatcher } from 'undici';

/** A request whose answer did not come in full within its budget. */
export class AnswerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'AnswerTimeoutError';
  }
}

/**
 * An undici interceptor giving each request `timeoutMs` for its whole answer, counted from when
 * it is written to a connection: undici calls `onRequestStart` then, once the socket is connected.
 * Time spent waiting for a connection, or connecting (VENDOR_CONNECT_TIMEOUT_MS bounds that), does
 * not count, so a busy pool cannot make a vendor that answers in time look slow.
 */
export function answerClock(timeoutMs: number): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => clearTimeout(timer);
    return dispatch(options, {
      onRequestStart(controller, context) {
        // undici may start a request again when the connection ahead of it failed: a fresh budget.
        stop();
        timer = setTimeout(() => controller.abort(new AnswerTimeoutError(timeoutMs)), timeoutMs);
        handler.onRequestStart?.(controller, context);
      },
      onResponseStart: (controller, statusCode, headers, statusMessage) =>
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd(controller, trailers) {
        stop();
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError(controller, error) {
        stop();
        handler.onResponseError?.(controller, error);
      },
    });
  };
}
