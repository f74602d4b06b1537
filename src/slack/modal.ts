/**
 * The modal a bare operation command opens (PRODUCT.md §9): its views, what they carry from step
 * to step, and what a submission holds. For an operation with a listing, step one asks the parent
 * (an alias menu or an ID) and any filters, and step two the targets — picked from the vendor's
 * live list, loaded as the user types — the reason and dry-run. Without a listing
 * (rotate-credentials) one step asks the target, the reason and dry-run.
 */
import type { types, ViewStateValue } from '@slack/bolt';
import { z } from 'zod';
import { truncate } from '../messages/format';
import type { Message } from '../model/message';
import { aliasKindOf, aliasNames, aliasNouns } from '../operations/aliases';
import { describeIdForm } from '../operations/ids';
import { maxReasonLength, maxTargets } from '../operations/grammar';
import type { IdSlot, Operation } from '../operations/catalog';
import type { ListedTarget } from '../operations/listing';
import type { Policy } from '../policy/schema';
import { blockKitLimits } from './blocks';

/** The modal's views, by callback_id: they tell its submissions apart. */
export const modalViews = {
  /** Step one of an operation with a listing: the parent, and filters. */
  parent: 'twokey_modal_parent',
  /** Step two: targets from the listing, reason, dry-run. */
  targets: 'twokey_modal_targets',
  /** The one step of an operation without a listing. */
  single: 'twokey_modal_single',
} as const;

/** The input blocks, by block_id (each element's action_id is its block's): what a submission's values and the errors shown are keyed by. */
export const modalBlocks = {
  alias: 'alias',
  id: 'id',
  filters: 'filters',
  targets: 'targets',
  reason: 'reason',
  options: 'options',
} as const;

/** The external select whose options are the listing, filtered by what the user types (block_suggestion). */
export const targetsAction = 'twokey_modal_targets';

const dryRunOption = 'dry_run';
// Slack's limits for a view (https://docs.slack.dev/reference/views/modal-views).
const maxTitle = 24;
const maxErrorText = 500;

/** What the modal carries from the command to its last submission (`private_metadata`, at most 3000 characters). */
const formSchema = z.object({
  operation: z.string(),
  channel: z.object({ id: z.string(), name: z.string().optional() }),
  /** The command's response_url: where answers for the user alone go, and the channel's answer when twokey may not post. */
  responseUrl: z.string(),
  /** The parent as given (an alias or an ID) and the ID it stands for; set from step two on. */
  parent: z.string().optional(),
  parentId: z.string().optional(),
  filters: z.string().optional(),
});
export type ModalForm = z.infer<typeof formSchema>;

function writeForm(form: ModalForm): string {
  return JSON.stringify(form);
}

export function readForm(metadata: string): ModalForm {
  return formSchema.parse(JSON.parse(metadata));
}

export type ViewValues = Record<string, Record<string, ViewStateValue>>;

/** What an input block holds: its text, or the values of its chosen options. */
function entered(values: ViewValues, blockId: string): string[] {
  const state = Object.values(values[blockId] ?? {})[0];
  if (!state) return [];
  if (typeof state.value === 'string') return state.value.trim() ? [state.value.trim()] : [];
  if (state.selected_option) return [state.selected_option.value];
  return (state.selected_options ?? []).map((option) => option.value);
}

/** The one text an input block holds; empty when none. */
export function textOf(values: ViewValues, blockId: string): string {
  return entered(values, blockId)[0] ?? '';
}

/** The targets picked in step two. */
export function pickedTargets(values: ViewValues): string[] {
  return entered(values, modalBlocks.targets);
}

export function dryRunChosen(values: ViewValues): boolean {
  return entered(values, modalBlocks.options).includes(dryRunOption);
}

/** The parent (or the single step's target) as chosen from the alias menu or typed; or what is wrong, by block. */
export function chosenParent(values: ViewValues, slot: IdSlot): { ok: true; parent: string } | { ok: false; errors: Record<string, string> } {
  const alias = textOf(values, modalBlocks.alias);
  const id = textOf(values, modalBlocks.id);
  if (alias && id) return { ok: false, errors: { [modalBlocks.id]: `Choose a ${slot.noun} from the list or type its ID, not both.` } };
  if (!alias && !id) return { ok: false, errors: { [modalBlocks.id]: `Choose a ${slot.noun} from the list, or type its ID.` } };
  if (/\s/.test(id)) return { ok: false, errors: { [modalBlocks.id]: `Type one ${slot.noun} ID only.` } };
  return { ok: true, parent: alias || id };
}

/** The block where a problem with the chosen parent is shown: the menu when it was chosen there. */
export function parentBlock(values: ViewValues): string {
  return textOf(values, modalBlocks.alias) ? modalBlocks.alias : modalBlocks.id;
}

