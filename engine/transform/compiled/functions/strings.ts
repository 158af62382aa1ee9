/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * String functions: $string, $substring*, case, $length, $trim, $pad, $contains, $split, $join, $match, $replace,
 * URL/base64.
 */
import { jerr } from '../errors.js';
import type { Focus, NativeFn } from '../runtime.js';
import { apply } from '../runtime.js';
import { LARGE_VALUE, PACE_STRIDE, checkLength, pace, state, tick } from '../guards.js';
import { seq, stringify } from '../sequence.js';
import { native } from './registry.js';

const SURROGATE = /[\uD800-\uDFFF]/;

/** Characters of `s` as `Array.from` counts them (a pair of surrogates is one), without building the array. */
function codePointLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if ((n & 4095) === 4095) pace(4096);
  }
  return n;
}

/** The UTF-16 length of the first `n` characters (as `codePointLength` counts them) of `s`. */
function unitsOfFirst(s: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++, i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if ((k & 4095) === 4095) pace(4096);
  }
  return i;
}

function checked(r: any, env: any): any {
  if (r === undefined) return undefined;
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof r.start !== 'number' ||
    typeof r.end !== 'number' ||
    !Array.isArray(r.groups)
  ) {
    throw jerr('T1010', {});
  }
  const next = r.next;
  return { ...r, next: () => (next === undefined ? undefined : checked(apply(next, [], null, env), env)) };
}

/** A regex closure as is; a JSONata function used as a custom matcher gets its results checked. */
function matcher(f: any, env: any): (s: string) => any {
  if (typeof f === 'function' && (f as any).regex) return f;
  return (s: string) => checked(apply(f, [s], null, env), env);
}

function substring(str: string | undefined, start: number, length?: number): string | undefined {
  if (str === undefined) return undefined;
  if (!SURROGATE.test(str)) {
    const n = str.length;
    if (n + start < 0) start = 0;
    if (length !== undefined) {
      if (length <= 0) return '';
      const end = start >= 0 ? start + length : n + start + length;
      return str.slice(start, end);
    }
    return str.slice(start);
  }
  // characters outside the BMP: the same slice of characters as `Array.from(str).slice(start, end)`, found by
  // walking the string (an array of ten million characters took seconds between two looks at the clock)
  const n = codePointLength(str);
  if (n + start < 0) start = 0;
  let end = n;
  if (length !== undefined) {
    if (length <= 0) return '';
    end = start >= 0 ? start + length : n + start + length;
  }
  const from = sliceIndex(start, n);
  const to = sliceIndex(end, n);
  if (to <= from) return '';
  return str.slice(unitsOfFirst(str, from), unitsOfFirst(str, to));
}

/** `Array.prototype.slice`'s reading of an index into `n` items (truncated, negative from the end, clamped). */
function sliceIndex(x: number, n: number): number {
  const i = x !== x ? 0 : Math.trunc(x);
  return i < 0 ? Math.max(n + i, 0) : Math.min(i, n);
}

function replaceFn(
  this: Focus,
  str: string | undefined,
  pattern: any,
  replacement: any,
  limit?: number,
): string | undefined {
  if (str === undefined) return undefined;
  if (pattern === '') throw jerr('D3010', { value: pattern, index: 2 });
  if (limit !== undefined && limit < 0) throw jerr('D3011', { value: limit, index: 4 });
  if (typeof pattern !== 'string') pattern = matcher(pattern, this.environment);
  const replacer = typeof replacement === 'string' ? (m: any) => substitute(replacement, m) : replacement;
  if (limit !== undefined && limit <= 0) return str;
  let result = '';
  let position = 0;
  let count = 0;
  if (typeof pattern === 'string') {
    let index = str.indexOf(pattern, position);
    while (index !== -1 && (limit === undefined || count < limit)) {
      result += str.substring(position, index) + replacement;
      position = index + pattern.length;
      count++;
      tick();
      index = str.indexOf(pattern, position);
    }
    result += str.substring(position);
    checkLength(result.length);
    return result;
  }
  let m = pattern(str);
  if (m === undefined) return str;
  while (m !== undefined && (limit === undefined || count < limit)) {
    result += str.substring(position, m.start);
    const r =
      typeof replacer === 'function' && !replacer._jsonata_lambda
        ? replacer(m)
        : apply(replacer, [m], null, this.environment);
    if (typeof r !== 'string') throw jerr('D3012', { value: r });
    result += r;
    position = m.start + m.match.length;
    count++;
    if (result.length > state.maxOutput) checkLength(result.length);
    tick();
    m = m.next();
  }
  result += str.substring(position);
  checkLength(result.length);
  return result;
}

