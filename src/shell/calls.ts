import { plural } from '../messages/format';
import { type VendorClient, type VendorClients, type VendorName, vendorNames, vendorTitles } from '../vendors/types';

/**
 * The vendor calls under way, counted as they go through the clients, so that the shell can say
 * what it is waiting for while a command runs.
 */
export class CallWatch {
  private readonly underWay: Record<VendorName, number> = { altostrat: 0, aitronos: 0 };

  /** The same clients, each call counted while it waits for its answer. */
  watch(clients: VendorClients): VendorClients {
    return { altostrat: this.counted(clients.altostrat), aitronos: this.counted(clients.aitronos) };
  }

  /** `Altostrat (1 call)`, `Altostrat (3 calls) and Aitronos (1 call)`; undefined when no call is under way. */
  describe(): string | undefined {
    const busy = vendorNames.filter((vendor) => this.underWay[vendor] > 0);
    if (busy.length === 0) return undefined;
    return busy.map((vendor) => `${vendorTitles[vendor]} (${plural(this.underWay[vendor], 'call')})`).join(' and ');
  }

  private counted(client: VendorClient): VendorClient {
    return {
      vendor: client.vendor,
      baseUrl: client.baseUrl,
      send: async (call) => {
        this.underWay[client.vendor] += 1;
        try {
          return await client.send(call);
        } finally {
          this.underWay[client.vendor] -= 1;
        }
      },
      close: () => client.close(),
    };
  }
}
