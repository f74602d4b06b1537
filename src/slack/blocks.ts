import type { types } from '@slack/bolt';
import { statusIcon, toneIcon, truncate } from '../messages/format';
import type { Message, Picker, TargetLine } from '../model/message';

// Block Kit's limits (https://docs.slack.dev/reference/block-kit/blocks): a message that
// breaks one is refused with invalid_blocks, so every piece is cut to fit here, once.
export const blockKitLimits = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  placeholderText: 150,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  updateText: 4000,
} as const;

// Per target a line names: long enough for a vendor's status, code, message and trace ID;
// short enough that 50 targets, however grouped, fill at most 30 sections and a card stays
// under 50 blocks. A line naming several targets (all those already gone, say) gets each
// one's share, so that no ID in it is cut off.
const maxTargetLine = 900;

export interface RenderedMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** The message model as Block Kit, always within Slack's limits, never leaving a target out. */
export function renderBlocks(message: Message): RenderedMessage {
  const blocks: types.KnownBlock[] = [];
  if (message.title) {
    blocks.push({
      type: 'header',
      text: { type: 'plain_text', text: truncate(`${toneIcon[message.tone]} ${message.title}`, blockKitLimits.headerText), emoji: true },
    });
  }
  for (const text of packLines(message.body ?? [], '\n')) blocks.push(section(text));
  if (message.fields?.length) {
    blocks.push({
      type: 'section',
      fields: message.fields.slice(0, blockKitLimits.fields).map((field) => ({
        type: 'mrkdwn' as const,
        text: truncate(`*${field.label}*\n${field.value}`, blockKitLimits.fieldText),
      })),
    });
  }
  if (message.targets?.length) {
    blocks.push({ type: 'divider' });
    for (const text of packLines(message.targets.map(targetText), '\n')) blocks.push(section(text));
  }
  if (message.notes?.length) {
    blocks.push({
      type: 'context',
      elements: message.notes
        .slice(0, blockKitLimits.contextElements)
        .map((note) => ({ type: 'mrkdwn' as const, text: truncate(note, blockKitLimits.sectionText) })),
    });
  }
  if (message.buttons?.length || message.picker) {
    blocks.push({ type: 'actions', elements: [...(message.picker ? [picker(message.picker)] : []), ...(message.buttons ?? []).map(button)] });
  }
  return { text: truncate(message.summary, blockKitLimits.updateText), blocks };
}

function targetText(target: TargetLine): string {
  return truncate(`${statusIcon[target.status]} ${target.text}`, maxTargetLine * target.ids.length);
}

function section(text: string): types.KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** Joins lines into as few texts as fit one section each. */
function packLines(lines: readonly string[], separator: string): string[] {
  const packed: string[] = [];
  let current = '';
  for (const line of lines) {
    const piece = truncate(line, blockKitLimits.sectionText);
    if (current && current.length + separator.length + piece.length > blockKitLimits.sectionText) {
      packed.push(current);
      current = piece;
    } else {
      current = current ? `${current}${separator}${piece}` : piece;
    }
  }
  if (current) packed.push(current);
  return packed;
}

function picker(model: Picker): types.MultiStaticSelect {
  return {
    type: 'multi_static_select',
    action_id: model.actionId,
    placeholder: { type: 'plain_text', text: truncate(model.placeholder, blockKitLimits.placeholderText) },
    options: model.options.slice(0, blockKitLimits.selectOptions).map((option) => ({
      value: option.value.slice(0, blockKitLimits.optionValue),
      text: { type: 'plain_text', text: truncate(option.text, blockKitLimits.optionText) },
    })),
  };
}

function button(model: NonNullable<Message['buttons']>[number]): types.Button {
  return {
    type: 'button',
    action_id: model.actionId,
    text: { type: 'plain_text', text: truncate(model.text, blockKitLimits.buttonText) },
    value: model.value.slice(0, blockKitLimits.buttonValue),
    ...(model.style ? { style: model.style } : {}),
    ...(model.confirm
      ? {
          confirm: {
            title: { type: 'plain_text' as const, text: model.confirm.title },
            text: { type: 'mrkdwn' as const, text: model.confirm.text },
            confirm: { type: 'plain_text' as const, text: model.confirm.confirm },
            deny: { type: 'plain_text' as const, text: model.confirm.deny },
          },
        }
      : {}),
  };
}
