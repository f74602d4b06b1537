/**
 * The wire side of the fake Slack: parsing requests as Slack parses them, checking message
 * content, and writing answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { blockKitProblems, withSlackDefaults } from './block-kit';
import { isObject, type JsonObject } from './records';

// Parameters that @slack/web-api sends JSON-encoded inside a form body.
const jsonEncodedParams = new Set(['blocks', 'attachments', 'metadata', 'unfurls', 'view']);

/** A Slack `ok: false` answer, with `response_metadata.messages` for `invalid_blocks`. */
export class BadRequest extends Error {
  constructor(
    readonly code: string,
    readonly messages?: string[],
  ) {
    super(code);
  }

  answer(): JsonObject {
    return { ok: false, error: this.code, ...(this.messages ? { response_metadata: { messages: this.messages } } : {}) };
  }
}

export interface MessageContent {
  text?: string;
  blocks?: JsonObject[];
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function requiredString(value: unknown, errorCode: string): string {
  const text = optionalString(value);
  if (text === undefined) throw new BadRequest(errorCode);
  return text;
}

/** The text and blocks of a message-carrying call, checked as Slack checks them. */
export function messageContent(params: JsonObject, maxText: number): MessageContent {
  const text = typeof params.text === 'string' ? params.text : undefined;
  const rawBlocks = params.blocks;
  if (rawBlocks !== undefined && !Array.isArray(rawBlocks)) throw new BadRequest('invalid_blocks_format');
  const blocks = rawBlocks as unknown[] | undefined;
  const hasBlocks = blocks !== undefined && blocks.length > 0;
  const hasAttachments = Array.isArray(params.attachments) && params.attachments.length > 0;
  if (!text && !hasBlocks && !hasAttachments) throw new BadRequest('no_text');
  if (text !== undefined && text.length > maxText) throw new BadRequest('msg_too_long');
  if (blocks) {
    const problems = blockKitProblems(blocks);
    if (problems.length > 0) throw new BadRequest('invalid_blocks', problems);
  }
  return {
    ...(text !== undefined ? { text } : {}),
    ...(blocks !== undefined ? { blocks: withSlackDefaults(blocks as JsonObject[]) } : {}),
  };
}

/** Form bodies as @slack/web-api sends them (nested values JSON-encoded), or JSON bodies. */
export function parseParams(raw: string, contentType: string | undefined): JsonObject {
  if (raw === '') return {};
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new BadRequest('invalid_json');
    }
    if (!isObject(parsed)) throw new BadRequest('invalid_json');
    return parsed;
  }
  if (type !== 'application/x-www-form-urlencoded') throw new BadRequest('invalid_form_data');
  const params: JsonObject = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (!jsonEncodedParams.has(key)) {
      params[key] = value;
      continue;
    }
    try {
      params[key] = JSON.parse(value);
    } catch {
      throw new BadRequest(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments');
    }
  }
  return params;
}

/** Every string inside a body after URL- and JSON-decoding, so a scan finds secrets whatever the encoding. */
export function decodedStrings(raw: string, contentType: string | undefined): string[] {
  const strings: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      strings.push(value);
      if (/^\s*[[{]/.test(value)) {
        try {
          collect(JSON.parse(value));
        } catch {
          // Not JSON after all; the string itself is already collected.
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach(collect);
    } else if (isObject(value)) {
      Object.entries(value).forEach(([key, inner]) => {
        strings.push(key);
        collect(inner);
      });
    } else if (value !== undefined && value !== null) {
      strings.push(String(value));
    }
  };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    for (const [key, value] of new URLSearchParams(raw)) {
      strings.push(key);
      collect(value);
    }
  } else {
    collect(raw);
  }
  return strings;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}
