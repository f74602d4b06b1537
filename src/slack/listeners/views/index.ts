import type { App, SlashCommand, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../../lib/logger';
import { internalErrorMessage, storeUnavailableMessage } from '../../../messages/help';
import type { Message } from '../../../model/message';
import { type Replies, StoreUnavailableError } from '../../../model/ports';
import { findOperation, type Operation } from '../../../operations/catalog';
import { parseCommand } from '../../../operations/grammar';
import type { ListedTarget } from '../../../operations/listing';
import type { Twokey } from '../../../requests/core';
import {
  chosenParent,
  dryRunChosen,
  firstView,
  type ModalForm,
  modalBlocks,
  modalViews,
  parentBlock,
  pickedTargets,
  plainText,
  readForm,
  targetOptions,
  targetsAction,
  targetsView,
  textOf,
  type ViewValues,
} from '../../modal';
import { respondTo, slackReplies } from '../../replies';
import { afterPendingAcks, handOff } from '../ack';
import { registerDenyView } from './deny';

// Slack waits 3 seconds for the answer to a submission or an options request; a listing that
// takes longer is not waited for, so that the answer still arrives.
const answerDeadlineMs = 2_500;

type Errors = Record<string, string>;

/**
 * Opens the modal for a bare operation command (PRODUCT.md §9) with the command's trigger_id;
 * false when Slack would not open it (a stale trigger_id, an unknown view), which the caller
 * answers as it would any bare command.
 */
export async function openModal(client: WebClient, twokey: Twokey, operation: Operation, command: SlashCommand, logger: Logger): Promise<boolean> {
  const form: ModalForm = {
    operation: operation.name,
    channel: { id: command.channel_id, name: command.channel_name },
    responseUrl: command.response_url,
  };
  try {
    await client.views.open({ trigger_id: command.trigger_id, view: firstView(operation, twokey.policy, form) });
    return true;
  } catch (error) {
    logger.warn('could not open the modal; answering the command as typed', { command: operation.command, error });
    return false;
  }
}

/**
 * The modal's submissions and its targets' options. A step's problems are shown in the modal,
 * under the input they concern; the last step's submission closes the modal and runs as the typed
 * command would, its answers going to the channel the command was typed in.
 */
export function registerViews(app: App, twokey: Twokey, logger: Logger): void {
  registerDenyView(app, twokey, logger);
  app.view<ViewSubmitAction>(modalViews.parent, async ({ ack, body, view }) => {
    const form = readForm(view.private_metadata);
    const operation = operationOf(form);
    const values = view.state.values;
    const parent = checkedParent(twokey, operation, values);
    if (!parent.ok) return ack({ response_action: 'errors', errors: parent.errors });
    const filters = textOf(values, modalBlocks.filters);
    const text = [parent.parentId, filters].filter(Boolean).join(' ');
    const parsed = parseCommand(operation, text);
    if (!parsed.ok) return ack({ response_action: 'errors', errors: { [modalBlocks.filters]: parsed.error } });
    const { reason, targetIds, all, dryRun } = parsed.command;
    if (reason || targetIds.length > 0 || all || dryRun) {
      const flags = operation.listing!.filters.map((filter) => filter.flag).join(', ');
      return ack({ response_action: 'errors', errors: { [modalBlocks.filters]: `Only filters go here: ${flags}.` } });
    }

    const listed = await listTargets(twokey, operation, form, body.user.id, text, logger, true);
    const nouns = `${operation.target.noun}s`;
    if ('error' in listed) return ack({ response_action: 'errors', errors: { [parentBlock(values)]: listed.error } });
    if (listed.targets.length === 0) {
      const where = filters ? `${operation.parent!.noun} ${parent.text} with ${filters}` : `${operation.parent!.noun} ${parent.text}`;
      return ack({ response_action: 'errors', errors: { [parentBlock(values)]: `There are no ${nouns} to act on under the ${where} now.` } });
    }
    const next: ModalForm = { ...form, parent: parent.text, parentId: parent.parentId, ...(filters ? { filters } : {}) };
    await ack({ response_action: 'update', view: targetsView(operation, twokey.policy, next, listed.targets.length) });
  });

  app.options<'block_suggestion'>(targetsAction, async ({ ack, body }) => {
    const form = readForm(body.view?.private_metadata ?? '');
    const text = [form.parentId, form.filters].filter(Boolean).join(' ');
    // Listed again at each keystroke: step one's listing is the one in the audit log.
    const listed = await listTargets(twokey, operationOf(form), form, body.user.id, text, logger, false);
    // An options answer cannot say why it is empty; step one has shown why the list may fail.
    await ack({ options: 'targets' in listed ? targetOptions(listed.targets, body.value) : [] });
  });

  app.view<ViewSubmitAction>(modalViews.targets, async ({ ack, body, view, client }) => {
    const form = readForm(view.private_metadata);
    const operation = operationOf(form);
    const values = view.state.values;
    const targets = pickedTargets(values);
    if (targets.length === 0) {
      return ack({ response_action: 'errors', errors: { [modalBlocks.targets]: `Pick at least one ${operation.target.noun}.` } });
    }
    await submit({ ack, body, client, twokey, logger }, operation, form, [form.parent ?? '', ...targets], values);
  });

  app.view<ViewSubmitAction>(modalViews.single, async ({ ack, body, view, client }) => {
    const form = readForm(view.private_metadata);
    const operation = operationOf(form);
    const values = view.state.values;
    const target = checkedParent(twokey, operation, values);
    if (!target.ok) return ack({ response_action: 'errors', errors: target.errors });
    await submit({ ack, body, client, twokey, logger }, operation, form, [target.text], values);
  });
}

/** What the last step's submission is answered with, and through. */
interface Submission {
  ack: (answer?: { response_action: 'errors'; errors: Errors }) => Promise<void>;
  body: ViewSubmitAction;
  client: WebClient;
  twokey: Twokey;
  logger: Logger;
}

/**
 * The last step: the command the modal adds up to, checked as the core will check it (so that a
 * slip is shown in the modal rather than after it closed), then run as if typed.
 */
async function submit(
  { ack, body, client, twokey, logger }: Submission,
  operation: Operation,
  form: ModalForm,
  ids: string[],
  values: ViewValues,
): Promise<void> {
  const reason = textOf(values, modalBlocks.reason).replace(/\s+/g, ' ');
  const text = [...ids, reason, dryRunChosen(values) ? '--dry-run' : ''].filter(Boolean).join(' ');
  const parsed = parseCommand(operation, text, twokey.policy.aliases);
  if (!parsed.ok) return ack({ response_action: 'errors', errors: { [modalBlocks.reason]: parsed.error } });
  if (!parsed.command.reason && twokey.policy.actions[operation.name]?.reasonRequired) {
    return ack({ response_action: 'errors', errors: { [modalBlocks.reason]: `A reason is required for ${operation.command}.` } });
  }
  await ack();
  await afterPendingAcks();
  handOff(
    twokey.handle(
      operation.command,
      { userId: body.user.id, channel: form.channel, text, deliveryId: body.trigger_id },
      slackReplies({ client, respond: respondTo(form.responseUrl), channelId: form.channel.id, logger }),
    ),
    logger,
  );
}

/** The parent (or single target) chosen in the modal, with the ID it stands for; or what is wrong with it, by block. */
function checkedParent(
  twokey: Twokey,
  operation: Operation,
  values: ViewValues,
): { ok: true; text: string; parentId: string } | { ok: false; errors: Errors } {
  const slot = operation.parent ?? operation.target;
  const chosen = chosenParent(values, slot);
  if (!chosen.ok) return chosen;
  // Read as the command alone: the parent of a listing, or the one target of an operation without one.
  const parsed = parseCommand(operation, chosen.parent, twokey.policy.aliases);
  if (!parsed.ok) return { ok: false, errors: { [parentBlock(values)]: parsed.error } };
  const parentId = parsed.command.parentId ?? parsed.command.targetIds[0]!;
  return { ok: true, text: chosen.parent, parentId };
}

/** The listing under the form's parent, within the answer's deadline; or, in words for the modal, why there is none. */
async function listTargets(
  twokey: Twokey,
  operation: Operation,
  form: ModalForm,
  userId: string,
  text: string,
  logger: Logger,
  audit: boolean,
): Promise<{ targets: ListedTarget[] } | { error: string }> {
  const said: Message[] = [];
  const told = (message: Message) => {
    said.push(message);
    return Promise.resolve();
  };
  const replies: Replies = { toChannel: told, toUser: told };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), answerDeadlineMs);
  });
  try {
    const found = await Promise.race([twokey.findTargets(operation.command, { userId, channel: form.channel, text }, replies, { audit }), late]);
    if (found === 'late') return { error: 'The list is taking too long to come; submit again in a moment.' };
    if (found) return { targets: found };
    return { error: said.length ? plainText(said[0]!) : `twokey could not list the ${operation.target.noun}s.` };
  } catch (error) {
    logger.error('listing for the modal failed', { command: operation.command, error });
    return { error: plainText(error instanceof StoreUnavailableError ? storeUnavailableMessage() : internalErrorMessage()) };
  } finally {
    clearTimeout(timer);
  }
}

function operationOf(form: ModalForm): Operation {
  const operation = findOperation(form.operation);
  if (!operation) throw new Error(`a modal names an operation twokey does not know: ${form.operation}`);
  return operation;
}