function substitute(replacement: string, m: any): string {
  let out = '';
  let position = 0;
  let index = replacement.indexOf('$', position);
  while (index !== -1 && position < replacement.length) {
    out += replacement.substring(position, index);
    position = index + 1;
    const c = replacement.charAt(position);
    if (c === '$') {
      out += '$';
      position++;
    } else if (c === '0') {
      out += m.match;
      position++;
    } else {
      const maxDigits = m.groups.length === 0 ? 1 : Math.floor(Math.log(m.groups.length) * Math.LOG10E) + 1;
      let gi = parseInt(replacement.substring(position, position + maxDigits), 10);
      if (maxDigits > 1 && gi > m.groups.length)
        gi = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
      if (!isNaN(gi)) {
        if (m.groups.length > 0) {
          const sub = m.groups[gi - 1];
          if (sub !== undefined) out += sub;
        }
        position += gi.toString().length;
      } else out += '$';
    }
    index = replacement.indexOf('$', position);
  }
  return out + replacement.substring(position);
}

function split(this: Focus, str: string | undefined, sep: any, limit?: number): any {
  if (str === undefined) return undefined;
  if (typeof sep !== 'string') sep = matcher(sep, this.environment);
  if (limit !== undefined && limit < 0) throw jerr('D3020', { value: limit, index: 3 });
  if (limit !== undefined) limit = Math.floor(limit);
  if (typeof sep === 'string') return splitByString(str, sep, limit);
  const result: string[] = [];
  let m = sep(str);
  if (m === undefined) return [str];
  let start = 0;
  let count = 0;
  while (m !== undefined && (limit === undefined || count < limit)) {
    result.push(str.substring(start, m.start));
    start = m.end;
    tick();
    m = m.next();
    count++;
  }
  if (limit === undefined || count < limit) result.push(str.substring(start));
  return result;
}

/**
 * `str.split(sep, limit)` (the same pieces, `limit` taken as `split` takes it: ToUint32), built a piece at a time and
 * counted against the budget: `split` itself is one native call, seconds long for ten million pieces.
 */
function splitByString(str: string, sep: string, limit?: number): string[] {
  const max = limit === undefined ? Infinity : limit >>> 0;
  const out: string[] = [];
  if (max === 0) return out;
  if (sep === '') {
    // UTF-16 code units, as `split('')`
    const n = Math.min(str.length, max);
    for (let from = 0; from < n; from += PACE_STRIDE) {
      const to = Math.min(n, from + PACE_STRIDE);
      for (let i = from; i < to; i++) out.push(str[i]);
      pace(to - from);
    }
    return out;
  }
  let start = 0;
  let index = str.indexOf(sep);
  while (index !== -1 && out.length < max) {
    out.push(str.substring(start, index));
    start = index + sep.length;
    pace(1);
    index = str.indexOf(sep, start);
  }
  if (out.length < max) out.push(str.substring(start));
  return out;
}

/**
 * `strs.join(sep)`, refused up front past the output limit (the length is counted before anything is built) and
 * joined a stride at a time with a look at the budget between strides (`join` is one native call).
 */
function join(strs?: string[], sep?: string): string | undefined {
  if (strs === undefined) return undefined;
  const separator = sep === undefined ? '' : sep;
  if (strs.length < LARGE_VALUE) {
    const r = strs.join(separator);
    checkLength(r.length);
    return r;
  }
  let length = separator.length * (strs.length - 1);
  for (let i = 0; i < strs.length; i++) {
    length += strs[i].length;
    if ((i & 4095) === 4095) pace(4096);
  }
  checkLength(length);
  let out = '';
  for (let from = 0; from < strs.length; from += PACE_STRIDE) {
    const to = Math.min(strs.length, from + PACE_STRIDE);
    out += (from === 0 ? '' : separator) + strs.slice(from, to).join(separator);
    pace(to - from);
  }
  return out;
}

/** JSONata's `$trim` whitespace: runs of space, tab, CR and LF. */
const WHITESPACE_RUNS = /[ \t\n\r]+/gm;
const isWhitespace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Runs of whitespace collapsed to one space, a stride of the string at a time (a stride ends before a non-space, so
 * no run is cut in two) with a look at the budget between strides: one `replace` over ten million characters with
 * millions of runs took seconds.
 */
function collapseWhitespace(s: string): string {
  if (s.length < PACE_STRIDE) return s.replace(WHITESPACE_RUNS, ' ');
  const parts: string[] = [];
  let from = 0;
  while (from < s.length) {
    let to = Math.min(s.length, from + PACE_STRIDE);
    while (to < s.length && isWhitespace(s.charCodeAt(to))) to++;
    parts.push(s.slice(from, to).replace(WHITESPACE_RUNS, ' '));
    pace(to - from);
    from = to;
  }
  return parts.join('');
}

