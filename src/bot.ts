import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { secretValues } from './config';
import { loadPolicy } from './policy/load';
import { RoleResolver } from './policy/roles';
import { createSlackTransport } from './slack/app';
import { openStore } from './store';
import { Twokey } from './twokey';
import { createVendorClients } from './vendors';

export interface RunningBot {
  /** The HTTP port in HTTP mode. */
  port?: number;
  stop(): Promise<void>;
}

/** Loads the policy, opens the store, builds the core and serves Slack: everything `npm start` does after reading the environment. */
export async function startBot(config: Config, options: { logger?: Logger } = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const policy = loadPolicy(config.policyFile);
  const store = await openStore(config.database);
  const vendors = createVendorClients(config.vendors, { logger });

  const transport = createSlackTransport(config, logger, (slack) => {
    const roles = new RoleResolver(
      policy,
      async (usergroup) => (await slack.usergroups.users.list({ usergroup })).users ?? [],
      { ttlMs: config.usergroupCacheTtlMs },
    );
    return new Twokey({ policy, roles, store, vendors, concurrency: config.concurrency, logger });
  });
  const release = async () => {
    await vendors.close();
    await store.close();
  };
  let port: number | undefined;
  try {
    ({ port } = await transport.start());
  } catch (error) {
    await release();
    throw error;
  }
  logger.info('twokey is serving Slack', { mode: config.mode, port });

  return {
    port,
    async stop() {
      await transport.stop();
      await release();
    },
  };
}
