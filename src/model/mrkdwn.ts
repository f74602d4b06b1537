/**
 * Text in the message model's mrkdwn that came from someone else — a user's reason, a vendor's
 * message, code, ID or username — made data: never a mention, a link or the end of a code span.
 */

/** Escapes the three characters Slack treats as control sequences in user-supplied text. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code span; a backtick inside would end it early, so it becomes an apostrophe. */
export function code(text: string): string {
  return `\`${escapeText(text.replace(/`/g, "'"))}\``;
}