function match(this: Focus, str: string | undefined, regex: any, limit?: number): any {
  if (str === undefined) return undefined;
  regex = matcher(regex, this.environment);
  if (limit !== undefined && limit < 0) throw jerr('D3040', { value: limit, index: 3 });
  const result = seq();
  if (limit === undefined || limit > 0) {
    let count = 0;
    let m = regex(str);
    while (m !== undefined && (limit === undefined || count < limit)) {
      result.push({ match: m.match, index: m.start, groups: m.groups });
      tick();
      m = m.next();
      count++;
    }
  }
  return result;
}

function url(name: string, f: (s: string) => string): (s: string | undefined) => string | undefined {
  return (s) => {
    if (s === undefined) return undefined;
    try {
      return f(s);
    } catch {
      throw jerr('D3140', { value: s, functionName: name });
    }
  };
}

export const stringFunctions: NativeFn[] = [
  native(
    'string',
    '<x-b?:s>',
    function (arg: any, prettify?: boolean) {
      const s = stringify(arg, !!prettify);
      if (s !== undefined) checkLength(s.length);
      return s;
    },
    1,
  ),
  native('substring', '<s-nn?:s>', substring),
  native('substringBefore', '<s-s:s>', (str?: string, c?: string) => {
    if (str === undefined) return undefined;
    const p = str.indexOf(c as string);
    return p > -1 ? str.substring(0, p) : str;
  }),
  native('substringAfter', '<s-s:s>', (str?: string, c?: string) => {
    if (str === undefined) return undefined;
    const p = str.indexOf(c as string);
    return p > -1 ? str.substring(p + (c as string).length) : str;
  }),
  native('lowercase', '<s-:s>', (s?: string) => (s === undefined ? undefined : s.toLowerCase())),
  native('uppercase', '<s-:s>', (s?: string) => (s === undefined ? undefined : s.toUpperCase())),
  native('length', '<s-:n>', (s?: string) => (s === undefined ? undefined : codePointLength(s))),
  native('trim', '<s-:s>', (s?: string) => {
    if (s === undefined) return undefined;
    let r = collapseWhitespace(s);
    if (r.charAt(0) === ' ') r = r.substring(1);
    if (r.charAt(r.length - 1) === ' ') r = r.substring(0, r.length - 1);
    return r;
  }),
  native('pad', '<s-ns?:s>', (str?: string, width?: number, ch?: string) => {
    if (str === undefined) return undefined;
    if (ch === undefined || ch.length === 0) ch = ' ';
    const padLength = Math.abs(width as number) - codePointLength(str);
    if (padLength <= 0) return str;
    checkLength(padLength + str.length);
    // the padding is the first floor(padLength) characters of the pad string repeated: whole copies and the start
    // of one more, their UTF-16 length checked before anything is built (a pad character outside the BMP is two
    // units: built first and split into an array of characters, ten million of them took 15 s before the check)
    const perCopy = codePointLength(ch);
    const wanted = Math.floor(padLength);
    const copies = Math.floor(wanted / perCopy);
    const rest = unitsOfFirst(ch, wanted - copies * perCopy);
    checkLength(str.length + copies * ch.length + rest);
    const padding = ch.repeat(copies) + ch.slice(0, rest);
    return (width as number) > 0 ? str + padding : padding + str;
  }),
  native('contains', '<s-(sf):b>', function (this: Focus, str?: string, token?: any) {
    if (str === undefined || token === undefined) return undefined;
    return typeof token === 'string' ? str.indexOf(token) !== -1 : matcher(token, this.environment)(str) !== undefined;
  }),
  native('split', '<s-(sf)n?:a<s>>', split),
  native('join', '<a<s>s?:s>', join),
  native('match', '<s-f<s:o>n?:a<o>>', match),
  native('replace', '<s-(sf)(sf)n?:s>', replaceFn),
  native('base64encode', '<s-:s>', (s?: string) =>
    s === undefined ? undefined : Buffer.from(s, 'binary').toString('base64'),
  ),
  native('base64decode', '<s-:s>', (s?: string) =>
    s === undefined ? undefined : Buffer.from(s, 'base64').toString('binary'),
  ),
  native('encodeUrlComponent', '<s-:s>', url('encodeUrlComponent', encodeURIComponent)),
  native('encodeUrl', '<s-:s>', url('encodeUrl', encodeURI)),
  native('decodeUrlComponent', '<s-:s>', url('decodeUrlComponent', decodeURIComponent)),
  native('decodeUrl', '<s-:s>', url('decodeUrl', decodeURI)),
];
