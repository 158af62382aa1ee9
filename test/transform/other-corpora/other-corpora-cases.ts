/**
 * Corpora of JSONata expressions from sources other than the official suite (see README.md beside this file): the
 * examples of the JSONata documentation, and edge cases written for Junction by area. Each case records what
 * jsonata-js 2.2.2 gives, compared more strictly than the differential corpus: the result's JSON text with its key
 * order, `-0` told apart from `0`, and an error's position as well as its code.
 */
import { fileURLToPath } from 'node:url';
import { junctionEngine } from '../../../engine/transform/junction-engine.js';
import type { TransformEngine } from '../../../engine/transform/transform-engine.js';
import { corpusFiles, evaluateReference, isFn, loadCaseFiles } from '../corpus/corpus-cases.js';

const OTHER_CORPORA_DIR = fileURLToPath(new URL('.', import.meta.url));

/** A result as JSON text, `undefined`, a JSONata error (code and position), or a JS error without a code. */
type StrictOutcome = { json: string } | { undefined: true } | { code: string; position?: number } | { error: 'js' };

interface OtherCase {
  expr: string;
  /** Where the case comes from: an area (edge cases), a documentation page, another implementation's test class. */
  area?: string;
  page?: string;
  test?: string;
  /** The documentation's stated result, as text (informational: jsonata-js's outcome is the reference). */
  documented?: string;
  data?: unknown;
  dataset?: string;
  bindings?: Record<string, unknown>;
  expected?: StrictOutcome;
}

export interface OtherCorpusFile {
  source: string;
  commit?: string;
  paths?: string[];
  license: string;
  datasets: Record<string, unknown>;
  cases: OtherCase[];
}

export interface LoadedOtherCase extends OtherCase {
  id: string;
  input: unknown;
}

export const otherCorpusFiles = (dir = OTHER_CORPORA_DIR): string[] => corpusFiles(dir);

export function loadOtherCorpora(dir = OTHER_CORPORA_DIR): LoadedOtherCase[] {
  return loadCaseFiles<OtherCase>(dir);
}

const NEGATIVE_ZERO = '<-0>';

/** JSON text of a result, keys in their order, functions as "<function>", regexes as "<regex>" and -0 marked. */
function strictValue(v: unknown): StrictOutcome {
  if (v === undefined) return { undefined: true };
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (isFn(x)) return '<function>';
    if (x instanceof RegExp) return '<regex>';
    if (Object.is(x, -0)) return NEGATIVE_ZERO;
    return x;
  });
  return text === undefined ? { undefined: true } : { json: text };
}

function strictError(e: unknown): StrictOutcome {
  const { code, position } = (e ?? {}) as { code?: unknown; position?: unknown };
  if (typeof code !== 'string') return { error: 'js' };
  return typeof position === 'number' ? { code, position } : { code };
}

/**
 * Junction's time guard: more than jsonata-js's, as a lookaround or backreference runs in a worker thread under the
 * evaluation's deadline, and on a loaded machine an answer within 2 s is not certain (no case runs away).
 */
const ENGINE_TIMEOUT_MS = 15_000;

export function runEngine(c: LoadedOtherCase, engine: TransformEngine = junctionEngine): StrictOutcome {
  try {
    return strictValue(engine.compile(c.expr).evaluate(c.input, c.bindings, { timeoutMs: ENGINE_TIMEOUT_MS }));
  } catch (e) {
    return strictError(e);
  }
}

/** jsonata-js 2.2.2, time-boxed as in the differential corpus. */
export async function runJsonataJs(c: LoadedOtherCase): Promise<StrictOutcome> {
  try {
    return strictValue(await evaluateReference(c));
  } catch (e) {
    return strictError(e);
  }
}

/**
 * Whether Junction's outcome agrees with jsonata-js's: the same JSON text, or the same error code at the same
 * position. Where jsonata-js fails with a JavaScript exception of its own (no JSONata code), a coded error agrees.
 */
export function agrees(ours: StrictOutcome, ref: StrictOutcome): boolean {
  if ('json' in ours && 'json' in ref) return ours.json === ref.json;
  if ('code' in ours && 'code' in ref) return ours.code === ref.code && ours.position === ref.position;
  if ('error' in ref) return 'error' in ours || 'code' in ours;
  return 'undefined' in ours && 'undefined' in ref;
}

export const showOutcome = (o: StrictOutcome | undefined): string => JSON.stringify(o)?.slice(0, 300) ?? 'undefined';
