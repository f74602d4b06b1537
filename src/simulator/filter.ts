import type { SimulatedVendor } from './contract';

/** The parts of a simulated vendor call that faults and queries select on. */
export interface CallKey {
  /** Absent for a path no vendor owns. */
  vendor?: SimulatedVendor;
  method: string;
  /** The path as received, percent-encoding included, without the query. */
  path: string;
}

/** Selects calls: every given field must match; `path` matches any part of the path. */
export interface CallFilter {
  vendor?: SimulatedVendor;
  method?: string;
  path?: string;
}

export function matchesFilter(filter: CallFilter, call: CallKey): boolean {
  return (
    (filter.vendor === undefined || filter.vendor === call.vendor) &&
    (filter.method === undefined || filter.method.toUpperCase() === call.method) &&
    (filter.path === undefined || call.path.includes(filter.path))
  );
}
