import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { policyWarnings, validatePolicy, type Policy } from './schema';

/** A policy that cannot be used; the message lists every problem found, each with its path in the file. */
export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`The policy ${source} cannot be used:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

/** Line of the key or list item at `path`, or of its nearest ancestor when the key is missing. */
function lineAt(document: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = document.getIn(path.slice(0, depth - 1), true);
    const step = String(path[depth - 1]);
    const node = isMap(parent)
      ? parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === step)?.key
      : isSeq(parent)
        ? parent.items[Number(step)]
        : undefined;
    const start = isNode(node) ? node.range?.[0] : undefined;
    if (start !== undefined) return lines.linePos(start).line;
  }
  return undefined;
}

/** `path: message (line n)`, the form of every problem and warning. */
function located(document: Document, lines: LineCounter, path: readonly PropertyKey[], message: string): string {
  const line = lineAt(document, lines, path);
  return `${pathText(path)}: ${message}${line === undefined ? '' : ` (line ${line})`}`;
}

function problemsOf(issues: readonly z.core.$ZodIssue[], document: Document, lines: LineCounter): string[] {
  return issues.flatMap((issue) =>
    // One problem per unknown key, each at its own path.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => located(document, lines, [...issue.path, key], issue.message))
      : [located(document, lines, issue.path, issue.message)],
  );
}

/**
 * A YAML error as a problem: a key given twice at its path (YAML would keep only the last, so a
 * rule or an alias would silently vanish), anything else at its line and column.
 */
function syntaxProblem(error: YAMLError, document: Document, lines: LineCounter): string {
  const { line, col } = lines.linePos(error.pos[0]);
  const path = error.code === 'DUPLICATE_KEY' ? keyPathAt(document.contents, error.pos[0]) : undefined;
  return path ? `${pathText(path)}: given more than once; keep one (line ${line})` : `line ${line}, column ${col}: ${error.message}`;
}

/** The path of the mapping key that starts at `offset` in the file, if one does. */
function keyPathAt(node: unknown, offset: number, path: readonly string[] = []): string[] | undefined {
  const children = isMap(node)
    ? node.items.map((pair) => ({ step: isScalar(pair.key) ? String(pair.key.value) : String(pair.key), key: pair.key, value: pair.value }))
    : isSeq(node)
      ? node.items.map((item, index) => ({ step: String(index), key: undefined, value: item }))
      : [];
  for (const { step, key, value } of children) {
    if (isNode(key) && key.range?.[0] === offset) return [...path, step];
    const found = keyPathAt(value, offset, [...path, step]);
    if (found) return found;
  }
  return undefined;
}

/** What one reload of the policy file did: a valid file is in force, with what changed; a bad one is not, and why. */
export type PolicyReload = { result: 'applied'; changes: string[] } | { result: 'rejected'; problems: string[] };

export interface PolicyOptions {
  /** Told each warning, in the form of a problem: what may be fine but cannot be checked before run time. */
  onWarning?: (warning: string) => void;
}

/** Parses and validates policy YAML; `source` names it in errors (usually the file's path). */
export function parsePolicy(text: string, source: string, options: PolicyOptions = {}): Policy {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (document.errors.length) throw new PolicyError(source, document.errors.map((error) => syntaxProblem(error, document, lines)));
  const result = validatePolicy(document.toJS());
  if (!result.success) throw new PolicyError(source, problemsOf(result.error.issues, document, lines));
  for (const { path, message } of policyWarnings(result.data)) options.onWarning?.(located(document, lines, path, message));
  return result.data;
}

/** The text of the policy file at `path`; a PolicyError saying why when it cannot be read. */
export function readPolicyText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyError(path, [
      code === 'ENOENT'
        ? `no file at ${resolve(path)}; copy policy.example.yml (the template) there and edit it, or set POLICY_FILE`
        : `cannot read ${resolve(path)}: ${code ?? (error as Error).message}`,
    ]);
  }
}

/** Reads and validates the policy file at `path`. */
export function loadPolicy(path: string, options: PolicyOptions = {}): Policy {
  return parsePolicy(readPolicyText(path), path, options);
}
