/**
 * What twokey says, independent of the chat that shows it. Text is Slack-flavoured mrkdwn
 * built with the helpers in `format.ts`; each transport renders the model its own way
 * (Block Kit for Slack, plain text for the shell).
 */
export type Tone = 'success' | 'failure' | 'partial' | 'unknown' | 'info' | 'warning';

/** A target's outcome as shown: done, already gone (nothing left to remove), failed, unknown, not run, or still to be done. */
export type TargetStatus = 'succeeded' | 'already_gone' | 'failed' | 'unknown' | 'not_run' | 'planned';

export interface Field {
  label: string;
  value: string;
}

/** One line about targets that ended the same way (or one target, when its outcome reads like no other's). */
export interface TargetLine {
  /** The targets the line names, in their order. */
  ids: string[];
  status: TargetStatus;
  /** The targets and what happened to them, in words an on-call engineer can act on. */
  text: string;
}

export interface Button {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

/** A choice among listed items (a listing's targets); the message's buttons act on what is chosen. */
export interface Picker {
  actionId: string;
  placeholder: string;
  options: { value: string; text: string }[];
}

export interface Message {
  /** One plain line: notification text, fallback, and the first thing a reader sees. */
  summary: string;
  tone: Tone;
  title?: string;
  body?: string[];
  fields?: Field[];
  targets?: TargetLine[];
  /** Small print under the message. */
  notes?: string[];
  buttons?: Button[];
  /** Shown before the buttons, which act on its choice. */
  picker?: Picker;
}

/** Where a message was posted, as the chat identifies it, so it can be updated in place and replied to in its thread. */
export interface MessageRef {
  channelId: string;
  /** The chat's own ID of the message (Slack's `ts`). */
  messageId: string;
}
