import { cardActionOf } from '../messages/card';
import { listingActions } from '../messages/listing';
import { statusIcon, toneIcon } from '../messages/format';
import type { Button, Message, TargetLine } from '../model/message';

/** How the shell draws a message: plain text, with a little emphasis on a colour terminal. */
export interface RenderOptions {
  /** Bold headings and dim notes through ANSI escapes; only for a terminal. */
  colour?: boolean;
  /** Channel names by ID, so that `<#C…>` reads as `#name`. */
  channelNames?: Readonly<Record<string, string>>;
}

// The few emoji shortcodes twokey's messages use; Slack draws them, a terminal would not.
const emoji: Readonly<Record<string, string>> = { x: '❌', no_entry: '⛔' };

const ansi = { bold: '\u001b[1m', dim: '\u001b[2m', reset: '\u001b[0m' } as const;

/**
 * Slack mrkdwn as a terminal reader wants it: mentions as `@U…`, links as `label (url)`,
 * dates as their fallback text, bold and italic marks dropped, entities unescaped. Code spans
 * keep their backticks: they mark IDs worth copying.
 */
export function plainText(mrkdwn: string, options: RenderOptions = {}): string {
  return mrkdwn
    .replace(/<([^<>]*)>/g, (_whole, inner: string) => controlSequence(inner, options))
    .replace(/(^|[^\w*])\*([^*\n]+?)\*(?![\w*])/g, '$1$2')
    .replace(/(^|[^\w_])_([^_\n]+?)_(?![\w_])/g, '$1$2')
    .replace(/:([a-z_]+):/g, (whole, name: string) => emoji[name] ?? whole)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** One `<…>` sequence of mrkdwn (https://docs.slack.dev/messaging/formatting-message-text). */
function controlSequence(inner: string, options: RenderOptions): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  if (target.startsWith('@')) return target;
  if (target.startsWith('#')) return `#${label ?? options.channelNames?.[target.slice(1)] ?? target.slice(1)}`;
  if (target.startsWith('!date^')) return label ?? target;
  if (target.startsWith('!subteam^')) return label ?? `@${target.slice('!subteam^'.length)}`;
  if (target.startsWith('!')) return `@${target.slice(1)}`;
  return label && label !== target ? `${label} (${target})` : target;
}

/**
 * A message as lines of plain text: the heading (the title with its tone, or the summary when
 * there is neither title nor body), then body, fields as `Label: value`, targets with their
 * status marks, notes, and the buttons as what to type to press them.
 */
export function renderMessage(message: Message, options: RenderOptions = {}): string[] {
  const text = (mrkdwn: string) => plainText(mrkdwn, options);
  const style = (code: string, line: string) => (options.colour ? `${code}${line}${ansi.reset}` : line);
  const heading = message.title
    ? `${toneIcon[message.tone]} ${text(message.title)}`
    : message.body?.length
      ? undefined
      : text(message.summary);

  const lines: string[] = [];
  if (heading) lines.push(style(ansi.bold, heading));
  for (const paragraph of message.body ?? []) lines.push(...text(paragraph).split('\n'));
  for (const field of message.fields ?? []) lines.push(`${field.label}: ${text(field.value)}`);
  for (const target of message.targets ?? []) lines.push(...targetLines(target, text));
  for (const note of message.notes ?? []) lines.push(style(ansi.dim, text(note)));
  if (message.picker) lines.push(`Pick by number: [pick 1 3 5] or [pick 2-4]${message.buttons?.some((button) => button.actionId === listingActions.all) ? ' or [pick all]' : ''}`);
  else if (message.buttons?.length) lines.push(message.buttons.map((button) => `[${pressText(button)}]`).join(' '));
  return lines;
}

/** What to type to press a button: `approve R-7K3QXM`. */
export function pressText(button: Button): string {
  return `${cardActionOf(button.actionId) ?? button.text.toLowerCase()} ${button.value}`;
}

/** A target's status mark and text; an explanation on a further line stays under the text. */
function targetLines(target: TargetLine, text: (mrkdwn: string) => string): string[] {
  const [first, ...rest] = text(target.text).split('\n');
  return [`${statusIcon[target.status]} ${first}`, ...rest.map((line) => `   ${line.trim()}`)];
}
