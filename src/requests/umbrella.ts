import { helpMessage, type SubcommandHelp, unknownSubcommandMessage } from '../messages/help';
import { accessRefusalMessage, refusalMessage } from '../messages/results';
import { auditMessage, pendingMessage } from '../messages/umbrella';
import { whoamiMessage } from '../messages/whoami';
import type { Invocation, Replies } from '../model/ports';
import { describeUser, mayReadAudit } from '../policy/access';
import type { ApprovalFlow } from './approvals';
import type { CoreContext } from './context';

const defaultAuditCount = 10;
const maxAuditCount = 50;

/** One `/twokey` subcommand: what the help says of it, and what it does. */
interface Subcommand extends SubcommandHelp {
  run(args: string[], invocation: Invocation, replies: Replies): Promise<void>;
}

/** `/twokey <subcommand>`: one table that both the help and the dispatch read. */
export class Umbrella {
  private readonly subcommands: readonly Subcommand[] = [
    { name: 'help', description: 'this list', run: (_args, _invocation, replies) => replies.toUser(helpMessage(this.subcommands, this.context.policy.aliases)) },
    {
      name: 'whoami',
      description: 'your roles and what you may do in this channel',
      run: async (_args, invocation, replies) => {
        const who = await this.context.roles.resolve(invocation.userId);
        await replies.toUser(whoamiMessage(describeUser(this.context.policy, who, invocation.channel)));
      },
    },
    {
      name: 'pending',
      description: 'open requests in this channel, with links to their cards',
      run: async (_args, invocation, replies) => {
        const { store, now, messenger } = this.context;
        const open = await store.listRequests({ channelId: invocation.channel.id, statuses: ['pending'] });
        await replies.toUser(pendingMessage(open.filter((request) => request.expiresAt > now()), now(), messenger));
      },
    },
    {
      name: 'cancel',
      args: '<requestId>',
      description: 'cancel your open request (admins: anyone’s)',
      run: async ([requestId], invocation, replies) => {
        if (!requestId) {
          return replies.toUser(refusalMessage('Name the request to cancel: `/twokey cancel R-XXXXXX`.', '`/twokey pending` lists the open requests in this channel.'));
        }
        await this.approvals.click('cancel', requestId.toUpperCase(), { userId: invocation.userId }, replies);
      },
    },
    {
      name: 'audit',
      args: '[n]',
      description: `unreviewed break-glass uses, then the last n audit entries you may see (default ${defaultAuditCount})`,
      run: ([countText], invocation, replies) => this.audit(countText, invocation, replies),
    },
  ];

  constructor(
    private readonly context: CoreContext,
    private readonly approvals: ApprovalFlow,
  ) {}

  async run(invocation: Invocation, replies: Replies): Promise<void> {
    const [name = 'help', ...args] = invocation.text.trim().split(/\s+/).filter(Boolean);
    const subcommand = this.subcommands.find((candidate) => candidate.name === name.toLowerCase());
    if (!subcommand) return replies.toUser(unknownSubcommandMessage(name, this.subcommands));
    await subcommand.run(args, invocation, replies);
  }

  private async audit(countText: string | undefined, invocation: Invocation, replies: Replies): Promise<void> {
    const count = countText === undefined ? defaultAuditCount : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > maxAuditCount) {
      return replies.toUser(refusalMessage(`\`/twokey audit [n]\` takes a whole number from 1 to ${maxAuditCount}.`));
    }
    const decision = mayReadAudit(await this.context.roles.resolve(invocation.userId));
    if (!decision.allowed) return replies.toUser(accessRefusalMessage(decision.message));
    const everywhere = decision.scope === 'everywhere';
    const channelId = everywhere ? undefined : invocation.channel.id;
    // Unreviewed break-glass uses come first, however old: until reviewed, they are open business.
    const [unreviewed, entries] = await Promise.all([
      this.context.store.listRequests({ awaitingReview: true, channelId, limit: maxAuditCount }),
      this.context.store.listAudit({ limit: count, channelId }),
    ]);
    await replies.toUser(auditMessage(entries, everywhere ? 'in every channel' : 'in this channel', unreviewed));
  }
}
