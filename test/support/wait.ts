/**
 * Waiting for recorded events with a deadline, never for a fixed time.
 *
 * A probe is called until it returns a value other than `undefined`, `null` or `false`;
 * that value is the result. A probe may also throw (a failed `expect`, say): that counts
 * as "not yet", and the last error is quoted if the deadline passes.
 */

export type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

/** Registers `wake` to be called when something may have changed; returns the unregistering function. */
export type Subscribe = (wake: () => void) => () => void;

export interface WaitOptions {
  /** Deadline; default 10,000 ms: generous, since a loaded CI machine is slow, and a wait ends as soon as its event is seen. */
  timeoutMs?: number;
  /** How often to re-check when nothing wakes us; default 20 ms. */
  intervalMs?: number;
  /** What is awaited, for the error message ("a message in C0INCIDENT1"). */
  description?: string;
  /** Re-check as soon as a source of events says something changed, not only on the interval. */
  subscribe?: Subscribe;
}

export const defaultWaitTimeoutMs = 10_000;

export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastError?: unknown,
  ) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isReady<T>(value: T | undefined | null | false): value is T {
  return value !== undefined && value !== null && value !== false;
}

/** Resolves with the probe's first ready value; rejects with a clear message at the deadline. */
export function waitFor<T>(probe: Probe<T>, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaultWaitTimeoutMs;
  const intervalMs = options.intervalMs ?? 20;
  const what = options.description ?? 'a condition';
  const started = Date.now();

  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let checking = false;
    let recheck = false;
    let lastError: unknown;
    let poll: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;

    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(deadline);
      unsubscribe?.();
      outcome();
    };

    // One probe at a time; a wake-up during a probe asks for one more run afterwards.
    const check = async (): Promise<void> => {
      if (settled) return;
      if (checking) {
        recheck = true;
        return;
      }
      checking = true;
      try {
        const value = await probe();
        if (isReady(value)) {
          finish(() => resolve(value));
          return;
        }
        lastError = undefined;
      } catch (error) {
        lastError = error;
      } finally {
        checking = false;
      }
      if (recheck) {
        recheck = false;
        void check();
      }
    };

    const deadline = setTimeout(() => {
      const last = lastError === undefined ? '' : ` (last check: ${describeError(lastError)})`;
      const elapsed = Date.now() - started;
      finish(() => reject(new WaitTimeoutError(`Timed out after ${elapsed} ms waiting for ${what}${last}`, lastError)));
    }, timeoutMs);

    poll = setInterval(() => void check(), intervalMs);
    unsubscribe = options.subscribe?.(() => void check());
    void check();
  });
}

/** Races a promise against a deadline, naming what was awaited when it loses. */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new WaitTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${description}`)),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
