import { matchesFilter, type CallFilter, type CallKey } from './filter';
import type { FaultAction } from './faults';

/** Whether a call carried the vendor's bearer token. */
export type Authorization = 'missing' | 'invalid' | 'valid';

/** How a call ended: answered, cut off by a `reset` fault, or given up by the client first. */
export type CallEnd = 'answered' | 'reset' | 'aborted';

export interface CallRecord extends CallKey {
  id: number;
  /** The query as received, without the `?`; empty when there was none. */
  query: string;
  authorization: Authorization;
  /** Epoch milliseconds. */
  receivedAt: number;
  answeredAt?: number;
  status?: number;
  end?: CallEnd;
  /** The kind of fault applied to the call, if any. */
  fault?: FaultAction['type'];
}

/** Every vendor call the simulator received, and how many were in flight at once. */
export class CallLog {
  private records: CallRecord[] = [];
  private readonly listeners = new Set<() => void>();
  private current = 0;
  private peak = 0;
  private nextId = 1;

  get inFlight(): number {
    return this.current;
  }

  /** The most calls in flight at once since the log was created or cleared. */
  get maxInFlight(): number {
    return this.peak;
  }

  begin(call: CallKey & { query: string; authorization: Authorization }): CallRecord {
    const record: CallRecord = { ...call, id: this.nextId++, receivedAt: Date.now() };
    this.records.push(record);
    this.current += 1;
    this.peak = Math.max(this.peak, this.current);
    this.changed();
    return record;
  }

  noteFault(record: CallRecord, fault: FaultAction['type']): void {
    record.fault = fault;
  }

  finish(record: CallRecord, end: CallEnd, status?: number): void {
    Object.assign(record, { end, status, answeredAt: Date.now() });
    this.current -= 1;
    this.changed();
  }

  /** Copies of the recorded calls that match `filter`, oldest first. */
  list(filter: CallFilter = {}): CallRecord[] {
    return this.records.filter((record) => matchesFilter(filter, record)).map((record) => ({ ...record }));
  }

  count(filter: CallFilter = {}): number {
    return this.list(filter).length;
  }

  /** Forgets the recorded calls; calls still in flight count towards the next peak. */
  clear(): void {
    this.records = [];
    this.peak = this.current;
  }

  /** The first recorded call satisfying `predicate`, as soon as there is one; rejects after `timeoutMs`. */
  waitFor(predicate: (call: CallRecord) => boolean, timeoutMs = 2000): Promise<CallRecord> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.records.find(predicate);
        if (!found) return;
        stop();
        resolve({ ...found });
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no simulator call as expected within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
