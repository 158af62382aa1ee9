/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * String functions: $string, $substring*, case, $length, $trim, $pad, $contains, $split, $join, $match, $replace,
 * URL/base64.
 */
import { jerr } from '../errors.js';
import type { Focus, NativeFn } from '../runtime.js';
import { apply } from '../runtime.js';
import { checkLength, state, tick } from '../guards.js';
import { seq, stringify } from '../sequence.js';
import { native } from './registry.js';

const SURROGATE = /[\uD800-\uDFFF]/;
const chars = (s: string): string[] => (SURROGATE.test(s) ? Array.from(s) : s.split(''));

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

export function substring(str: string | undefined, start: number, length?: number): string | undefined {
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
  const arr = chars(str);
  const n = arr.length;
  if (n + start < 0) start = 0;
  if (length !== undefined) {
    if (length <= 0) return '';
    const end = start >= 0 ? start + length : n + start + length;
    return arr.slice(start, end).join('');
  }
  return arr.slice(start).join('');
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
  if (typeof sep === 'string') return str.split(sep, limit);
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
  native('length', '<s-:n>', (s?: string) =>
    s === undefined ? undefined : SURROGATE.test(s) ? Array.from(s).length : s.length,
  ),
  native('trim', '<s-:s>', (s?: string) => {
    if (s === undefined) return undefined;
    let r = s.replace(/[ \t\n\r]+/gm, ' ');
    if (r.charAt(0) === ' ') r = r.substring(1);
    if (r.charAt(r.length - 1) === ' ') r = r.substring(0, r.length - 1);
    return r;
  }),
  native('pad', '<s-ns?:s>', (str?: string, width?: number, ch?: string) => {
    if (str === undefined) return undefined;
    if (ch === undefined || ch.length === 0) ch = ' ';
    const padLength = Math.abs(width as number) - chars(str).length;
    if (padLength <= 0) return str;
    checkLength(padLength + str.length);
    // only as many copies of a long pad string as the result needs (not padLength copies: a RangeError, not a guard)
    const perCopy = ch.length === 1 ? 1 : chars(ch).length;
    let padding = ch.repeat(Math.min(Math.floor(padLength), Math.ceil(padLength / perCopy)));
    if (ch.length > 1) padding = substring(padding, 0, padLength) as string;
    return (width as number) > 0 ? str + padding : padding + str;
  }),
  native('contains', '<s-(sf):b>', function (this: Focus, str?: string, token?: any) {
    if (str === undefined || token === undefined) return undefined;
    return typeof token === 'string' ? str.indexOf(token) !== -1 : matcher(token, this.environment)(str) !== undefined;
  }),
  native('split', '<s-(sf)n?:a<s>>', split),
  native('join', '<a<s>s?:s>', (strs?: string[], sep?: string) => {
    if (strs === undefined) return undefined;
    const r = strs.join(sep === undefined ? '' : sep);
    checkLength(r.length);
    return r;
  }),
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
