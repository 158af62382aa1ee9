/* eslint-disable @typescript-eslint/no-explicit-any */
/** Compiles function calls, partial application, lambdas (with tail calls), `~>` and transform `|…|…|`. */
import type { Node } from './ast.js';
import type { Compile } from './compile-path.js';
import { JsonataError, jerr } from './errors.js';
import type { Env, Ev, Focus, Lambda, NativeFn } from './runtime.js';
import { apply, applyFirst, arityOf, callJs, Frame, isLambda, Thunk, trampoline } from './runtime.js';
import { counted, state } from './guards.js';
import { scope } from './compile-ops.js';
import { LIBRARY } from './library.js';
import type { Signature } from './signature.js';

/** Shared with compiler.ts: static nesting depth of the node being compiled. */
export const nesting = { depth: 0 };
import { assignOwn } from './own-keys.js';
import { isFunction, normalise, normalising } from './sequence.js';
import { parseSignature } from './signature.js';

const PLACEHOLDER = Symbol('partial-placeholder');

export function procName(node: Node): any {
  return node.procedure.type === 'path' ? node.procedure.steps[0].value : node.procedure.value;
}

function forgotDollar(node: Node, proc: any, env: Env, code: string): void {
  if (proc === undefined && node.procedure.type === 'path' && env.lookup(node.procedure.steps[0].value) !== undefined) {
    throw jerr(code, { position: node.position, token: node.procedure.steps[0].value });
  }
}

/** Calls a native implementation with its validated arguments, spread for the usual counts (no `apply`). */
export function callNative(fn: NativeFn, focus: Focus | undefined, v: any[]): any {
  // a leaf library function does not read `this` (usesFocus is false)
  const impl = fn.implementation as (...a: any[]) => any;
  switch (v.length) {
    case 0:
      return counted(impl.call(focus as Focus));
    case 1:
      return counted(impl.call(focus as Focus, v[0]));
    case 2:
      return counted(impl.call(focus as Focus, v[0], v[1]));
    case 3:
      return counted(impl.call(focus as Focus, v[0], v[1], v[2]));
    default:
      return counted(impl.apply(focus as Focus, v));
  }
}

/**
 * The library function a call names, when the name is free in a self-contained expression: it can then only come
 * from the evaluation's bindings (checked at each call: a binding of that name wins) or the library.
 */
export function staticNative(node: Node): NativeFn | undefined {
  const proc = node.procedure;
  if (proc.type !== 'variable' || proc.predicate || proc.group || proc.keepArray) return undefined;
  if (scope.bound === null || scope.bound.has(proc.value)) return undefined;
  return LIBRARY.get(proc.value);
}

/** A native that calls no function argument (no `f` in its signature) cannot nest calls: no depth bookkeeping. */
export function isLeaf(fn: NativeFn): boolean {
  return fn.name !== 'eval' && fn.signature !== undefined && !fn.signature.definition.includes('f');
}

/**
 * Calls any function value with evaluated arguments at a call site of static depth `cost` (the general call, also
 * made by generated code): the depth counted for the call, errors located at the call site.
 */
export function invoke(fn: any, values: any[], input: any, env: Env, cost: number, position: any, name: any): any {
  if ((state.depth += cost) >= state.maxDepth) throw jerr('U1001', { position, token: name });
  const isObject = fn !== null && typeof fn === 'object';
  if (isObject) fn.position = position;
  try {
    let result: any;
    try {
      if (isObject && fn._jsonata_function === true) {
        // library function: validate and call directly (only lambdas can return tail calls)
        const validated = fn.signature ? fn.signature.validate(values, input) : values;
        return callNative(fn, fn.usesFocus ? { input, environment: env } : undefined, validated);
      }
      // a binding function (`$lookup`, `$xref` in specs) cannot return a tail call: no trampoline
      if (typeof fn === 'function') return callJs(fn, values, input, env);
      result = applyFirst(fn, values, input, env);
    } catch (e) {
      // a RangeError (stack overflow) goes up as is: the evaluation is retried on a larger stack. As in jsonata-js,
      // an error escaping a library function or lambda takes the position of the call that last called that
      // function (`$map(a, function($v) { $v + "x" })` fails at `$map(`; in `$map(a, function($v) { $map(…) })` at
      // the inner `$map(`: jsonata-js's `proc.position`); a binding's JS function keeps an inner position.
      if (e instanceof JsonataError) e.locate(isObject ? fn.position : position, name, isObject);
      throw e;
    }
    if (!(result instanceof Thunk)) return result;
    try {
      // the lambda's tail calls: an error there keeps the position of the tail call it escaped (runtime.ts)
      return trampoline(result, input, env);
    } catch (e) {
      if (e instanceof JsonataError) e.locate(position, name);
      throw e;
    }
  } finally {
    state.depth -= cost;
  }
}

