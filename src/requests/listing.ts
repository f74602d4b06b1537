import { listingFailureMessage, listingMessage, type ListingSubject } from '../messages/listing';
import { refusalMessage } from '../messages/results';
import type { Invocation, Replies } from '../model/ports';
import { aliasNamer } from '../operations/aliases';
import type { Operation } from '../operations/catalog';
import { type AppliedFilter, maxTargets, type ParsedCommand } from '../operations/grammar';
import type { ListedTarget, TargetListing } from '../operations/listing';
import { VendorError } from '../vendors/errors';
import type { CoreContext } from './context';

// A listing pages until the vendor says there is no more; this many pages (of up to 100) is
// more than any incident needs, and a bound on a vendor that never says so.
const maxPages = 50;

/** A command that names no targets: its listing shown, or with `--all` every target it lists (PRODUCT.md §9). */
export class TargetFinder {
  constructor(private readonly context: CoreContext) {}

  /** Shows the requester alone what the command could act on, with a way to pick. */
  async show(command: ParsedCommand, invocation: Invocation, replies: Replies): Promise<void> {
    const subject = this.subjectOf(command);
    const targets = await this.lookUp(subject, invocation, replies);
    if (targets) await replies.toUser(listingMessage(subject, targets));
  }

  /**
   * The targets the command's listing finds now, for a form to offer; undefined, the requester
   * told why, when the vendor failed. `audit` false for a form's type-ahead, which lists again at
   * each keystroke: the form's first listing is the one audited.
   */
  find(command: ParsedCommand, invocation: Invocation, replies: Replies, audit: boolean): Promise<ListedTarget[] | undefined> {
    return this.lookUp(this.subjectOf(command), invocation, replies, audit);
  }

  /**
   * The IDs of every target the command's listing finds now, for `--all`: what the request will
   * name, so that what is approved is what runs. Undefined, the requester told why, when there is
   * nothing to act on, too much, or no filter where one is needed.
   */
  async every(command: ParsedCommand, invocation: Invocation, replies: Replies): Promise<string[] | undefined> {
    const { operation } = command;
    const subject = this.subjectOf(command);
    const nouns = `${operation.target.noun}s`;
    if (listingOf(operation).allNeedsFilter && command.filters.length === 0) {
      const flags = listingOf(operation).filters.map((filter) => `\`${filter.flag}\``).join(' or ');
      await replies.toUser(refusalMessage(`\`--all\` needs a filter here (${flags}): every ${operation.target.noun} of a whole ${operation.parent?.noun} is never what an incident needs.`));
      return undefined;
    }
    const targets = await this.lookUp(subject, invocation, replies);
    if (!targets) return undefined;
    if (targets.length === 0) {
      await replies.toUser(refusalMessage(`\`--all\` found no ${nouns} to act on.`, `\`${operation.command} ${subject.parentId}\` lists them.`));
      return undefined;
    }
    if (targets.length > maxTargets) {
      await replies.toUser(
        refusalMessage(
          `\`--all\` found ${targets.length} ${nouns}; one request takes at most ${maxTargets}.`,
          'Narrow it with a filter, or pick from the listing.',
        ),
      );
      return undefined;
    }
    return targets.map((target) => target.id);
  }

  /** What a listing is of; its parent with its alias, when the policy gives it one. */
  private subjectOf(command: ParsedCommand): ListingSubject {
    const { operation, filters, reason } = command;
    const parentId = command.parentId ?? '';
    const parentName = operation.parent && aliasNamer(this.context.policy.aliases)(operation.parent, parentId);
    return { operation, parentId, parentName, filters, reason };
  }

  /** Lists the targets, audited as a lookup (unless `audit` is false); on a vendor's failure the requester is told and nothing is returned. */
  private async lookUp(subject: ListingSubject, invocation: Invocation, replies: Replies, audit = true): Promise<ListedTarget[] | undefined> {
    const { store, observer, now } = this.context;
    const { operation, parentId } = subject;
    const lookup = { operation: operation.name, actorId: invocation.userId, parentId };
    const audited = async (outcome: string, detail: string) => {
      if (!audit) return;
      await store.appendAudit({
        at: now(),
        event: 'listed',
        actorId: invocation.userId,
        operation: operation.name,
        channelId: invocation.channel.id,
        targets: [parentId],
        outcome,
        detail,
      });
    };
    const filters = subject.filters.map((filter) => `${filter.flag} ${filter.value}`).join(' ');
    try {
      const targets = await this.list(operation, parentId, subject.filters);
      await audited('listed', [`${targets.length} ${operation.target.noun}s found`, filters].filter(Boolean).join('; '));
      observer.listed({ ...lookup, outcome: 'listed', found: targets.length });
      return targets;
    } catch (error) {
      if (!(error instanceof VendorError)) throw error;
      await audited(`failed: ${error.kind}`, [error.status ? `${error.status}` : '', error.message, filters].filter(Boolean).join('; '));
      observer.listed({ ...lookup, outcome: error.kind });
      await replies.toUser(listingFailureMessage(subject, error));
      return undefined;
    }
  }

  /** Every target the vendor lists under `parentId`, page after page, with the filters' query parameters. */
  private async list(operation: Operation, parentId: string, filters: readonly AppliedFilter[]): Promise<ListedTarget[]> {
    const listing = listingOf(operation);
    const query = Object.assign({}, ...filters.map((filter) => filter.query)) as Record<string, string>;
    const client = this.context.vendors[operation.vendor];
    const targets: ListedTarget[] = [];
    let skip: number | undefined = 0;
    for (let page = 0; skip !== undefined; page += 1) {
      if (page === maxPages) throw unreadable(operation, `the list ran past ${maxPages} pages`);
      const response = await client.send(listing.call(parentId, query, skip));
      let read: ReturnType<TargetListing['read']>;
      try {
        read = listing.read(response.body);
      } catch (error) {
        throw unreadable(operation, (error as Error).message);
      }
      targets.push(...read.targets);
      skip = read.nextSkip;
    }
    return targets;
  }
}

/** A list answer twokey cannot use, as the vendor failure it is: nothing was changed by reading it. */
function unreadable(operation: Operation, message: string): VendorError {
  return new VendorError({ vendor: operation.vendor, kind: 'invalid_response', message, retryable: false, outcome: 'failed' });
}

function listingOf(operation: Operation): TargetListing {
  if (!operation.listing) throw new Error(`${operation.command} has no listing`);
  return operation.listing;
}
