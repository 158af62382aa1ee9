/**
 * Compiles one JSONata expression found in a spec, once, at load time. A syntax error is reported at its line:col
 * in the YAML file, inside block scalars and quoted strings too.
 */
import { isScalar } from 'yaml';
import type { CompiledExpression, TransformEngine } from '../transform/transform-engine.js';
import type { Diagnostic } from './diagnostics.js';
import { explainSyntaxError } from './jsonata-hints.js';
import type { SyntaxFailure } from './jsonata-hints.js';
import { scalarOffsetMap } from './scalar-offsets.js';
import { nodeAt, toPosition, valuePosition } from './source-position.js';
import type { JsonPath } from './source-position.js';
import type { SpecFile } from './spec-file.js';

export interface ExpressionSite {
  spec: SpecFile;
  path: JsonPath;
}

export function compileExpression(
  engine: TransformEngine,
  site: ExpressionSite,
  diagnostics: Diagnostic[],
): CompiledExpression | undefined {
  const source = expressionSource(site);
  if (source === undefined) return undefined;
  try {
    return compileCached(engine, source);
  } catch (error) {
    const node = nodeAt(site.spec, site.path);
    const where = (offset: number) => {
      const { line, col } = positionInExpression(site, offset);
      return `${line}:${col}`;
    };
    const quoted = isScalar(node) && node.type === 'QUOTE_DOUBLE';
    const explained = explainSyntaxError(source, error as SyntaxFailure, where, quoted);
    diagnostics.push({
      file: site.spec.file,
      ...positionInExpression(site, explained.offset),
      severity: 'error',
      code: 'jsonata-syntax',
      message: explained.message,
    });
    return undefined;
  }
}

/**
 * Compiled expressions are immutable, so identical sources share one compilation: spec sets repeat expressions
 * (keys, dedup ids, lookups), and a hot reload recompiles a set that is mostly unchanged. Bounded, per engine.
 */
const CACHE_LIMIT = 20_000;
const caches = new WeakMap<TransformEngine, Map<string, CompiledExpression | { error: unknown }>>();

function compileCached(engine: TransformEngine, source: string): CompiledExpression {
  let cache = caches.get(engine);
  if (!cache) caches.set(engine, (cache = new Map()));
  let entry = cache.get(source);
  if (!entry) {
    try {
      entry = engine.compile(source);
    } catch (error) {
      entry = { error };
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, entry);
  }
  if ('error' in entry) throw entry.error;
  return entry;
}

/** The expression text at the site, or undefined when the value is absent or not a string (schema reports that). */
function expressionSource(site: ExpressionSite): string | undefined {
  let value: unknown = site.spec.value;
  for (const key of site.path) value = (value as Record<string | number, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Line:col of a character offset inside the expression at `site`. */
export function positionInExpression(site: ExpressionSite, offset: number): { line: number; col: number } {
  const node = nodeAt(site.spec, site.path);
  if (!node || !isScalar(node)) return valuePosition(site.spec, site.path);
  return toPosition(site.spec, scalarOffsetMap(node, site.spec.text)(offset));
}
