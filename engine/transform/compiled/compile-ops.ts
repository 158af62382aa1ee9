/* eslint-disable @typescript-eslint/no-explicit-any */
/** Compiles operators and simple expressions: arithmetic, comparison, boolean, `&`, ranges, `in`, unary, blocks. */
import type { Node } from './ast.js';
import type { Compile } from './compile-path.js';
import { compileGroup } from './compile-group.js';
import { JsonataError, jerr } from './errors.js';
import type { Env, Ev } from './runtime.js';
import { Frame } from './runtime.js';
import { LARGE_VALUE, PACE_STRIDE, checkLength, pace } from './guards.js';
import { compileMatcher } from './regex/regex-matcher.js';
import { append, deepEqual, isFunction, isNumeric, seq, stringify, toBoolean } from './sequence.js';

export function locate<T>(fn: () => T, position: number | undefined, token: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof JsonataError) e.locate(position, token, true);
    throw e;
  }
}

export function numeric(op: string, position: number | undefined): (l: any, r: any) => any {
  // an infinite operand (D1001) fails at the operator, as in jsonata-js
  const numericAt = (v: any): boolean => locate(() => isNumeric(v), position, op);
  const check = (l: any, r: any): boolean => {
    if (l !== undefined && !numericAt(l)) throw jerr('T2001', { position, token: op, value: l });
    if (r !== undefined && !numericAt(r)) throw jerr('T2002', { position, token: op, value: r });
    return l !== undefined && r !== undefined;
  };
  switch (op) {
    case '+':
      return (l, r) =>
        typeof l === 'number' && typeof r === 'number' && isFinite(l) && isFinite(r)
          ? l + r
          : check(l, r)
            ? l + r
            : undefined;
    case '-':
      return (l, r) => (check(l, r) ? l - r : undefined);
    case '*':
      return (l, r) => (check(l, r) ? l * r : undefined);
    case '/':
      return (l, r) => (check(l, r) ? l / r : undefined);
    default:
      return (l, r) => (check(l, r) ? l % r : undefined);
  }
}

export function comparison(op: string, position: number | undefined): (l: any, r: any) => any {
  const cmp = (l: any, r: any): any => {
    const lt = typeof l;
    const rt = typeof r;
    const lc = lt === 'undefined' || lt === 'string' || lt === 'number';
    const rc = rt === 'undefined' || rt === 'string' || rt === 'number';
    if (!lc || !rc) throw jerr('T2010', { position, token: op, value: !(lt === 'string' || lt === 'number') ? l : r });
    if (lt === 'undefined' || rt === 'undefined') return undefined;
    if (lt !== rt) throw jerr('T2009', { position, token: op, value: l, value2: r });
    return true;
  };
  switch (op) {
    case '<':
      return (l, r) => cmp(l, r) && l < r;
    case '<=':
      return (l, r) => cmp(l, r) && l <= r;
    case '>':
      return (l, r) => cmp(l, r) && l > r;
    default:
      return (l, r) => cmp(l, r) && l >= r;
  }
}

function range(l: any, r: any, position: number | undefined): any {
  if (l !== undefined && !Number.isInteger(l)) throw jerr('T2003', { position, token: '..', value: l });
  if (r !== undefined && !Number.isInteger(r)) throw jerr('T2004', { position, token: '..', value: r });
  if (l === undefined || r === undefined || l > r) return undefined;
  const size = r - l + 1;
  if (size > 1e7) throw jerr('D2014', { position, token: '..', value: size });
  // refused before it is built when past the output limit; filled a stride at a time, looking at the clock between
  // strides (ten million items take one to two seconds on a loaded host)
  checkLength(size);
  const result: any = new Array(size);
  for (let from = 0; from < size; from += PACE_STRIDE) {
    const to = Math.min(size, from + PACE_STRIDE);
    for (let i = from; i < to; i++) result[i] = l + i;
    pace(to - from);
  }
  result.sequence = true;
  return result;
}

