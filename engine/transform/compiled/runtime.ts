/* eslint-disable @typescript-eslint/no-explicit-any */
/** Evaluation state shared by compiled closures: environments, guards (depth/time/output), function application. */
import type { Node } from './ast.js';
import { jerr, JsonataError } from './errors.js';
import { counted, tick } from './guards.js';
import { isFunction } from './sequence.js';
import type { Signature } from './signature.js';

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** A variable scope: bindings plus the enclosing scope; a name bound here (even to undefined) shadows outer ones. */
export class Frame {
  /** Small scopes (the norm) keep names and values in parallel arrays; `table` serves the library's root scope. */
  private names: string[] | undefined;
  private values: any[] | undefined;
  /**
   * The caller's bindings object, read in place by the evaluation's bindings scope (its own keys, after the names
   * bound in the scope itself: `$` and top-level `:=`), so an evaluation does not copy it.
   */
  private bindings: Record<string, unknown> | undefined;
  /** The evaluation's bindings scope (the child of the library scope) this frame descends from. */
  readonly globals: Frame | undefined;
  constructor(
    readonly parent?: Frame,
    private readonly table?: Map<string, any>,
  ) {
    this.globals = parent === undefined ? undefined : (parent.globals ?? this);
  }
  lookup(name: string): any {
    const names = this.names;
    if (names !== undefined) {
      for (let i = names.length - 1; i >= 0; i--) if (names[i] === name) return (this.values as any[])[i];
    }
    const bindings = this.bindings;
    if (bindings !== undefined && hasOwnProperty.call(bindings, name)) return bindings[name];
    if (this.table !== undefined) return this.table.get(name);
    return this.parent === undefined ? undefined : this.parent.lookup(name);
  }
  /** Whether this scope itself binds `name` (not its parents). */
  binds(name: string): boolean {
    const names = this.names;
    if (names !== undefined) for (let i = 0; i < names.length; i++) if (names[i] === name) return true;
    return this.bindings !== undefined && hasOwnProperty.call(this.bindings, name);
  }
  /** An evaluation's bindings scope: the caller's bindings (read in place) and the root context `$`. */
  static forEvaluation(parent: Frame, bindings: Record<string, unknown> | undefined, root: unknown): Frame {
    const frame = Frame.of(parent, ['$'], [root]);
    frame.bindings = bindings;
    return frame;
  }
  /** A scope binding `names` to `values` (parallel arrays the scope takes over; a repeated name: the last wins). */
  static of(parent: Frame, names: string[], values: any[]): Frame {
    const frame = new Frame(parent);
    frame.names = names;
    frame.values = values;
    return frame;
  }
  bind(name: string, value: any): void {
    if (this.names === undefined) {
      this.names = [name];
      this.values = [value];
      return;
    }
    const i = this.names.indexOf(name);
    if (i >= 0) (this.values as any[])[i] = value;
    else {
      this.names.push(name);
      (this.values as any[]).push(value);
    }
  }
}

export type Env = Frame;

/** A scope holding the bindings of a tuple (`@`, focus/index variables, parent labels). */
export function frameFromTuple(env: Env, tuple: any): Env {
  const frame = new Frame(env);
  for (const k in tuple) frame.bind(k, tuple[k]);
  return frame;
}
export type Ev = (input: any, env: Env) => any;

/** A native library function. `impl` receives validated arguments; `this` is the call focus. */
export interface NativeFn {
  _jsonata_function: true;
  name: string;
  implementation: (this: Focus, ...args: any[]) => any;
  signature?: Signature;
  arity: number;
  /** Whether the implementation reads `this` (the call focus); others are called without allocating one. */
  usesFocus: boolean;
  /** The position of the call that last called it (jsonata-js's `proc.position`: an error escaping it takes this). */
  position?: number;
}

export interface Focus {
  input: any;
  environment: Env;
}

/** A lambda value (also used for partial applications). */
export interface Lambda {
  _jsonata_lambda: true;
  input: any;
  environment: Env;
  arguments: Node[];
  signature?: Signature;
  body: Ev;
  arity: number;
  /** The position of the call that last called it (see NativeFn). */
  position?: number;
}