export function compileFunction(
  node: Node,
  compile: Compile,
  withContext = false,
): (input: any, env: Env, ctx?: any) => any {
  const proc = compile(node.procedure);
  const args: Ev[] = node.arguments.map((a: Node) => compile(a));
  const name = procName(node);
  const position = node.position;
  const cost = nesting.depth;
  const offset = withContext ? 1 : 0;
  const count = args.length + offset;
  const general = (input: any, env: Env, ctx?: any): any => {
    const fn = proc(input, env);
    if (fn === undefined) forgotDollar(node, fn, env, 'T1005');
    const values: any[] = new Array(count);
    if (withContext) values[0] = ctx;
    for (let k = 0; k < args.length; k++) values[k + offset] = args[k](input, env);
    return invoke(fn, values, input, env, cost, position, name);
  };
  const fn = staticNative(node);
  if (fn === undefined || fn.usesFocus || !isLeaf(fn)) return general;
  // a leaf library function named directly: no lookup, and the depth check without the bookkeeping (it calls nothing)
  const signature = fn.signature as Signature;
  const fnName: string = node.procedure.value;
  // a leaf library function does not read `this` (usesFocus is false)
  const impl = fn.implementation as (...a: any[]) => any;
  const located = (e: unknown): never => {
    if (e instanceof JsonataError) e.locate(position, name, true); // as invoke: the library call's position
    throw e;
  };
  const seqOut = (r: any): any => (Array.isArray(r) && (r as any).sequence === true ? normalise(r, false) : r);
  // up to three arguments (the usual calls): evaluated into locals and passed on as they are when the signature
  // passes them unchanged, else validated as an array as any call is
  if (!withContext && count <= 3) {
    const [e0, e1, e2] = args;
    return normalising((input: any, env: Env) => {
      const globals = env.globals;
      if (globals === undefined || globals.binds(fnName)) return normalise(general(input, env), false);
      const a0 = count > 0 ? (e0 as Ev)(input, env) : undefined;
      const a1 = count > 1 ? (e1 as Ev)(input, env) : undefined;
      const a2 = count > 2 ? (e2 as Ev)(input, env) : undefined;
      if (state.depth + cost >= state.maxDepth) throw jerr('U1001', { position, token: name });
      let r: any;
      try {
        if (signature.passes(count, a0, a1, a2))
          r = counted(count === 0 ? impl() : count === 1 ? impl(a0) : count === 2 ? impl(a0, a1) : impl(a0, a1, a2));
        else r = callNative(fn, undefined, signature.validate([a0, a1, a2].slice(0, count), input));
      } catch (e) {
        located(e);
      }
      return seqOut(r);
    });
  }
  // the result is normalised here, not by a wrapper
  return normalising((input: any, env: Env, ctx?: any) => {
    const globals = env.globals;
    if (globals === undefined || globals.binds(fnName)) return normalise(general(input, env, ctx), false);
    const values: any[] = new Array(count);
    if (withContext) values[0] = ctx;
    for (let k = 0; k < args.length; k++) values[k + offset] = args[k](input, env);
    if (state.depth + cost >= state.maxDepth) throw jerr('U1001', { position, token: name });
    let r: any;
    try {
      r = callNative(fn, undefined, signature.validate(values, input));
    } catch (e) {
      located(e);
    }
    return seqOut(r);
  });
}

function compileTailCall(node: Node, compile: Compile): Ev {
  const call = node.body;
  const proc = compile(call.procedure);
  const args: Ev[] = call.arguments.map((a: Node) => compile(a));
  return (input, env) => new Thunk(proc, args, input, env, call);
}

export function compileLambda(node: Node, compile: Compile): Ev {
  if (node.thunk) return compileTailCall(node, compile);
  const saved = nesting.depth;
  nesting.depth = 0;
  const body = compile(node.body);
  nesting.depth = saved;
  const params: Node[] = node.arguments;
  const signature = node.signature;
  return (input, env): Lambda => ({
    _jsonata_lambda: true,
    input,
    environment: env,
    arguments: params,
    signature,
    body,
    arity: params.length,
    position: undefined,
  });
}