/** The right operand of `and`/`or` as a boolean; its errors take the operator's position (jsonata-js). */
function rightOperand(rhs: Ev, input: any, env: Env, position: number | undefined, op: string): boolean {
  try {
    return !!toBoolean(rhs(input, env));
  } catch (e) {
    if (e instanceof JsonataError) e.locate(position, op, true);
    throw e;
  }
}

export function compileBinary(node: Node, compile: Compile): Ev {
  const lhs = compile(node.lhs);
  const rhs = compile(node.rhs);
  const op: string = node.value;
  const pos = node.position;
  switch (op) {
    // an error in the right operand fails at the operator, as in jsonata-js
    case 'and':
      return (i, e) => !!toBoolean(lhs(i, e)) && rightOperand(rhs, i, e, pos, op);
    case 'or':
      return (i, e) => !!toBoolean(lhs(i, e)) || rightOperand(rhs, i, e, pos, op);
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const f = numeric(op, pos);
      return (i, e) => f(lhs(i, e), rhs(i, e));
    }
    case '=':
      return (i, e) => {
        const l = lhs(i, e);
        const r = rhs(i, e);
        return l !== undefined && r !== undefined && (l === r || deepEqual(l, r));
      };
    case '!=':
      return (i, e) => {
        const l = lhs(i, e);
        const r = rhs(i, e);
        return l !== undefined && r !== undefined && !deepEqual(l, r);
      };
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const f = comparison(op, pos);
      return (i, e) => f(lhs(i, e), rhs(i, e));
    }
    case '&':
      return (i, e) => {
        const l = lhs(i, e);
        const r = rhs(i, e);
        const s =
          (l === undefined ? '' : typeof l === 'string' ? l : (locate(() => stringify(l), pos, op) as string)) +
          (r === undefined ? '' : typeof r === 'string' ? r : (locate(() => stringify(r), pos, op) as string));
        if (s.length > 1_000_000) checkLength(s.length);
        return s;
      };
    case '..':
      return (i, e) => range(lhs(i, e), rhs(i, e), pos);
    case 'in':
      return (i, e) => {
        const l = lhs(i, e);
        let r = rhs(i, e);
        if (l === undefined || r === undefined) return false;
        if (!Array.isArray(r)) r = [r];
        for (let k = 0; k < r.length; k++) {
          if (r[k] === l) return true;
          if ((k & 4095) === 4095) pace(4096);
        }
        return false;
      };
    default:
      throw jerr('S0204', { position: pos, token: op });
  }
}

export function compileUnary(node: Node, compile: Compile): Ev {
  switch (node.value) {
    case '-': {
      const ev = compile(node.expression);
      return (i, e) => {
        const v = ev(i, e);
        if (v === undefined) return undefined;
        if (isNumeric(v)) return -v;
        throw jerr('D1002', { position: node.position, token: '-', value: v });
      };
    }
    case '[': {
      const items: { ev: Ev; nested: boolean }[] = node.expressions.map((x: Node) => ({
        ev: compile(x),
        nested: x.value === '[' && x.type === 'unary',
      }));
      const cons = !!node.consarray;
      return (i, e) => {
        let result: any = [];
        for (const item of items) {
          const v = item.ev(i, e);
          if (v === undefined) continue;
          if (item.nested) result.push(v);
          else if (Array.isArray(v)) {
            // counted before the copy: refused up front past the output limit, paced like any copy of items
            if (v.length >= LARGE_VALUE) {
              checkLength(result.length + v.length);
              pace(v.length);
            }
            result = append(result, v);
          } else result.push(v);
        }
        if (result.length >= LARGE_VALUE) checkLength(result.length);
        if (cons) Object.defineProperty(result, 'cons', { enumerable: false, configurable: false, value: true });
        return result;
      };
    }
    case '{':
      return compileGroup(node, compile);
    default:
      throw jerr('S0211', { position: node.position, token: node.value });
  }
}