/** The first view of the modal for `operation`: step one, or the single step. */
export function firstView(operation: Operation, policy: Policy, form: ModalForm): types.ModalView {
  if (!operation.listing) {
    return modal(operation, modalViews.single, form, [
      ...parentInputs(operation.target, policy),
      reasonInput(operation, policy),
      dryRunInput(),
    ]);
  }
  const slot = operation.parent!;
  const filters = operation.listing.filters;
  const blocks: types.KnownBlock[] = [...parentInputs(slot, policy)];
  if (filters.length > 0) {
    blocks.push({
      type: 'input',
      block_id: modalBlocks.filters,
      optional: true,
      label: { type: 'plain_text', text: 'Filters' },
      hint: { type: 'plain_text', text: truncate(filters.map((filter) => `${filter.flag} ${filter.values}`).join('   '), blockKitLimits.fieldText) },
      element: { type: 'plain_text_input', action_id: modalBlocks.filters, max_length: 300 },
    });
  }
  return modal(operation, modalViews.parent, form, blocks, 'Next');
}

/** Step two: the targets listed now under the form's parent, the reason and dry-run. */
export function targetsView(operation: Operation, policy: Policy, form: ModalForm, found: number): types.ModalView {
  const slot = operation.parent!;
  const nouns = `${operation.target.noun}s`;
  const under = [`${slot.noun} ${form.parent}`, form.filters].filter(Boolean).join(', ');
  return modal(operation, modalViews.targets, form, [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`${found} ${found === 1 ? operation.target.noun : nouns} listed now under the ${under}. Type to search by ID or detail.`, blockKitLimits.sectionText) },
    },
    {
      type: 'input',
      block_id: modalBlocks.targets,
      label: { type: 'plain_text', text: capitalize(nouns) },
      element: {
        type: 'multi_external_select',
        action_id: targetsAction,
        placeholder: { type: 'plain_text', text: `Pick ${nouns}` },
        min_query_length: 0,
        max_selected_items: maxTargets,
      },
    },
    reasonInput(operation, policy),
    dryRunInput(),
  ]);
}

/** The options a listing offers in the targets select: those matching `typed` (in the ID or a detail), at most 100. */
export function targetOptions(targets: readonly ListedTarget[], typed: string): types.PlainTextOption[] {
  const needle = typed.trim().toLowerCase();
  return targets
    .map((target) => ({ value: target.id, text: [target.id, ...target.facts.map((fact) => fact.value)].join(' · ') }))
    .filter((option) => option.text.toLowerCase().includes(needle))
    .slice(0, blockKitLimits.selectOptions)
    .map((option) => ({ value: option.value, text: { type: 'plain_text', text: truncate(option.text, blockKitLimits.optionText) } }));
}

/** What a message says, as the plain text an error under an input shows. */
export function plainText(message: Message): string {
  const text = (message.body ?? [message.summary])
    .join(' ')
    .replace(/:[a-z0-9_+-]+:\s*/g, '')
    .replace(/[`*]/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return truncate(text, maxErrorText);
}

function modal(operation: Operation, callbackId: string, form: ModalForm, blocks: types.KnownBlock[], submit = 'Submit'): types.ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: writeForm(form),
    title: { type: 'plain_text', text: truncate(operation.title, maxTitle) },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** The alias menu (when the policy names any of this kind) and the ID input; one of them is to be given. */
function parentInputs(slot: IdSlot, policy: Policy): types.KnownBlock[] {
  const names = aliasNames(policy.aliases, slot);
  const kind = aliasKindOf(slot);
  const idInput: types.InputBlock = {
    type: 'input',
    block_id: modalBlocks.id,
    optional: names.length > 0,
    label: { type: 'plain_text', text: names.length > 0 ? `…or its ${slot.noun} ID` : `${capitalize(slot.noun)} ID` },
    hint: { type: 'plain_text', text: `${capitalize(describeIdForm(slot.kind))}.` },
    element: { type: 'plain_text_input', action_id: modalBlocks.id, max_length: 200 },
  };
  if (names.length === 0 || !kind) return [idInput];
  const aliases = policy.aliases[kind];
  const menu: types.InputBlock = {
    type: 'input',
    block_id: modalBlocks.alias,
    optional: true,
    label: { type: 'plain_text', text: capitalize(aliasNouns[kind]) },
    element: {
      type: 'static_select',
      action_id: modalBlocks.alias,
      placeholder: { type: 'plain_text', text: `A ${slot.noun} the policy names` },
      options: names.slice(0, blockKitLimits.selectOptions).map((name) => ({
        value: name,
        text: { type: 'plain_text', text: truncate(`${name} (${aliases[name]})`, blockKitLimits.optionText) },
      })),
    },
  };
  return [menu, idInput];
}

function reasonInput(operation: Operation, policy: Policy): types.InputBlock {
  const required = policy.actions[operation.name]?.reasonRequired ?? false;
  return {
    type: 'input',
    block_id: modalBlocks.reason,
    optional: !required,
    label: { type: 'plain_text', text: 'Reason' },
    hint: { type: 'plain_text', text: required ? `Required for ${operation.command}: it goes on the card and into the audit log.` : 'It goes on the card and into the audit log.' },
    element: { type: 'plain_text_input', action_id: modalBlocks.reason, multiline: true, max_length: maxReasonLength },
  };
}

function dryRunInput(): types.InputBlock {
  return {
    type: 'input',
    block_id: modalBlocks.options,
    optional: true,
    label: { type: 'plain_text', text: 'Dry run' },
    element: {
      type: 'checkboxes',
      action_id: modalBlocks.options,
      options: [{ value: dryRunOption, text: { type: 'plain_text', text: 'Show the calls only; make none' } }],
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

