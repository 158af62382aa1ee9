/**
 * The differential corpus: JSONata expressions and inputs from outside the official suite (other implementations'
 * test suites, realistic mappings), each file citing its source and licence, with the result jsonata-js 2.2.2 gives
 * (recorded by `npm run corpus:jsonata -- --record`). Runs a case on an engine and compares outcomes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonata from 'jsonata';
import { junctionEngine } from '../../../engine/transform/junction-engine.js';
import type { TransformEngine } from '../../../engine/transform/transform-engine.js';
import { sameValue } from '../suite-cases.js';

const CORPUS_DIR = fileURLToPath(new URL('.', import.meta.url));

/** What an evaluation gave: a value (undefined included), a JSONata error code, or a JS error without a code. */
export type Outcome = { value: unknown } | { undefined: true } | { code: string } | { error: 'js' };

interface CorpusCase {
  expr: string;
  data?: unknown;
  dataset?: string;
  bindings?: Record<string, unknown>;
  expected?: Outcome;
}

export interface CorpusFile {
  source: string;
  commit?: string;
  paths: string[];
  license: string;
  datasets: Record<string, unknown>;
  cases: CorpusCase[];
}

export interface LoadedCase extends CorpusCase {
  id: string;
  input: unknown;
}

export function corpusFiles(dir = CORPUS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

/** Every case of the corpus files in `dir`, each with its id (`file#index`) and its input (its data or dataset). */
export function loadCaseFiles<C extends { data?: unknown; dataset?: string }>(
  dir: string,
): (C & { id: string; input: unknown })[] {
  return corpusFiles(dir).flatMap((path) => {
    const file = JSON.parse(readFileSync(path, 'utf8')) as { datasets: Record<string, unknown>; cases: C[] };
    const name = path.slice(path.lastIndexOf('/') + 1, -5);
    return file.cases.map((c, i) => ({
      ...c,
      id: `${name}#${i}`,
      input: c.dataset !== undefined ? file.datasets[c.dataset] : c.data,
    }));
  });
}

export function loadCorpus(dir = CORPUS_DIR): LoadedCase[] {
  return loadCaseFiles<CorpusCase>(dir);
}

/** A JS function or a JSONata lambda or library function: compared as "<function>". */
export const isFn = (v: unknown): boolean =>
  typeof v === 'function' ||
  (v !== null &&
    typeof v === 'object' &&
    ((v as { _jsonata_lambda?: unknown })._jsonata_lambda === true ||
      (v as { _jsonata_function?: unknown })._jsonata_function === true));

/** A result as JSON data (sequence flags dropped, functions as "<function>"), as both engines are compared. */
function valueOutcome(v: unknown): Outcome {
  if (v === undefined) return { undefined: true };
  if (isFn(v)) return { value: '<function>' };
  const text = JSON.stringify(v, (_k, x: unknown) => (isFn(x) ? '<function>' : x));
  return text === undefined ? { undefined: true } : { value: JSON.parse(text) as unknown };
}

function outcomeOf(e: unknown): Outcome {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' ? { code } : { error: 'js' };
}

/** Guards for both engines: a case that needs more is not a fidelity case. */
const CASE_TIMEOUT_MS = 2000;
const REFERENCE_MAX_DEPTH = 20_000;

export function runJunction(c: LoadedCase, engine: TransformEngine = junctionEngine): Outcome {
  try {
    return valueOutcome(engine.compile(c.expr).evaluate(c.input, c.bindings, { timeoutMs: CASE_TIMEOUT_MS }));
  } catch (e) {
    return outcomeOf(e);
  }
}

/** jsonata-js's result, time-boxed through its evaluate entry/exit hooks (as its own test suite does). */
export async function evaluateReference(c: Pick<LoadedCase, 'expr' | 'input' | 'bindings'>): Promise<unknown> {
  const expr = jsonata(c.expr);
  const deadline = Date.now() + CASE_TIMEOUT_MS;
  let depth = 0;
  expr.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, () => {
    if (++depth > REFERENCE_MAX_DEPTH || Date.now() > deadline) throw { code: 'U1001' };
  });
  expr.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, () => {
    depth--;
  });
  return expr.evaluate(c.input, c.bindings);
}

export async function runReference(c: LoadedCase): Promise<Outcome> {
  try {
    return valueOutcome(await evaluateReference(c));
  } catch (e) {
    return outcomeOf(e);
  }
}

/**
 * Whether Junction's outcome `ours` agrees with jsonata-js's `ref`. Where jsonata-js fails with a JavaScript exception
 * (a TypeError or SyntaxError of its own, no JSONata code), any error agrees: Junction raises a coded error there.
 */
export function sameOutcome(ours: Outcome, ref: Outcome): boolean {
  if ('value' in ours && 'value' in ref) return sameValue(ours.value, ref.value);
  if ('code' in ours && 'code' in ref) return ours.code === ref.code;
  if ('error' in ref) return 'error' in ours || 'code' in ours;
  return 'undefined' in ours && 'undefined' in ref;
}

export const show = (o: Outcome | undefined): string => JSON.stringify(o)?.slice(0, 240) ?? 'undefined';