function partialLambda(fn: any, values: any[], env: Env): Lambda {
  if (isLambda(fn)) {
    const frame = new Frame(fn.environment);
    const unbound: Node[] = [];
    fn.arguments.forEach((param, index) => {
      const arg = values[index];
      if (arg === PLACEHOLDER) unbound.push(param);
      else frame.bind(param.value, arg);
    });
    return {
      _jsonata_lambda: true,
      input: fn.input,
      environment: frame,
      arguments: unbound,
      signature: fn.signature,
      body: fn.body,
      arity: unbound.length,
      position: undefined,
    };
  }
  const n = Math.max(values.length, arityOf(fn._jsonata_function ? fn.implementation : fn));
  const frame = new Frame(env);
  const unbound: Node[] = [];
  const names: string[] = [];
  for (let k = 0; k < n; k++) {
    const pname = '\u0001arg' + k;
    names.push(pname);
    const arg = values[k];
    if (arg === PLACEHOLDER) unbound.push({ type: 'variable', value: pname });
    else frame.bind(pname, arg);
  }
  const body: Ev = (input, e) => {
    const args = names.map((p) => e.lookup(p));
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return apply(fn, args, input, e);
  };
  return {
    _jsonata_lambda: true,
    input: undefined,
    environment: frame,
    arguments: unbound,
    body,
    arity: unbound.length,
    position: undefined,
  };
}

export function compilePartial(node: Node, compile: Compile): Ev {
  const proc = compile(node.procedure);
  const args: (Ev | null)[] = node.arguments.map((a: Node) =>
    a.type === 'operator' && a.value === '?' ? null : compile(a),
  );
  return (input, env) => {
    const values = args.map((a) => (a === null ? PLACEHOLDER : a(input, env)));
    const fn = proc(input, env);
    forgotDollar(node, fn, env, 'T1007');
    if (!isFunction(fn)) throw jerr('T1008', { position: node.position, token: procName(node) });
    return partialLambda(fn, values, env);
  };
}

let chain: Ev | undefined;

export function compileApply(node: Node, compile: Compile): Ev {
  const lhs = compile(node.lhs);
  if (node.rhs.type === 'function') {
    const call = compileFunction(node.rhs, compile, true);
    return (input, env) => call(input, env, lhs(input, env));
  }
  const rhs = compile(node.rhs);
  return (input, env) => {
    const l = lhs(input, env);
    const fn = rhs(input, env);
    if (!isFunction(fn)) throw jerr('T2006', { position: node.position, value: fn });
    if (isFunction(l)) {
      const composed: Lambda = {
        _jsonata_lambda: true,
        input: null,
        environment: env,
        arguments: [{ type: 'variable', value: 'x' }],
        arity: 1,
        body: (_i, e) => apply(fn, [apply(l, [e.lookup('x')], null, e)], null, e),
        position: undefined,
      };
      void chain;
      return composed;
    }
    return apply(fn, [l], null, env);
  };
}

const TRANSFORM_SIG = parseSignature('<(oa):o>');

export function compileTransform(node: Node, compile: Compile): Ev {
  const pattern = compile(node.pattern);
  const update = compile(node.update);
  const del = node.delete !== undefined ? compile(node.delete) : undefined;
  return (_input, env) => ({
    _jsonata_function: true,
    usesFocus: false,
    name: 'transform',
    signature: TRANSFORM_SIG,
    arity: 1,
    position: undefined,
    implementation(obj: any): any {
      if (obj === undefined) return undefined;
      const clone = env.lookup('clone');
      if (!isFunction(clone)) throw jerr('T2013', { position: node.position });
      const result = apply(clone, [obj], null, env);
      let matches = pattern(result, env);
      if (matches === undefined) return result;
      if (!Array.isArray(matches)) matches = [matches];
      for (const match of matches) {
        const upd = update(match, env);
        if (upd !== undefined) {
          if (typeof upd !== 'object' || upd === null || Array.isArray(upd))
            throw jerr('T2011', { position: node.update.position, value: upd });
          assignOwn(match, upd);
        }
        if (del) {
          let deletions = del(match, env);
          if (deletions !== undefined) {
            const val = deletions;
            if (!Array.isArray(deletions)) deletions = [deletions];
            if (!deletions.every((d: any) => typeof d === 'string'))
              throw jerr('T2012', { position: node.delete.position, value: val });
            if (typeof match === 'object' && match !== null) for (const d of deletions) delete match[d];
          }
        }
      }
      return result;
    },
  });
}
