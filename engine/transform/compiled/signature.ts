/* eslint-disable @typescript-eslint/no-explicit-any */
/** Function signatures (`<s-n?:s>`): parsing and argument validation with context substitution. */
import { jerr } from './errors.js';
import { pace } from './guards.js';

interface Param {
  regex: string;
  type: string;
  context?: boolean;
  contextRegex?: RegExp;
  subtype?: string;
  array?: boolean;
}

export interface Signature {
  definition: string;
  validate(args: any[], context: any): any[];
  /**
   * Whether `count` (at most 3) arguments pass unchanged (each of an accepted type, no context substitution,
   * wrapping or omission to fill): then `validate` would return them as they are.
   */
  passes(count: number, a0: any, a1: any, a2: any): boolean;
}

const ARRAY_TYPES: Record<string, string> = {
  a: 'arrays',
  b: 'booleans',
  f: 'functions',
  n: 'numbers',
  o: 'objects',
  s: 'strings',
};

function symbolOf(value: any): string {
  if (value === undefined) return 'm';
  if (
    typeof value === 'function' ||
    (value !== null && typeof value === 'object' && (value._jsonata_lambda || value._jsonata_function))
  )
    return 'f';
  switch (typeof value) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'object':
      if (value === null) return 'l';
      return Array.isArray(value) ? 'a' : 'o';
    default:
      return 'm';
  }
}

/** `symbolOf` as a bit, for the validation fast path (one mask test per argument). */
const BITS: Record<string, number> = { s: 1, n: 2, b: 4, l: 8, o: 16, a: 32, f: 64, m: 128 };

function typeBit(value: any): number {
  switch (typeof value) {
    case 'string':
      return 1;
    case 'number':
      return 2;
    case 'boolean':
      return 4;
    case 'function':
      return 64;
    case 'object':
      if (value === null) return 8;
      if (value._jsonata_lambda || value._jsonata_function) return 64;
      return Array.isArray(value) ? 32 : 16;
    default:
      return 128;
  }
}

function closing(sig: string, start: number, open: string, close: string): number {
  let depth = 1;
  let pos = start;
  while (pos < sig.length) {
    pos++;
    const c = sig[pos];
    if (c === close) {
      depth--;
      if (depth === 0) break;
    } else if (c === open) depth++;
  }
  return pos;
}

