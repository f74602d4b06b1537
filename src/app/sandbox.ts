import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Logger } from '../lib/logger';
import type { Store } from '../model/ports';
import { loadPolicy } from '../policy/load';
import type { Policy } from '../policy/schema';
import { CallWatch } from '../shell/calls';
import { shellMessenger } from '../shell/messenger';
import { defaultUser, examplePolicyFile, introduction, sandboxPolicy, sandboxRole } from '../shell/people';
import { Screen, type ScreenOptions } from '../shell/screen';
import { shellChannel } from '../shell/session';
import { createSimulator, demoSeed, describeSeed } from '../simulator';
import { openStore } from '../store';
import {
  type ClosableVendorClients,
  createVendorClients,
  type VendorName,
  vendorNames,
  type VendorSettings,
  vendorTitles,
} from '../vendors';
import { type AssembledCore, assembleCore } from './assemble';
import { type Config, loadConfig, secretValues } from './config';

/** The core, assembled from the environment as `npm start` does, with the shell in Slack's place. */
export interface Sandbox {
  assembled: AssembledCore;
  policy: Policy;
  screen: Screen;
  /** Who types first: `--as`, or the policy's on-call user. */
  user: string;
  /** What the shell runs against, said once at start. */
  about: string[];
  /** The vendor calls under way. */
  calls: CallWatch;
  /** Closes the vendor clients, the store and the simulator, and removes a temporary store. */
  close(): Promise<void>;
  /**
   * For leaving at once, without waiting for calls under way: removes a temporary store there
   * and then, and says what becomes of a request that was running.
   */
  abandon(): string;
}

export interface SandboxOptions extends Omit<ScreenOptions, 'channelNames'> {
  env: NodeJS.ProcessEnv;
  /** `--as`; when absent, the policy's on-call user. */
  user?: string;
}

/** What to undo at exit, last opened first closed. */
type Cleanups = Array<() => unknown>;

export async function openSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { env } = options;
  const config = shellConfig(env);
  // Standard output is the conversation: logs go to standard error, and only warnings unless asked.
  const logger = createLogger({
    level: setting(env, 'LOG_LEVEL') ? config.logLevel : 'warn',
    secrets: secretValues(config),
    write: (line) => process.stderr.write(`${line}\n`),
  });
  const { policy, user, says: policySays } = choosePolicy(env, options.user);

  const cleanups: Cleanups = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const vendors = await connectVendors(env, config, logger, cleanups);
    const store = await openShellStore(env, config, cleanups);
    const screen = new Screen({ ...options, channelNames: { [shellChannel.id]: shellChannel.name } }, user);
    const calls = new CallWatch();
    const assembled = assembleCore(
      { config, policy, store: store.store, vendors: calls.watch(vendors.clients), logger },
      // Without Slack there is nobody to ask who is in a user group, or what an account is: groups
      // have no members here, and everyone is a full member of the workspace.
      { messenger: shellMessenger(screen), usergroupMembers: async () => [], account: async () => 'active' },
    );
    const about = [
      `twokey shell: the bot in a terminal, no Slack needed. Everything happens in #${shellChannel.name} (${shellChannel.id}).`,
      ...vendors.says,
      ...policySays,
      store.says,
      ...introduction(policy, user),
      "Type /twokey help for twokey's commands, :help for the shell's.",
    ];
    return { assembled, policy, screen, user, about, calls, close, abandon: store.abandon };
  } catch (error) {
    await close();
    throw error;
  }
}

function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/**
 * The bot's settings without Slack's: every variable is read and checked as for the bot, but
 * neither Slack nor vendor tokens are required.
 */
function shellConfig(env: NodeJS.ProcessEnv): Config {
  return loadConfig(env, { requireVendorTokens: false, requireSlack: false });
}

/** POLICY_FILE as it is; otherwise the example policy, in which the chosen user holds a role. */
function choosePolicy(env: NodeJS.ProcessEnv, chosen: string | undefined): { policy: Policy; user: string; says: string[] } {
  const policyFile = setting(env, 'POLICY_FILE');
  const loaded = loadPolicy(policyFile ?? examplePolicyFile);
  const user = chosen ?? defaultUser(loaded);
  if (!user) throw new Error('The policy names nobody who may request an operation: choose a user with --as U…');
  const { policy, added } = policyFile ? { policy: loaded, added: false } : sandboxPolicy(loaded, user);
  const says = [
    policyFile
      ? `Policy: ${policyFile}, as it is.`
      : `Policy: policy.example.yml${added ? `, with ${user} added to ${sandboxRole}` : ''}.`,
  ];
  const usergroups = Object.values(policy.roles).flatMap((role) => role.usergroups);
  if (usergroups.length > 0) {
    says.push(`User groups (${usergroups.join(', ')}) cannot be looked up without Slack: here they have no members and grant nothing.`);
  }
  return { policy, user, says };
}

