import { z } from 'zod';
import { redact } from '../lib/logger';
import { VendorError } from './errors';
import type { VendorName } from './types';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** What an error envelope tells beyond the HTTP status. */
interface EnvelopeDetails {
  message: string;
  code?: string;
  traceId?: string;
  docUrl?: string;
}

const EXCERPT_LENGTH = 200;
const MESSAGE_LENGTH = 500;

// A field of the wrong type must not cost the rest of the envelope, so optional fields
// fall back to undefined instead of failing the parse.
const optionalText = z.string().trim().min(1).optional().catch(undefined);
const requiredText = z.string().trim().min(1);

/** Altostrat's documented `{type, code, message, doc_url}`, and the bare `{message}` seen on a 401. */
const altostratEnvelope = z.object({
  message: requiredText,
  code: optionalText,
  doc_url: optionalText,
});

/** Aitronos's current `{success: false, error: {…}}`. */
const aitronosEnvelope = z.object({
  error: z
    .object({
      code: optionalText,
      message: optionalText,
      system_message: optionalText,
      trace_id: optionalText,
    })
    .refine((error) => Boolean(error.message ?? error.system_message ?? error.code), 'no message'),
});

/** Aitronos's older `{detail, status_code, error_type, meta: {timestamp, request_id}, errors[]}`. */
const aitronosLegacyEnvelope = z.object({
  detail: requiredText,
  error_type: optionalText,
  meta: z.object({ request_id: optionalText }).optional().catch(undefined),
  errors: z
    .array(z.union([z.string(), z.object({ message: z.string() }).transform((item) => item.message)]))
    .optional()
    .catch(undefined),
});

function fromAitronos(body: unknown): EnvelopeDetails | undefined {
  const parsed = aitronosEnvelope.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, message, system_message: systemMessage, trace_id: traceId } = parsed.data.error;
  // `message` is written for end users; `system_message` says what was actually wrong.
  const parts = [message, systemMessage].filter((part): part is string => part !== undefined);
  const text = parts.length === 2 && parts[0] !== parts[1] ? `${parts[0]} (${parts[1]})` : (parts[0] ?? code ?? '');
  return { message: text, code, traceId };
}

function fromAitronosLegacy(body: unknown): EnvelopeDetails | undefined {
  const parsed = aitronosLegacyEnvelope.safeParse(body);
  if (!parsed.success) return undefined;
  const { detail, error_type: code, meta, errors = [] } = parsed.data;
  const listed = errors.slice(0, 3).join('; ');
  return { message: listed ? `${detail} (${listed})` : detail, code, traceId: meta?.request_id };
}

function fromAltostrat(body: unknown): EnvelopeDetails | undefined {
  const parsed = altostratEnvelope.safeParse(body);
  if (!parsed.success) return undefined;
  return { message: parsed.data.message, code: parsed.data.code, docUrl: parsed.data.doc_url };
}

// Aitronos shapes first: they are recognised by their own keys, Altostrat's only by `message`.
const envelopeReaders = [fromAitronos, fromAitronosLegacy, fromAltostrat];

// Things in a vendor's text that could be credentials, beyond what the logger already catches.
const credentialPatterns: Array<[RegExp, string]> = [
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]'], // JWTs
  [/((?:token|secret|password|passwd|api[_-]?key|authorization)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1[redacted]'],
  [/[A-Za-z0-9+/_=-]{40,}/g, '[redacted]'], // long opaque strings such as API keys
];

/** Vendor-supplied text made safe to show: one line, no control characters, no credentials, bounded. */
export function safeText(text: string, maxLength: number): string {
  let out = text.slice(0, maxLength * 4).replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  out = String(redact(out));
  for (const [pattern, replacement] of credentialPatterns) out = out.replace(pattern, replacement);
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readEnvelope(rawBody: string): EnvelopeDetails {
  const body = parseJson(rawBody);
  for (const read of envelopeReaders) {
    const details = read(body);
    if (details) {
      return {
        message: safeText(details.message, MESSAGE_LENGTH),
        code: details.code && safeText(details.code, 100),
        traceId: details.traceId && safeText(details.traceId, 100),
        docUrl: details.docUrl && safeText(details.docUrl, 300),
      };
    }
  }
  const excerpt = safeText(rawBody, EXCERPT_LENGTH);
  return { message: excerpt ? `unrecognised answer: ${excerpt}` : 'empty answer' };
}

function firstHeader(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** A `Retry-After` value (delay in seconds, or an HTTP date) in milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // HTTP dates, in all three historic forms, start with the day's name; Date.parse alone would take "-5".
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** One VendorError for any non-2xx answer, whatever the body looks like. */
export function errorFromResponse(
  vendor: VendorName,
  status: number,
  headers: ResponseHeaders,
  rawBody: string,
): VendorError {
  const serverError = status >= 500;
  return new VendorError({
    vendor,
    kind: 'http',
    status,
    ...readEnvelope(rawBody),
    retryable: serverError || status === 429,
    // A 5xx may come after the vendor applied the change; a 4xx means it refused it.
    outcome: serverError ? 'unknown' : 'failed',
    retryAfterMs: parseRetryAfter(firstHeader(headers, 'retry-after')),
  });
}
