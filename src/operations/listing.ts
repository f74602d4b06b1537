import type { VendorCall } from '../vendors/types';

/**
 * A target a vendor listed, reduced to what may be shown: its ID and facts about it. A secret
 * field of the vendor's answer (a session's `username`, `password`, `onclick`; a peer's `token`)
 * is never read into it.
 */
export interface ListedTarget {
  id: string;
  /** What a requester reads beside the ID, in order (`type: ssh`, `expires: …`): vendor text, escaped by whoever shows it. */
  facts: { label: string; value: string }[];
}

/** A filter a listing takes (PRODUCT.md §9), e.g. `--type client|site`. */
export interface ListFilter {
  flag: `--${string}`;
  /** The values it takes, for usage lines and errors, e.g. `client|site`. */
  values: string;
  /** The list call's query parameters for `value`, or why `value` cannot be used. */
  parse(value: string): { ok: true; query: Record<string, string> } | { ok: false; error: string };
}

/** How an operation's targets under one parent are found with the vendor's list call (`../shared/vendors/lists.md`). */
export interface TargetListing {
  filters: readonly ListFilter[];
  /** `--all` needs a filter too: acting on every grant of an organization is never what an incident needs. */
  allNeedsFilter: boolean;
  /** The GET of the page that starts at `skip` (0 for the first), with the filters' query parameters. */
  call(parentId: string, query: Readonly<Record<string, string>>, skip: number): VendorCall;
  /**
   * Reads one page of a 200 answer: the targets an operation could act on (an expired session is
   * not one) and where the next page starts, when there is one. Throws an Error with a
   * user-facing message when the body is not what the contract says; fields it does not know are ignored.
   */
  read(body: unknown): { targets: ListedTarget[]; nextSkip?: number };
}
