import { z } from 'zod';
import type { Message } from '../model/message';
import type { StoredFailure } from '../model/request';
import { type Operation, operationNames } from '../operations/catalog';
import type { AppliedFilter } from '../operations/grammar';
import type { ListedTarget } from '../operations/listing';
import { vendorTitles } from '../vendors/types';
import { code, escapeText, inSentence, plural, truncate } from './format';
import { quoteVendor } from './results';

/** The actions of a listing's buttons, and of the picker they read. */
export const listingActions = {
  picker: 'listing_pick',
  selected: 'listing_selected',
  all: 'listing_all',
} as const;

// A listing longer than this is cut (a filter narrows it): 200 lines fit Block Kit's 50 blocks.
const maxListedLines = 200;
// Slack's multi-select takes at most 100 options, each at most 75 characters long.
const maxPickerOptions = 100;
const maxOptionText = 75;
// A button's value is at most 2000 characters: the IDs of "all listed" must fit in it.
const maxButtonValue = 2000;

/** What a listing's button carries to the request it makes: the listing command, and for "all listed" its targets. */
export const listingChoiceSchema = z.object({
  operation: z.enum(operationNames),
  parentId: z.string(),
  reason: z.string(),
  targetIds: z.array(z.string()).optional(),
});
type ListingChoice = z.infer<typeof listingChoiceSchema>;

/** What a listing is of: the operation, its parent, the filters and the reason typed with it. */
export interface ListingSubject {
  operation: Operation;
  parentId: string;
  /** The parent's alias, when the policy gives it one. */
  parentName?: string;
  filters: readonly AppliedFilter[];
  reason: string;
}

function nouns(operation: Operation, count: number): string {
  return plural(count, operation.target.noun);
}

/** The parent and the filters, as mrkdwn: `site \`cpt-edge\` (\`d290f1ee-…\`) (--type ssh)`; as plain text for a title. */
function whose({ operation, parentId, parentName, filters }: ListingSubject, plain = false): string {
  const show = plain ? (text: string) => text : code;
  const parent = parentName ? `${show(parentName)} (${show(parentId)})` : show(parentId);
  const filtered = filters.length ? ` (${filters.map((filter) => `${filter.flag} ${plain ? filter.value : escapeText(filter.value)}`).join(', ')})` : '';
  return `${operation.parent?.noun ?? 'parent'} ${parent}${filtered}`;
}

/** The verb of an operation's title ("Revoke", "Delete") for its buttons. */
function verb(operation: Operation): string {
  return operation.title.split(' ')[0]!;
}

/**
 * A listing for its requester alone (PRODUCT.md §9): each target on a line with what the vendor
 * says of it, a picker, and buttons that make the same request as typing the IDs would.
 */
export function listingMessage(subject: ListingSubject, targets: readonly ListedTarget[]): Message {
  const { operation } = subject;
  if (targets.length === 0) {
    return {
      summary: `No ${operation.target.noun}s to act on under ${whose(subject)}`,
      tone: 'info',
      body: [`There is nothing to act on: the ${whose(subject)} has no ${operation.target.noun}s that ${operation.command} could act on.`],
    };
  }
  const shown = targets.slice(0, maxListedLines);
  const lines = shown.map((target, index) => `${index + 1}. ${code(target.id)} — ${factsText(target)}`);
  const notes = ['Only you can see this. Choosing makes a request like typing the IDs: the same policy, approvals and audit.'];
  if (targets.length > shown.length) notes.push(`${targets.length - shown.length} more not shown: narrow the listing with a filter.`);
  if (targets.length > maxPickerOptions) notes.push(`The picker offers the first ${maxPickerOptions}.`);

  const choice: ListingChoice = { operation: operation.name, parentId: subject.parentId, reason: subject.reason };
  const allChoice = JSON.stringify({ ...choice, targetIds: targets.map((target) => target.id) });
  const buttons: NonNullable<Message['buttons']> = [
    { actionId: listingActions.selected, text: `${verb(operation)} selected`, value: JSON.stringify(choice), style: 'danger' },
  ];
  if (allChoice.length <= maxButtonValue) {
    buttons.push({
      actionId: listingActions.all,
      text: `${verb(operation)} all ${targets.length} listed`,
      value: allChoice,
      style: 'danger',
      confirm: {
        title: `${verb(operation)} all ${targets.length}?`,
        text: `This asks to ${inSentence(operation.title)} for every ${operation.target.noun} listed: ${nouns(operation, targets.length)}.`,
        confirm: `${verb(operation)} all`,
        deny: 'Back',
      },
    });
  } else {
    notes.push(`Too many to act on all of them from here: use \`${operation.command} ${subject.parentId} --all\` with a filter.`);
  }
  return {
    summary: `${nouns(operation, targets.length)} under ${whose(subject)}`,
    tone: 'info',
    title: `${capitalize(operation.target.noun)}s of ${whose(subject, true)}: ${targets.length}`,
    body: lines,
    notes,
    picker: {
      actionId: listingActions.picker,
      placeholder: `Pick ${operation.target.noun}s`,
      options: targets.slice(0, maxPickerOptions).map((target) => ({
        value: target.id,
        text: truncate(`${target.id} ${target.facts[0]?.value ?? ''}`.trim(), maxOptionText),
      })),
    },
    buttons,
  };
}

function factsText(target: ListedTarget): string {
  return target.facts.map((fact) => `${escapeText(fact.label)}: ${escapeText(fact.value)}`).join(' · ') || 'no details';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Why a listing could not be made: the vendor's words and what they mean. */
export function listingFailureMessage(subject: ListingSubject, error: StoredFailure): Message {
  const vendor = vendorTitles[error.vendor];
  const meaning =
    error.status === 404
      ? `${vendor} knows no ${whose({ ...subject, filters: [] })}: check the ID.`
      : error.status === 401
        ? `${vendor} rejected twokey's API token: an admin must renew it.`
        : error.status === 403
          ? `twokey's ${vendor} token may not list these: an admin must grant it the read permission.`
          : `twokey could not get the list from ${vendor}; try again shortly.`;
  return {
    summary: `twokey could not list the ${subject.operation.target.noun}s of ${whose(subject)}`,
    tone: 'failure',
    body: [`:x: twokey could not list the ${subject.operation.target.noun}s of ${whose(subject)}. ${meaning}`, quoteVendor(error)],
    notes: ['Nothing was changed.'],
  };
}
