import { formatDuration as formatDurationWords } from 'date-fns/formatDuration';
import { intervalToDuration } from 'date-fns/intervalToDuration';
import { z } from 'zod';

const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationPattern = /^([1-9][0-9]*)([smhd])$/;

const durationHint = 'a duration such as 30s, 15m, 2h or 1d';

/**
 * The longest duration anything accepts unless it says less: about 100 years, far inside what a
 * Date can hold (±273,790 years around 1970), so that `now ± duration` is always a valid date.
 */
const MAX_DURATION_MS = 36_500 * unitMs.d;

/** `604800000` → "7d": a limit written as durations are typed, in its largest whole unit. */
function durationText(ms: number): string {
  const [unit, size] = Object.entries(unitMs)
    .reverse()
    .find(([, size]) => ms % size === 0) ?? ['s', unitMs.s];
  return `${Math.floor(ms / size)}${unit}`;
}

type Reading = { ms: number } | { problem: 'form' | 'too long' };

function read(text: string, maxMs: number): Reading {
  const match = durationPattern.exec(text);
  if (!match) return { problem: 'form' };
  // More digits than a double holds exactly make a number far above any limit: too long, not wrong.
  const ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  return ms <= maxMs ? { ms } : { problem: 'too long' };
}

/**
 * `"30s"`, `"15m"`, `"2h"`, `"1d"` → milliseconds. Throws on anything else (zero included) and on a
 * duration longer than `maxMs`.
 */
export function parseDuration(text: string, maxMs: number = MAX_DURATION_MS): number {
  const reading = read(text, maxMs);
  if ('ms' in reading) return reading.ms;
  throw new Error(
    reading.problem === 'form' ? `"${text}" is not ${durationHint}` : `"${text}" is longer than ${durationText(maxMs)}, the most allowed`,
  );
}

/** A duration written as text (`15m`) of at most `maxMs`, parsed to milliseconds. */
export function durationSchema(maxMs: number) {
  return z.string({ error: `expected ${durationHint}` }).transform((text, ctx) => {
    const reading = read(text, maxMs);
    if ('ms' in reading) return reading.ms;
    const expected = reading.problem === 'form' ? durationHint : `a duration of at most ${durationText(maxMs)}`;
    ctx.addIssue({ code: 'custom', message: `expected ${expected}, got "${text}"`, input: text });
    return z.NEVER;
  });
}

/** Milliseconds in words for people: `900000` → "15 minutes", `5400000` → "1 hour 30 minutes". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1_000);
  if (seconds <= 0) return '0 seconds';
  return formatDurationWords(intervalToDuration({ start: 0, end: seconds * 1_000 }));
}
