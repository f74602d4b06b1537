/** Helpers for the mrkdwn that message models carry. */

/** Escapes the three characters Slack treats as control sequences in user-supplied text. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

export function code(text: string): string {
  return `\`${escapeText(text.replace(/`/g, "'"))}\``;
}

export function link(url: string, label: string): string {
  return `<${url}|${escapeText(label)}>`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export const statusIcon = {
  succeeded: '✅',
  failed: '❌',
  unknown: '⚠️',
  planned: '•',
} as const;
