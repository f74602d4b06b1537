/** Helpers for the mrkdwn that message models carry. */

import { systemActor } from '../model/audit';
import type { TargetStatus, Tone } from '../model/message';
import { code, escapeText } from '../model/mrkdwn';

export { code, escapeText } from '../model/mrkdwn';

/** A user as the chat shows them; twokey itself, which acts alone only on the sweep's and the policy's behalf, by name. */
export function mention(userId: string): string {
  return userId === systemActor ? systemActor : `<@${userId}>`;
}

export function link(url: string, label: string): string {
  return `<${url}|${escapeText(label)}>`;
}

// What may stand in a URL (RFC 3986): nothing that ends Slack's `<url|label>` early (`|`, `>`),
// opens another sequence (`<`) or splits the URL (spaces, control characters).
const urlCharacters = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/** Whether a URL someone else sent may become a link: well-formed `https`, without credentials. */
function isLinkableUrl(text: string): boolean {
  if (!urlCharacters.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** A URL someone else sent: a link when it is safe to make one, otherwise shown as text beside the label. */
export function foreignLink(url: string, label: string): string {
  return isLinkableUrl(url) ? link(escapeText(url), label) : `${escapeText(label)} ${code(url)}`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A person's text on one line of a list, cut at `max` characters and escaped: a reason, an audit detail. */
export function oneLine(text: string, max: number): string {
  return escapeText(truncate(text.replace(/\s+/g, ' '), max));
}

/** A moment as lists show it, to the second, in UTC: `2026-12-01 20:34:59`. */
export function listedTime(at: Date): string {
  return at.toISOString().replace('T', ' ').slice(0, 19);
}

/** A title as it reads inside a sentence: "Delete VPN peers" → "delete VPN peers"; names and acronyms keep their capitals. */
export function inSentence(title: string): string {
  return /^[A-Z][a-z]/.test(title) ? `${title.charAt(0).toLowerCase()}${title.slice(1)}` : title;
}

/** `3 peers`, `1 audit entry`, `2 audit entries`. */
export function plural(count: number, noun: string): string {
  if (count === 1) return `${count} ${noun}`;
  return `${count} ${/[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`}`;
}

/** The mark in front of a message's title. */
export const toneIcon: Record<Tone, string> = {
  success: '✅',
  failure: '❌',
  partial: '⚠️',
  unknown: '⚠️',
  info: 'ℹ️',
  warning: '⚠️',
};

/** The mark in front of a target's line. */
export const statusIcon: Record<TargetStatus, string> = {
  succeeded: '✅',
  already_gone: '☑️',
  failed: '❌',
  unknown: '⚠️',
  not_run: '⏹️',
  planned: '•',
};
