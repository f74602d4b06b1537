import { formatDuration as formatDurationWords } from 'date-fns/formatDuration';
import { intervalToDuration } from 'date-fns/intervalToDuration';
import { z } from 'zod';

const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationPattern = /^([1-9][0-9]*)([smhd])$/;

const durationHint = 'a duration such as 30s, 15m, 2h or 1d';

function toMs(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** `"30s"`, `"15m"`, `"2h"`, `"1d"` → milliseconds. Throws on anything else (zero included). */
export function parseDuration(text: string): number {
  const ms = toMs(text);
  if (ms === undefined) throw new Error(`"${text}" is not ${durationHint}`);
  return ms;
}

/** A duration written as text (`15m`), parsed to milliseconds. */
export const durationSchema = z.string({ error: `expected ${durationHint}` }).transform((text, ctx) => {
  const ms = toMs(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${durationHint}, got "${text}"`, input: text });
    return z.NEVER;
  }
  return ms;
});

/** Milliseconds in words for people: `900000` → "15 minutes", `5400000` → "1 hour 30 minutes". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1_000);
  if (seconds <= 0) return '0 seconds';
  return formatDurationWords(intervalToDuration({ start: 0, end: seconds * 1_000 }));
}
