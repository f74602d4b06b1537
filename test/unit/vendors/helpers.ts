import { createServer } from 'node:net';
import { createSimulator, defaultSimulatorTokens, type Simulator, type SimulatorOptions } from '../../../src/simulator';
import { VendorError } from '../../../src/vendors/errors';
import { createVendorClient, type VendorClientOptions } from '../../../src/vendors/http';
import type { RetryPolicy, VendorClient, VendorName, VendorSettings } from '../../../src/vendors/types';

export type SettingsOverrides = Partial<Omit<VendorSettings, 'retry'>> & { retry?: Partial<RetryPolicy> };

/** Settings that keep tests fast: tiny timeouts and backoff. */
export function testSettings(baseUrl: string, vendor: VendorName, overrides: SettingsOverrides = {}): VendorSettings {
  const { retry, ...rest } = overrides;
  return {
    baseUrl,
    token: defaultSimulatorTokens[vendor],
    connectTimeoutMs: 500,
    timeoutMs: 1000,
    maxInFlight: 32,
    ...rest,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 50, ...retry },
  };
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** A running simulator plus clients on it, all closed by `close()`. */
export class Harness {
  private readonly clients: VendorClient[] = [];

  private constructor(readonly simulator: Simulator) {}

  static async start(options: SimulatorOptions = {}): Promise<Harness> {
    const simulator = createSimulator(options);
    await simulator.start(0);
    return new Harness(simulator);
  }

  client(vendor: VendorName, overrides: SettingsOverrides = {}, options: VendorClientOptions = {}): VendorClient {
    const client = createVendorClient(vendor, testSettings(this.simulator.url, vendor, overrides), options);
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    // The simulator first, so that no held call keeps a client waiting.
    await this.simulator.stop();
    await Promise.all(this.clients.map((client) => client.close()));
  }
}

/** The VendorError the promise rejects with; anything else fails the test. */
export async function vendorError(promise: Promise<unknown>): Promise<VendorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VendorError) return error;
    throw error;
  }
  throw new Error('expected a VendorError, but the call succeeded');
}
