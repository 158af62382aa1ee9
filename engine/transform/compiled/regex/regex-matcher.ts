/**
 * JSONata regex values: `(str, fromIndex?) => match` closures with jsonata-js's match objects (`match`, `start`,
 * `end`, `groups`, `next()`). No regex can freeze the process (ReDoS):
 * - V8's RegExp (the fastest) runs a pattern without choice points on any input (linear for it), and a pattern
 *   without nested choice points on inputs short enough that its polynomial worst case stays small (nativeLimit);
 * - any other input runs on RE2 (`re2js`), linear in the input, after js-to-re2.ts rewrote the pattern in RE2 syntax;
 * - a pattern RE2 cannot express (backreferences, lookaround), or an input on which RE2 would answer differently
 *   (UTF-16 surrogates, `\r` under the `m` flag, a few case-folding letters under `i`), runs on V8's RegExp in a
 *   worker thread under the evaluation's deadline: past it the worker is terminated and the evaluation fails U1001.
 */
import { RE2JS } from 're2js';
import { jerr } from '../errors.js';
import { deadline } from '../guards.js';
import { analysePattern } from './js-to-re2.js';
import { fallbackExec, warmFallback } from './regex-fallback.js';

interface RegexMatch {
  match: string;
  start: number;
  end: number;
  groups: (string | undefined)[];
  next: () => RegexMatch | undefined;
}

type Matcher = ((str: string, fromIndex?: number) => RegexMatch | undefined) & { regex: RegExp };

/** One match as the engines report it: where it starts, the matched text and the groups (undefined if unmatched). */
export interface RawMatch {
  index: number;
  match: string;
  groups: (string | undefined)[];
}

type Exec = (str: string, from: number) => RawMatch | null;

const SURROGATE = /[\uD800-\uDFFF]/;
const LINE_TERMINATOR = /[\r\u2028\u2029]/;
/** Letters whose case-insensitive matching differs between RE2 (Unicode folding) and JavaScript without `u`. */
const FOLDING = /[\u00df\u017f\u1e9e\u212a\u212b]/;

function nativeExec(regex: RegExp): Exec {
  const re = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : regex.flags + 'g');
  return (str, from) => {
    re.lastIndex = from;
    const m = re.exec(str);
    return m === null ? null : { index: m.index, match: m[0], groups: m.slice(1) };
  };
}

function re2Exec(pattern: RE2JS): Exec {
  let lastInput: string | undefined;
  let matcher: ReturnType<RE2JS['matcher']> | undefined;
  const groups = pattern.groupCount();
  return (str, from) => {
    if (str !== lastInput || matcher === undefined) {
      matcher = pattern.matcher(str);
      lastInput = str;
    }
    if (from > str.length || !matcher.find(from)) return null;
    const out: (string | undefined)[] = [];
    for (let g = 1; g <= groups; g++) out.push(matcher.group(g) ?? undefined);
    return { index: matcher.start(), match: matcher.group() as string, groups: out };
  };
}

function compileRe2(source: string, regex: RegExp): RE2JS | undefined {
  try {
    let flags = 0;
    if (regex.flags.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
    if (regex.flags.includes('m')) flags |= RE2JS.MULTILINE;
    return RE2JS.compile(source, flags);
  } catch {
    return undefined;
  }
}

/** Backtracking steps a pattern may take on V8 before an input counts as too long for it. */
const BACKTRACK_BUDGET = 1e7;

/**
 * The longest input V8 may match a pattern on: any length without choice points (linear), none with a nested one
 * (exponential), else the length whose worst case, (pattern × input^(choices + 1)), stays within the budget.
 */
function nativeLimit(source: string, choices: number, nested: boolean): number {
  if (choices === 0) return Infinity;
  if (nested) return -1;
  return Math.floor(Math.pow(BACKTRACK_BUDGET / Math.max(source.length, 1), 1 / (choices + 1)));
}

/** Picks the engines for a pattern once; each input then goes to the fastest engine that is safe for it. */
function chooseExec(regex: RegExp): Exec {
  const analysis = analysePattern(regex.source);
  const limit = nativeLimit(regex.source, analysis.choices, analysis.nested);
  if (limit === Infinity) return nativeExec(regex);
  const native = limit > 0 ? nativeExec(regex) : undefined;
  const re2 = analysis.re2 === undefined ? undefined : compileRe2(analysis.re2, regex);
  const fallback: Exec = (str, from) => fallbackExec(regex, str, from, deadline());
  if (re2 === undefined) warmFallback();
  const linear = re2 === undefined ? undefined : re2Exec(re2);
  const multiline = regex.flags.includes('m');
  const ignoreCase = regex.flags.includes('i');
  return (str, from) => {
    if (native !== undefined && str.length <= limit) return native(str, from);
    if (
      linear === undefined ||
      (analysis.consumesAny && SURROGATE.test(str)) ||
      (multiline && LINE_TERMINATOR.test(str)) ||
      (ignoreCase && FOLDING.test(str))
    )
      return fallback(str, from);
    return linear(str, from);
  };
}

/**
 * A regex literal's value: a matcher closure with jsonata-js's iteration semantics (and D1004 on empty re-matches).
 * D1004 carries no position of its own: the function call that ran the matcher gives it its position, as in jsonata-js.
 */
export function compileMatcher(regex: RegExp): Matcher {
  const exec = chooseExec(regex);
  const closure = (str: string, fromIndex?: number): RegexMatch | undefined => {
    const m = exec(str, fromIndex || 0);
    if (m === null) return undefined;
    const end = m.index + m.match.length;
    return {
      match: m.match,
      start: m.index,
      end,
      groups: m.groups,
      next: () => {
        if (end >= str.length) return undefined;
        const nx = closure(str, end);
        if (nx && nx.match === '') throw jerr('D1004', { value: regex.source });
        return nx;
      },
    };
  };
  (closure as Matcher).regex = regex;
  return closure as Matcher;
}