export function parseSignature(signature: string, offset = 0): Signature {
  const params: Param[] = [];
  let param: Partial<Param> = {};
  let prev: Partial<Param> = param;
  const next = () => {
    params.push(param as Param);
    prev = param;
    param = {};
  };
  for (let position = 1; position < signature.length; position++) {
    const symbol = signature[position];
    if (symbol === ':') break;
    switch (symbol) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
      case 'o':
        param.regex = '[' + symbol + 'm]';
        param.type = symbol;
        next();
        break;
      case 'a':
        param.regex = '[asnblfom]';
        param.type = symbol;
        param.array = true;
        next();
        break;
      case 'f':
        param.regex = 'f';
        param.type = symbol;
        next();
        break;
      case 'j':
        param.regex = '[asnblom]';
        param.type = symbol;
        next();
        break;
      case 'x':
        param.regex = '[asnblfom]';
        param.type = symbol;
        next();
        break;
      case '-':
        prev.context = true;
        prev.contextRegex = new RegExp(prev.regex as string);
        prev.regex += '?';
        break;
      case '?':
      case '+':
        prev.regex += symbol;
        break;
      case '(': {
        const end = closing(signature, position, '(', ')');
        const choice = signature.substring(position + 1, end);
        if (choice.includes('<')) throw jerr('S0402', { value: choice, position: offset + position });
        param.regex = '[' + choice + 'm]';
        param.type = '(' + choice + ')';
        position = end;
        next();
        break;
      }
      case '<': {
        if (prev.type === 'a' || prev.type === 'f') {
          const end = closing(signature, position, '<', '>');
          prev.subtype = signature.substring(position + 1, end);
          position = end;
        } else throw jerr('S0401', { value: prev.type, position: offset + position });
        break;
      }
    }
  }
  const regex = new RegExp('^' + params.map((p) => '(' + p.regex + ')').join('') + '$');

  function fail(args: any[], supplied: string): never {
    let pattern = '^';
    let goodTo = 0;
    for (const p of params) {
      pattern += p.regex;
      const m = supplied.match(pattern);
      if (m === null) throw jerr('T0410', { value: args[goodTo], index: goodTo + 1 });
      goodTo = m[0].length;
    }
    throw jerr('T0410', { value: args[goodTo], index: goodTo + 1 });
  }

  // Fast path: one argument per parameter, each of an accepted type that needs no wrapping or element check.
  const accepted = params.map((p) => {
    const m = /^\[([a-z]+)\]\??$|^(f)\??$/.exec(p.regex);
    if (!m || (p.subtype !== undefined && p.type !== 'a')) return undefined;
    let mask = 0;
    for (const c of (m[1] ?? m[2]).replace('m', '')) mask |= BITS[c];
    // an `a` parameter takes arrays only on this path (a single value is wrapped by the general one)
    return p.type === 'a' ? mask & BITS.a : mask;
  });
  const simple = accepted.every((a) => a !== undefined);
  // parameters that may be left out without context substitution (trailing optional ones)
  const omittable = params.map((p) => p.regex.endsWith('?') && !p.context);
  const matches = new Map<string, RegExpExecArray | null>();
  /** Supplied-type strings for which the arguments pass through unchanged (no context, wrapping or subtype check). */
  const identity = new Set<string>();
  /** Argument `i` is of an accepted type that needs no wrapping (and its items of the subtype). */
  const accepts = (i: number, arg: any): boolean => {
    if (((accepted[i] as number) & typeBit(arg)) === 0) return false;
    const subtype = params[i].subtype;
    if (subtype !== undefined && arg.length > 0)
      for (let k = 0; k < arg.length; k++) {
        if (symbolOf(arg[k]) !== subtype[0]) return false;
        if ((k & 4095) === 4095) pace(4096);
      }
    return true;
  };
  return {
    definition: signature,
    passes(count: number, a0: any, a1: any, a2: any): boolean {
      if (!simple || count > params.length) return false;
      for (let i = 0; i < params.length; i++) {
        if (i >= count) {
          if (!omittable[i]) return false;
        } else if (!accepts(i, i === 0 ? a0 : i === 1 ? a1 : a2)) return false;
      }
      return true;
    },
    validate(args: any[], context: any): any[] {
      if (simple && args.length <= params.length) {
        let ok = true;
        for (let i = 0; i < params.length && ok; i++) ok = i >= args.length ? omittable[i] : accepts(i, args[i]);
        if (ok) return args;
      }
      let supplied = '';
      for (let i = 0; i < args.length; i++) supplied += symbolOf(args[i]);
      if (identity.has(supplied)) return args;
      let valid = matches.get(supplied);
      if (valid === undefined) {
        valid = regex.exec(supplied);
        if (matches.size < 256) {
          matches.set(supplied, valid);
          if (
            valid &&
            params.every(
              (p, i) =>
                valid![i + 1].length === 1 && p.subtype === undefined && !(p.type === 'a' && valid![i + 1] !== 'a'),
            )
          ) {
            identity.add(supplied);
          }
        }
      }
      if (!valid) fail(args, supplied);
      const out: any[] = [];
      let argIndex = 0;
      params.forEach((p, index) => {
        let arg = args[argIndex];
        const match = valid[index + 1];
        if (match === '') {
          if (p.context && p.contextRegex) {
            if (p.contextRegex.test(symbolOf(context))) out.push(context);
            else throw jerr('T0411', { value: context, index: argIndex + 1 });
          } else {
            out.push(arg);
            argIndex++;
          }
          return;
        }
        for (const single of match) {
          if (p.type === 'a') {
            if (single === 'm') {
              out.push(undefined);
              argIndex++;
            } else {
              arg = args[argIndex];
              let ok = true;
              if (p.subtype !== undefined) {
                if (single !== 'a' && match !== p.subtype) ok = false;
                else if (single === 'a' && arg.length > 0) {
                  const itemType = symbolOf(arg[0]);
                  if (itemType !== p.subtype[0]) ok = false;
                  else
                    ok = arg.every((v: any, k: number) => {
                      if ((k & 4095) === 4095) pace(4096);
                      return symbolOf(v) === itemType;
                    });
                }
                if (!ok) throw jerr('T0412', { value: arg, index: argIndex + 1, type: ARRAY_TYPES[p.subtype] });
              }
              if (single !== 'a') arg = [arg];
              out.push(arg);
              argIndex++;
            }
          } else {
            out.push(args[argIndex]);
            argIndex++;
          }
        }
      });
      return out;
    },
  };
}
