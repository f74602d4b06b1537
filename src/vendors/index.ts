import { createVendorClient, type VendorClientOptions } from './http';
import { vendorNames, type VendorClients, type VendorName, type VendorSettings } from './types';

export { createVendorClient, retryDelay, type VendorClientOptions } from './http';
export { errorFromResponse, parseRetryAfter, safeText } from './normalize';
export { VendorError } from './errors';
export * from './types';

export type ClosableVendorClients = VendorClients & { close(): Promise<void> };

/** A client for each vendor, closed together. */
export function createVendorClients(
  settings: Record<VendorName, VendorSettings>,
  options: VendorClientOptions = {},
): ClosableVendorClients {
  const clientFor = (vendor: VendorName) => createVendorClient(vendor, settings[vendor], options);
  const clients: VendorClients = { altostrat: clientFor('altostrat'), aitronos: clientFor('aitronos') };
  return {
    ...clients,
    close: async () => {
      await Promise.all(vendorNames.map((vendor) => clients[vendor].close()));
    },
  };
}
