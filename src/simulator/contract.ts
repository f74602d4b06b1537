/**
 * The vendor contract as the simulator knows it, written from the vendors' documentation (the seed
 * pages and the list-endpoint summary), never from twokey's own vendor client: a simulator built from
 * the client it tests would share the client's mistakes instead of catching them.
 *
 * Each vendor's paths, error envelopes and authentication live with its routes, in `altostrat.ts` and
 * `aitronos.ts`.
 */

/** The vendors the simulator stands in for. */
export const simulatedVendors = ['altostrat', 'aitronos'] as const;
export type SimulatedVendor = (typeof simulatedVendors)[number];