/** A vendor with both its URL and its token set is called for real; the others are simulated. */
async function connectVendors(
  env: NodeJS.ProcessEnv,
  config: Config,
  logger: Logger,
  cleanups: Cleanups,
): Promise<{ clients: ClosableVendorClients; says: string[] }> {
  const variable = (vendor: VendorName, what: 'URL' | 'TOKEN') => `${vendor.toUpperCase()}_API_${what}`;
  const real = (vendor: VendorName) => Boolean(setting(env, variable(vendor, 'URL')) && setting(env, variable(vendor, 'TOKEN')));
  const simulated = vendorNames.filter((vendor) => !real(vendor));
  const says: string[] = [];
  let settings: Record<VendorName, VendorSettings> = config.vendors;

  if (simulated.length > 0) {
    const simulator = createSimulator({ seed: demoSeed, logger: logger.child({ component: 'simulator' }) });
    const url = await simulator.start(0, '127.0.0.1');
    cleanups.push(() => simulator.stop());
    const simulate = (vendor: VendorName): VendorSettings =>
      simulated.includes(vendor) ? { ...config.vendors[vendor], baseUrl: url, token: simulator.tokens[vendor] } : config.vendors[vendor];
    settings = { altostrat: simulate('altostrat'), aitronos: simulate('aitronos') };
    const titles = simulated.map((vendor) => vendorTitles[vendor]).join(' and ');
    const seed = {
      sites: simulated.includes('altostrat') ? demoSeed.sites : [],
      vpnInstances: simulated.includes('altostrat') ? demoSeed.vpnInstances : [],
      organizations: simulated.includes('aitronos') ? demoSeed.organizations : [],
    };
    says.push(
      `Vendors: ${titles} ${simulated.length > 1 ? 'are' : 'is'} simulated at ${url}, with this example data:`,
      ...describeSeed(seed).map((line) => `  ${line}`),
    );
  }
  for (const vendor of vendorNames.filter(real)) {
    says.push(`Vendors: ${vendorTitles[vendor]} for real, at ${settings[vendor].baseUrl} with the token in ${variable(vendor, 'TOKEN')}.`);
  }
  const clients = createVendorClients(settings, { logger });
  cleanups.push(() => clients.close());
  return { clients, says };
}

interface ShellStore {
  store: Store;
  says: string;
  abandon(): string;
}

/** DATABASE_URL if set; otherwise a fresh SQLite file of this session's own, removed at exit. */
async function openShellStore(env: NodeJS.ProcessEnv, config: Config, cleanups: Cleanups): Promise<ShellStore> {
  if (setting(env, 'DATABASE_URL')) {
    // As the bot does: a file named here may be a running bot's, and two processes on one would act on the same requests.
    const store = await openStore(config.database, { exclusive: true });
    cleanups.push(() => store.close());
    return {
      store,
      says: `Store: ${config.database.kind === 'sqlite' ? `SQLite at ${config.database.path}` : 'PostgreSQL'} (DATABASE_URL).`,
      // Left as a stopped bot leaves it: the next start on it reports a request cut off while it ran.
      abandon: () => 'A request cut off while it ran stays recorded as running; the next start on this DATABASE_URL reports its outcome as unknown.',
    };
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-shell-'));
  const remove = () => fs.rmSync(directory, { recursive: true, force: true });
  cleanups.push(remove);
  const file = path.join(directory, 'twokey.db');
  const store = await openStore({ kind: 'sqlite', path: file });
  cleanups.push(() => store.close());
  return {
    store,
    says: `Store: a fresh SQLite file, ${file} (removed at exit; set DATABASE_URL to keep one).`,
    abandon: () => {
      remove();
      return "This session's store is removed, so no record of a request cut off while it ran remains: check its targets before running it again.";
    },
  };
}
