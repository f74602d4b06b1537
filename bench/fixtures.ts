/**
 * What the benchmark sends and to whom: IDs, the policy, each app's environment, and
 * commands planned (vendor objects seeded, requests signed) before a timed part starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { slashCommands } from '../src/requests/core';
import type { BenchOptions } from './options';
import type { AppKind } from './processes';
import type { Services } from './services-client';
import { commandRequest, type SignedRequest, signingSecret } from './slack-requests';

export const users = { oncall: 'U0BENCHONCALL', approver: 'U0BENCHAPPROVER' } as const;
export const site = 'd290f1ee-6c54-4b01-90e6-d701748f0851';
export const organization = 'org_bench1';

// Every command gets its own channel, session and response_url, so each answer and each
// vendor call can be told apart.
const sessionId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const grantId = (n: number) => `agrant_bench${n}`;
const channelId = (n: number) => `C0BENCH${n}`;

/** revoke-access runs at once; revoke-grant needs one approval. Channels are unrestricted. */
const policy = `
roles:
  oncall:
    users: [${users.oncall}]
  approver:
    users: [${users.approver}]
actions:
  revoke-access: { request: [oncall], approvals: 0 }
  revoke-grant:  { request: [oncall], approvals: 1, approve: [approver] }
reveal_password: never
`;

export interface PlannedCommand {
  channel: string;
  /** The sessions (or grant) the command names, each a path segment of its vendor call. */
  targets: string[];
  request: SignedRequest;
}

export class Fixtures {
  private counter = 0;
  private launches = 0;
  private readonly policyFile: string;

  constructor(
    readonly options: BenchOptions,
    readonly services: Services,
    readonly dir: string,
  ) {
    this.policyFile = path.join(dir, 'policy.yml');
    fs.writeFileSync(this.policyFile, policy);
  }

  next(): number {
    this.counter += 1;
    return this.counter;
  }

  responseUrl(n: number): string {
    return `${this.services.urls.slackBaseUrl}/response/bench-${n}`;
  }

  /** A fresh working directory (database, log) and environment for one process of `kind`, with `extra` settings. */
  launchSetup(kind: AppKind, extra: Record<string, string> = {}): { dir: string; env: Record<string, string> } {
    this.launches += 1;
    const dir = path.join(this.dir, `${kind}-${this.launches}`);
    fs.mkdirSync(dir);
    const { urls } = this.services;
    const slack = { SLACK_BOT_TOKEN: urls.botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: urls.slackApiUrl };
    if (kind === 'bare') return { dir, env: { ...slack, BARE_COMMANDS: slashCommands.join(','), ...extra } };
    return {
      dir,
      env: {
        ...slack,
        ALTOSTRAT_API_URL: urls.vendorUrl,
        ALTOSTRAT_API_TOKEN: urls.vendorTokens.altostrat,
        AITRONOS_API_URL: urls.vendorUrl,
        AITRONOS_API_TOKEN: urls.vendorTokens.aitronos,
        POLICY_FILE: this.policyFile,
        DATABASE_URL: path.join(dir, 'twokey.db'),
        LOG_LEVEL: 'info',
        VENDOR_CONCURRENCY: String(this.options.vendorConcurrency),
        ...extra,
      },
    };
  }

  /** `count` one-target `/revoke-access` commands, their sessions seeded in the simulator. */
  async revokes(count: number, targetsEach = 1): Promise<PlannedCommand[]> {
    const planned = Array.from({ length: count }, () => {
      const n = this.next();
      const targets = Array.from({ length: targetsEach }, () => sessionId(this.next()));
      const request = commandRequest({
        command: '/revoke-access',
        text: `${site} ${targets.join(' ')} benchmark`,
        userId: users.oncall,
        channelId: channelId(n),
        responseUrl: this.responseUrl(n),
      });
      return { channel: channelId(n), targets, request };
    });
    await this.services.api.addSessions(site, planned.flatMap((command) => command.targets));
    return planned;
  }

  /** A `/revoke-grant` of one grant, which waits for an approval. */
  async grantRevoke(): Promise<PlannedCommand> {
    const n = this.next();
    const grant = grantId(n);
    await this.services.api.addGrants(organization, [grant]);
    const request = commandRequest({
      command: '/revoke-grant',
      text: `${organization} ${grant} benchmark`,
      userId: users.oncall,
      channelId: channelId(n),
      responseUrl: this.responseUrl(n),
    });
    return { channel: channelId(n), targets: [grant], request };
  }
}
