/**
 * The top-level fields an integration's key and dedup id read, when that is all they read: then ingest can check the
 * body with a scan of its bytes (json-scan.ts) and evaluate both expressions over an object of those fields alone,
 * parsed from their own bytes, instead of parsing the whole event (docs/performance.md, "Ingest CPU cuts, session 11").
 *
 * Decided from the expressions' syntax trees, and only for a few plain forms whose value cannot depend on anything
 * but the fields they name: field paths (`a`, `a.b`, `` `a b` ``), literals, operators, conditions, and calls of a
 * few string and number functions with their arguments given (no argument falls back to the whole event, as
 * `$string()` does). Anything else (a variable such as `$`, `$$` or `$event`, a wildcard, a filter, a block, a
 * lambda, another function) means no: the event is parsed whole, as without this.
 */
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { CompiledExpression } from '../../transform/transform-engine.js';
import { MAX_EVENT_DEPTH } from './json-depth.js';
import { scanTopLevel } from './json-scan.js';

/** The fields, by name and as UTF-8 bytes (what the scan compares). */
export interface IdentityFields {
  names: string[];
  bytes: Uint8Array[];
}

const FIELDS = new WeakMap<CompiledIntegration, IdentityFields | null>();

/** The integration's identity fields, or undefined when its key or dedup id may read more (or no dedup id is set). */
export function identityFields(integration: CompiledIntegration): IdentityFields | undefined {
  let fields = FIELDS.get(integration);
  if (fields === undefined) {
    fields = null;
    // Without a dedup id the event's id is a hash of the whole event.
    const names = integration.dedupId && fieldsRead([integration.key, integration.dedupId]);
    if (names) fields = { names, bytes: names.map((name) => Buffer.from(name)) };
    FIELDS.set(integration, fields);
  }
  return fields ?? undefined;
}

/**
 * The body as an object of its identity fields alone, each parsed from its own bytes (so the same value, with a
 * name given twice the last, as JSON.parse of the body gives), or undefined when the scan declines the body: it is
 * then parsed whole, which gives every answer (400 `malformed-json`, `too-deep`, `not-an-object`) as before.
 */
export function identityEvent(raw: Buffer, fields: IdentityFields): Record<string, unknown> | undefined {
  const found = scanTopLevel(raw, fields.bytes, MAX_EVENT_DEPTH);
  if (!found) return undefined;
  const event: Record<string, unknown> = {};
  for (let i = 0; i < fields.names.length; i++)
    if (found[2 * i]! >= 0) event[fields.names[i]!] = fieldValue(raw, found[2 * i]!, found[2 * i + 1]!);
  return event;
}

/**
 * The value of the JSON in `raw[start, end)`, which the scan found valid. An ASCII string without escapes and a short
 * unsigned integer (the usual ids and timestamps) are read from the bytes, which gives what JSON.parse gives (ASCII
 * read as Latin-1 is the same characters; an integer of up to 15 digits is exact in a double); anything else is
 * decoded and parsed. The bench's three fields: 1.0 -> 0.4 µs (docs/performance.md, "Ingest CPU cuts, session 13"). A
 * string built a character at a time gave as much young garbage again as the scan and the fields had made.
 */
function fieldValue(raw: Buffer, start: number, end: number): unknown {
  if (raw[start] === 0x22) {
    for (let i = start + 1; i < end - 1; i++) {
      const b = raw[i]!;
      if (b >= 0x80 || b === 0x5c) return JSON.parse(raw.toString('utf8', start, end));
    }
    return raw.toString('latin1', start + 1, end - 1);
  }
  if (end - start <= 15) {
    let value = 0;
    for (let i = start; i < end; i++) {
      const b = raw[i]!;
      if (b < 0x30 || b > 0x39) return JSON.parse(raw.toString('utf8', start, end));
      value = value * 10 + (b - 0x30);
    }
    return value;
  }
  return JSON.parse(raw.toString('utf8', start, end));
}

/** Functions that read only their arguments (called with at least one, see above). */
const PURE = new Set([
  'string',
  'number',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'trim',
  'length',
  'pad',
  'join',
  'contains',
  'boolean',
  'not',
  'exists',
  'abs',
  'floor',
  'ceil',
  'round',
]);

const OPERATORS = new Set(['&', '+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'and', 'or']);

/** The first field of every path in the expressions, or undefined when one of them is not of the plain forms. */
function fieldsRead(expressions: CompiledExpression[]): string[] | undefined {
  const names = new Set<string>();
  const stack: unknown[] = [];
  for (const expression of expressions) {
    const ast = expression.ast?.();
    if (ast === undefined) return undefined;
    stack.push(ast);
  }
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | null;
    if (node === null || typeof node !== 'object') return undefined;
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value':
        if (!onlyKeys(node, ['type', 'value', 'position'])) return undefined;
        break;
      case 'path': {
        const steps = node.steps as Record<string, unknown>[];
        if (!onlyKeys(node, ['type', 'steps']) || !Array.isArray(steps) || steps.length === 0) return undefined;
        for (const step of steps)
          if (step.type !== 'name' || typeof step.value !== 'string' || !onlyKeys(step, ['type', 'value', 'position']))
            return undefined;
        const name = steps[0]!.value as string;
        // The scan compares names as bytes and sees no escapes: an ASCII name only; `__proto__` would set a prototype.
        if (!/^[\x20-\x7e]+$/.test(name) || name === '__proto__') return undefined;
        names.add(name);
        break;
      }
      case 'binary':
        if (!onlyKeys(node, ['type', 'value', 'position', 'lhs', 'rhs']) || !OPERATORS.has(node.value as string))
          return undefined;
        stack.push(node.lhs, node.rhs);
        break;
      case 'condition':
        if (!onlyKeys(node, ['type', 'position', 'condition', 'then', 'else'])) return undefined;
        stack.push(node.condition, node.then);
        if (node.else !== undefined) stack.push(node.else);
        break;
      case 'function': {
        const procedure = node.procedure as Record<string, unknown> | undefined;
        const args = node.arguments as unknown[];
        if (
          !onlyKeys(node, ['type', 'name', 'value', 'position', 'arguments', 'procedure']) ||
          procedure?.type !== 'variable' ||
          !PURE.has(procedure.value as string) ||
          !Array.isArray(args) ||
          args.length === 0
        )
          return undefined;
        stack.push(...args);
        break;
      }
      default:
        return undefined;
    }
  }
  return [...names];
}

/** Own keys only: jsonata-js's nodes inherit their parser symbol's (`id`, `lbp`, `nud`). */
function onlyKeys(node: Record<string, unknown>, allowed: string[]): boolean {
  return Object.keys(node).every((key) => allowed.includes(key));
}