export function compileCondition(node: Node, compile: Compile): Ev {
  const cond = compile(node.condition);
  const then = compile(node.then);
  const other = node.else !== undefined ? compile(node.else) : undefined;
  return (i, e) => (toBoolean(cond(i, e)) ? then(i, e) : other ? other(i, e) : undefined);
}

/**
 * Whether evaluating `node` may bind a variable in the current scope (`:=` or `$eval` outside nested blocks/lambdas).
 */
export function bindsInScope(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(bindsInScope);
  if (node === null || typeof node !== 'object' || node instanceof RegExp) return false;
  const n = node as Node;
  if (n.type === 'bind') return true;
  if (n.type === 'function' && n.procedure?.type === 'variable' && n.procedure.value === 'eval') return true;
  if (n.type === 'block' || n.type === 'lambda') return false;
  for (const k of Object.keys(n)) {
    if (k === 'slot' || k === 'ancestor' || k === 'seekingParent' || k === 'signature') continue;
    if (bindsInScope(n[k])) return true;
  }
  return false;
}

export function compileBlock(node: Node, compile: Compile): Ev {
  const exprs: Ev[] = node.expressions.map((x: Node) => compile(x));
  if (!node.expressions.some(bindsInScope)) {
    // nothing binds a variable: the block needs no scope of its own
    return (i, e) => {
      let r: any;
      for (let k = 0; k < exprs.length; k++) r = exprs[k](i, e);
      return r;
    };
  }
  return (i, e) => {
    const frame = new Frame(e);
    let r: any;
    for (let k = 0; k < exprs.length; k++) r = exprs[k](i, frame);
    return r;
  };
}

export function compileBind(node: Node, compile: Compile): Ev {
  const name = node.lhs.value;
  const rhs = compile(node.rhs);
  return (i, e) => {
    const v = rhs(i, e);
    e.bind(name, v);
    return v;
  };
}

export function compileWildcard(): Ev {
  return (input) => {
    const results: any[] = seq();
    if (Array.isArray(input) && (input as any).outerWrapper && input.length > 0) input = input[0];
    if (input !== null && typeof input === 'object' && !isFunction(input)) {
      for (const key of Object.keys(input)) {
        const v = input[key];
        if (Array.isArray(v)) {
          const flat: any[] = [];
          const rec = (a: any) => (Array.isArray(a) ? a.forEach(rec) : flat.push(a));
          rec(v);
          for (const f of flat) results.push(f);
        } else results.push(v);
      }
    }
    return results;
  };
}

function descend(input: any, out: any[]): void {
  if (!Array.isArray(input)) out.push(input);
  if (Array.isArray(input)) for (const m of input) descend(m, out);
  else if (input !== null && typeof input === 'object') for (const k of Object.keys(input)) descend(input[k], out);
}

export function compileDescendant(): Ev {
  return (input) => {
    if (input === undefined) return undefined;
    const out = seq();
    descend(input, out);
    return out.length === 1 ? out[0] : out;
  };
}

/** Names the expression being compiled may bind (`:=`, parameters, `@`/`#`); null when `$eval` could bind anything. */
export const scope: { bound: Set<string> | null; codegen: boolean } = { bound: null, codegen: false };

export function compileVariable(node: Node): Ev {
  const name: string = node.value;
  if (name === '') return (input) => (input && input.outerWrapper ? input[0] : input);
  // a name the expression never binds can only come from the evaluation's bindings or the library
  if (scope.bound !== null && !scope.bound.has(name)) return (_i, e: Env) => (e.globals ?? e).lookup(name);
  return (_i, e: Env) => e.lookup(name);
}

export function compileRegex(node: Node): Ev {
  // compiled once: the matcher keeps no state between calls (each call says where to search from)
  const matcher = compileMatcher(node.value);
  return () => matcher;
}
