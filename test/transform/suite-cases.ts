/**
 * Loads the official JSONata test suite (groups/<group>/*.json, datasets/*.json) and runs one case against an engine.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransformEngine } from '../../engine/transform/transform-engine.js';

/** The official suite, in the `shared/` folder that sits beside the checkout (CI clones the repo next to it too). */
export const DEFAULT_SUITE_DIR = fileURLToPath(new URL('../../../shared/jsonata-test-suite', import.meta.url));

export interface SuiteCase {
  id: string;
  group: string;
  expr: string;
  data: unknown;
  bindings: Record<string, unknown>;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  token?: string;
  timelimit?: number;
  depth?: number;
  unordered?: boolean;
}

interface RawCase {
  expr?: string;
  'expr-file'?: string;
  data?: unknown;
  dataset?: string | null;
  bindings?: Record<string, unknown>;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  token?: string;
  error?: { code: string; token?: string };
  timelimit?: number;
  depth?: number;
  unordered?: boolean;
}

export function suiteExists(dir: string): boolean {
  return existsSync(join(dir, 'groups')) && existsSync(join(dir, 'datasets'));
}

export function loadSuite(dir: string): SuiteCase[] {
  const datasets = new Map<string, unknown>();
  for (const f of readdirSync(join(dir, 'datasets'))) {
    if (f.endsWith('.json')) datasets.set(f.slice(0, -5), JSON.parse(readFileSync(join(dir, 'datasets', f), 'utf8')));
  }
  const cases: SuiteCase[] = [];
  for (const group of readdirSync(join(dir, 'groups')).sort()) {
    const gdir = join(dir, 'groups', group);
    for (const file of readdirSync(gdir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const parsed = JSON.parse(readFileSync(join(gdir, file), 'utf8')) as RawCase | RawCase[];
      const list = Array.isArray(parsed) ? parsed : [parsed];
      list.forEach((raw, i) => {
        const expr = raw.expr ?? readFileSync(join(gdir, raw['expr-file'] as string), 'utf8');
        const data = 'data' in raw ? raw.data : raw.dataset ? datasets.get(raw.dataset) : undefined;
        cases.push({
          id: `${group}/${file.replace(/\.json$/, '')}${list.length > 1 ? `[${i}]` : ''}`,
          group,
          expr,
          data,
          bindings: raw.bindings ?? {},
          result: raw.result,
          undefinedResult: raw.undefinedResult,
          code: raw.code ?? raw.error?.code,
          token: raw.token ?? raw.error?.token,
          timelimit: raw.timelimit,
          depth: raw.depth,
          unordered: raw.unordered,
        });
      });
    }
  }
  return cases;
}

/** JSON-value equality that ignores JSONata's sequence flags on arrays. */
export function sameValue(a: unknown, b: unknown, unordered = false): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    if (unordered) {
      const rest = [...b];
      return a.every((x) => {
        const i = rest.findIndex((y) => sameValue(x, y));
        if (i < 0) return false;
        rest.splice(i, 1);
        return true;
      });
    }
    return a.every((x, i) => sameValue(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

interface CaseOutcome {
  ok: boolean;
  detail?: string;
}

const show = (v: unknown): string => {
  try {
    return (JSON.stringify(v) ?? 'undefined').slice(0, 300);
  } catch {
    return String(v);
  }
};

/** Runs one case; `ok` when the result (or error code) matches the expectation exactly. */
export async function runCase(engine: TransformEngine, c: SuiteCase): Promise<CaseOutcome> {
  let result: unknown;
  try {
    const compiled = engine.compile(c.expr);
    result = await compiled.evaluate(c.data, c.bindings, { timeoutMs: c.timelimit ?? 5000, maxDepth: c.depth ?? 500 });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (c.code !== undefined && code === c.code) return { ok: true };
    return { ok: false, detail: `threw ${code ?? ''} ${(e as Error).message}${c.code ? ` (expected ${c.code})` : ''}` };
  }
  if (c.code !== undefined) return { ok: false, detail: `expected error ${c.code}, got ${show(result)}` };
  if (c.undefinedResult)
    return result === undefined ? { ok: true } : { ok: false, detail: `expected undefined, got ${show(result)}` };
  if (sameValue(result, c.result, c.unordered)) return { ok: true };
  return { ok: false, detail: `expected ${show(c.result)}, got ${show(result)}` };
}