/** A pending tail call, trampolined by `apply`. */
export class Thunk {
  constructor(
    readonly proc: Ev,
    readonly args: Ev[],
    readonly input: any,
    readonly env: Env,
    readonly node: Node,
  ) {}
}

export function isLambda(v: any): v is Lambda {
  return v !== null && typeof v === 'object' && v._jsonata_lambda === true;
}

export function arityOf(f: any): number {
  if (typeof f === 'function') return typeof f.arity === 'number' ? f.arity : f.length;
  if (f && typeof f.arity === 'number') return f.arity;
  return 0;
}

/** Wraps a JSONata function so plain JS code (binding functions) can call it. */
function wrapForJs(f: any, env: Env): any {
  if (typeof f === 'function' || !isFunction(f)) return f;
  const w: any = (...params: any[]) => apply(f, params, null, env);
  w.arity = arityOf(f);
  return w;
}

/** Calls a JS function (a binding) with the call focus as `this`, as jsonata-js does. */
export function callJs(proc: (...args: any[]) => any, args: any[], input: any, env: Env): any {
  // JSONata functions passed to a JS function are wrapped so it can call them (rare: copy only then)
  let jsArgs = args;
  for (let i = 0; i < args.length; i++)
    if (args[i] !== null && typeof args[i] === 'object' && isFunction(args[i])) {
      jsArgs = args.map((a) => wrapForJs(a, env));
      break;
    }
  return proc.apply({ input, environment: env }, jsArgs);
}

function applyInner(proc: any, args: any[], input: any, env: Env): any {
  try {
    if (isLambda(proc)) {
      const validated = proc.signature ? proc.signature.validate(args, input) : args;
      return invokeLambda(proc, validated);
    }
    if (proc && proc._jsonata_function === true) {
      const validated = proc.signature ? proc.signature.validate(args, input) : args;
      return counted(proc.implementation.apply({ input, environment: env }, validated));
    }
    if (typeof proc === 'function') return callJs(proc, args, input, env);
    throw jerr('T1006', {});
  } catch (e) {
    if (e instanceof JsonataError && proc && typeof proc === 'object') {
      if (e.token === undefined && proc.token !== undefined) (e as any).token = proc.token;
    }
    throw e;
  }
}

function invokeLambda(proc: Lambda, args: any[]): any {
  tick();
  // the parameters' scope is built in one go: two arrays of the right size, no growing
  const params = proc.arguments;
  const names: string[] = new Array(params.length);
  const values: any[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) {
    names[i] = params[i].value;
    values[i] = args[i];
  }
  return proc.body(proc.input, Frame.of(proc.environment, names, values));
}

/** Applies any function value to arguments, trampolining tail calls. */
export function apply(proc: any, args: any[], input: any, env: Env): any {
  return trampoline(applyFirst(proc, args, input, env), input, env);
}

/** A function applied without following its tail calls: the result may be a Thunk. */
export function applyFirst(proc: any, args: any[], input: any, env: Env): any {
  return proc !== null && typeof proc === 'object' && proc._jsonata_lambda === true && proc.signature === undefined
    ? invokeLambda(proc, args)
    : applyInner(proc, args, input, env);
}

/** Follows tail calls until a value comes back. */
export function trampoline(first: any, input: any, env: Env): any {
  let result = first;
  while (result instanceof Thunk) {
    const t = result;
    const next = t.proc(t.input, t.env);
    const evaluated: any[] = [];
    for (const a of t.args) evaluated.push(a(t.input, t.env));
    // as jsonata-js: a tail call's function takes the position of its procedure (`$f` in `$f(x)`), and an error
    // escaping it takes that position
    const position = t.node.procedure?.position ?? t.node.position;
    if (next !== null && typeof next === 'object') next.position = position;
    try {
      result = applyInner(next, evaluated, input, env);
    } catch (e) {
      if (e instanceof JsonataError) e.locate(position, t.node.procedure?.value, true);
      throw e;
    }
  }
  return result;
}

/** Calls a function argument of a higher-order native with as many arguments as it declares. */
export function callHof(f: any, env: Env, value: any, index: any, all: any): any {
  const n = arityOf(f);
  return apply(f, n >= 3 ? [value, index, all] : n === 2 ? [value, index] : [value], null, env);
}
