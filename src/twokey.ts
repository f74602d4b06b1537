import type { Logger } from './logger';
import { helpMessage, internalErrorMessage, unknownSubcommandMessage } from './messages/help';
import { whoamiMessage } from './messages/whoami';
import { findOperation, operations, umbrellaCommand } from './operations/catalog';
import { describeUser } from './policy/access';
import { type Invocation, type Replies, RequestService, type RequestServiceOptions } from './requests/service';

/** Every slash command twokey answers. */
export const slashCommands: readonly string[] = [...operations.map((op) => op.command), umbrellaCommand];

/** The core, whatever chat it is driven from: one entry for every slash command. */
export class Twokey {
  private readonly requests: RequestService;
  private readonly logger: Logger;

  constructor(private readonly options: RequestServiceOptions) {
    this.requests = new RequestService(options);
    this.logger = options.logger;
  }

  async handle(command: string, invocation: Invocation, replies: Replies): Promise<void> {
    try {
      const operation = findOperation(command);
      if (operation) return await this.requests.run(operation, invocation, replies);
      if (command === umbrellaCommand) return await this.umbrella(invocation, replies);
      throw new Error(`no handler for ${command}`);
    } catch (error) {
      this.logger.error('command failed', { command, userId: invocation.userId, error });
      await replies.toUser(internalErrorMessage()).catch(() => undefined);
    }
  }

  private async umbrella(invocation: Invocation, replies: Replies): Promise<void> {
    const [subcommand = 'help'] = invocation.text.trim().split(/\s+/).filter(Boolean);
    switch (subcommand.toLowerCase()) {
      case 'help':
        return replies.toUser(helpMessage());
      case 'whoami': {
        const who = await this.options.roles.resolve(invocation.userId);
        return replies.toUser(whoamiMessage(describeUser(this.options.policy, who, invocation.channel)));
      }
      default:
        return replies.toUser(unknownSubcommandMessage(subcommand));
    }
  }
}
