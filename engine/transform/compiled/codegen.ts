/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Code generation for the hot shapes: field paths (with comparison and index predicates), object constructors with
 * constant keys, operators, conditions, blocks and calls of leaf library functions are compiled from the AST into one
 * JavaScript function per expression subtree (`new Function`, once per expression). Each node the generator does
 * not handle is compiled by the closure compiler and called from the generated code; each runtime case the generated
 * code does not handle (an array where the code expects one item, a library name taken by a binding, a tuple stream)
 * calls the closure compiled for that node. The generated code does what the closures do, step for step.
 *
 * Security: the source is built from the AST only. Names, strings and numbers of the expression enter it as JSON
 * literals (`literal`), every other value (functions, signatures, positions in error helpers) as an element of the
 * constants array; identifiers are generated (`v1`, `f2`, `k3`). Nothing of the input data is ever part of a source.
 */
import type { Node } from './ast.js';
import { callNative, isLeaf, nesting, procName, staticNative } from './compile-call.js';
import { bindsInScope, comparison, locate, numeric, scope } from './compile-ops.js';
import { compileFilter, isBooleanExpression, isNameStep, isPlainStep } from './compile-path.js';
import { instantiate } from './codegen-runtime.js';
import { LIBRARY } from './library.js';
import { JsonataError, jerr } from './errors.js';
import type { Ev, NativeFn } from './runtime.js';
import { isPlainName } from './own-keys.js';
import { isNumeric, lookup as lookupAll, stringify } from './sequence.js';
import type { Signature } from './signature.js';

interface Compilers {
  /** Compiles a node the generator does not handle (which may generate code for its own subtrees). */
  compile: (node: Node) => Ev;
  /** Compiles a node to closures (its children through `compile`): the fallback of generated code. */
  closure: (node: Node) => Ev;
}

/**
 * A JS literal for a string, a number, a boolean or null from the expression: `JSON.stringify` (with U+2028/U+2029
 * escaped too), so no text of the expression can end the literal. Undefined for anything else.
 */
export function literal(v: unknown): string | undefined {
  if (typeof v === 'string')
    return JSON.stringify(v)
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
  if (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0)) {
    const s = String(v);
    if (/^-?[0-9.e+-]+$/.test(s)) return `(${s})`;
  }
  if (v === true || v === false || v === null) return String(v);
  return undefined;
}

const GENERATED_BINARY = new Set(['and', 'or', '+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '&', 'in']);
/** An object constructor with constant, distinct keys, none of them special (`__proto__`, function markers). */
function hasPlainKeys(node: Node): boolean {
  const keys: string[] = [];
  for (const pair of node.lhs as Node[][]) {
    if (pair[0].type !== 'string') return false;
    keys.push(pair[0].value);
  }
  return (
    new Set(keys).size === keys.length &&
    keys.every((k) => k !== '__proto__' && k !== '_jsonata_lambda' && k !== '_jsonata_function')
  );
}

/** A path the generator handles: steps without sorting, tuples, array constructors or bindings; filter stages. */
function isGeneratedPath(node: Node): boolean {
  if (node.keepSingletonArray || node.group || node.tuple) return false;
  return node.steps.every(
    (s: Node) =>
      isPlainStep(s) && !s.tuple && (s.stages === undefined || s.stages.every((st: Node) => st.type === 'filter')),
  );
}

function handles(node: Node): boolean {
  if (node.predicate || node.keepArray) return false;
  if (node.type !== 'path' && node.group) return false;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'variable':
    case 'condition':
    case 'block':
    case 'bind':
      return true;
    case 'name':
      return isPlainName(node.value);
    case 'binary':
      return GENERATED_BINARY.has(node.value);
    case 'unary':
      return node.value === '-' || (node.value === '{' && hasPlainKeys(node));
    case 'function':
      return leafCall(node) !== undefined || iteration(node) !== undefined || isBindingName(node);
    case 'path':
      return isGeneratedPath(node);
    default:
      return false;
  }
}

/** A call of a leaf library function (no function argument, no focus) named directly, with up to three arguments. */
function leafCall(node: Node) {
  if (node.arguments.length > 3) return undefined;
  const fn = staticNative(node);
  if (fn === undefined || fn.usesFocus || !isLeaf(fn)) return undefined;
  return fn;
}

/** A call of a name the expression never binds and the library does not have: only a binding can give it. */
function isBindingName(node: Node): boolean {
  const proc = node.procedure;
  if (proc.type !== 'variable' || proc.predicate || proc.group || proc.keepArray) return false;
  return scope.bound !== null && !scope.bound.has(proc.value) && !LIBRARY.has(proc.value);
}

/** Whether a lambda body can end in a tail call (a thunk the runtime trampolines). */
function endsInTailCall(body: Node): boolean {
  if (body.type === 'lambda' && body.thunk) return true;
  if (body.type === 'condition')
    return endsInTailCall(body.then) || (body.else !== undefined && endsInTailCall(body.else));
  if (body.type === 'block') return body.expressions.length > 0 && endsInTailCall(body.expressions.at(-1));
  return false;
}

/**
 * `$map(array, function($v, $i, $a) {…})` or `$filter(…)` with the function written in place (no signature, no tail
 * call, at most three parameters), the library's function named directly: the loop is generated, the body inline.
 */
function iteration(node: Node) {
  if (node.arguments.length !== 2) return undefined;
  const lambda: Node = node.arguments[1];
  if (lambda.type !== 'lambda' || lambda.thunk || lambda.signature !== undefined || lambda.arguments.length > 3)
    return undefined;
  if (lambda.predicate || lambda.group || lambda.keepArray || endsInTailCall(lambda.body)) return undefined;
  const fn = staticNative(node);
  if (fn === undefined || (fn.name !== 'map' && fn.name !== 'filter')) return undefined;
  return { fn, lambda };
}

/** Node kinds worth a generated unit of their own (a lone literal, name or variable is not). */
const ROOTS = new Set(['binary', 'unary', 'condition', 'block', 'function', 'path']);

class Unit {
  private readonly constants: unknown[] = [];
  private readonly functions: string[] = [];
  private count = 0;
  constructor(private readonly compilers: Compilers) {}

  /** A constant the generated code refers to by a generated name. */
  k(value: unknown): string {
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  id(prefix: string): string {
    return `${prefix}${this.count++}`;
  }

  /** A function at the unit's top level (created once per expression, not per evaluation). */
  fn(params: string, body: string[]): string {
    const name = this.id('f');
    this.functions.push(`function ${name}(${params}) {\n${body.join('\n')}\n}`);
    return name;
  }

  /** A string or number of the expression as a literal, anything else as a constant. */
  lit(value: unknown): string {
    return literal(value) ?? this.k(value);
  }

  /**
   * A closure compiled on first use (for a runtime case the generated code leaves to it), with the compile-time
   * state it would have had: the call-site depth `depth` and the names the expression binds.
   */
  lazy(compileIt: () => Ev, depth: number): string {
    return this.k(this.lazyFunction(compileIt, depth));
  }

  lazyFunction(compileIt: () => Ev, depth: number): Ev {
    const bound = scope.bound;
    let ev: Ev | undefined;
    return (input: any, env: any) => {
      if (ev === undefined) {
        const saved = [nesting.depth, scope.bound, scope.codegen] as const;
        nesting.depth = depth;
        scope.bound = bound;
        scope.codegen = false;
        try {
          ev = compileIt();
        } finally {
          [nesting.depth, scope.bound, scope.codegen] = saved;
        }
      }
      return ev(input, env);
    };
  }

  source(root: string): string {
    const aliases = this.constants.map((_, i) => `const k${i} = K[${i}];`);
    return ['"use strict";', 'const S = H.state;', ...aliases, ...this.functions, `return ${root};`].join('\n');
  }

  build(root: string): Ev | null {
    return instantiate(this.source(root), this.constants);
  }

  /** The value of `node` with input `x` and scope `e`, as an expression (statements go to `L`). */
  gen(node: Node, L: string[], x: string, e: string): string {
    if (!handles(node)) {
      const ev = this.k(this.compilers.compile(node));
      const v = this.id('v');
      L.push(`const ${v} = ${ev}(${x}, ${e});`);
      return v;
    }
    nesting.depth++;
    try {
      return this.core(node, L, x, e);
    } finally {
      nesting.depth--;
    }
  }

  private core(node: Node, L: string[], x: string, e: string): string {
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value':
        return this.lit(node.value);
      case 'name':
        return this.name(node.value, L, x);
      case 'variable':
        return this.variable(node, L, x, e);
      case 'binary':
        return this.binary(node, L, x, e);
      case 'unary':
        return node.value === '-' ? this.negate(node, L, x, e) : this.object(node, L, x, e);
      case 'condition':
        return this.condition(node, L, x, e);
      case 'block':
        return this.block(node, L, x, e);
      case 'bind': {
        const v = this.gen(node.rhs, L, x, e);
        L.push(`${e}.bind(${this.lit(node.lhs.value)}, ${v});`);
        return v;
      }
      case 'function':
        return this.call(node, L, x, e);
      default:
        return this.path(node, L, x, e);
    }
  }

  /** The closure of the node being generated (called from its `core`, one level below the node's own depth). */
  private fallback(node: Node): string {
    return this.lazy(() => this.compilers.closure(node), nesting.depth - 1);
  }

  private temp(L: string[], expr: string): string {
    const v = this.id('v');
    L.push(`const ${v} = ${expr};`);
    return v;
  }

  /** A sequence result normalised (empty: nothing, one item: the item), as the closure compiler's wrapper does. */
  private normalised(L: string[], v: string): string {
    return this.temp(L, `Array.isArray(${v}) && ${v}.sequence === true ? H.normalise(${v}, false) : ${v}`);
  }

  private name(key: string, L: string[], x: string): string {
    const k = this.lit(key);
    return this.temp(
      L,
      `typeof ${x} === 'object' && ${x} !== null ? (Array.isArray(${x}) ? H.normalise(${this.k(lookupAll)}(${x}, ${k}), false) : ${x}[${k}]) : undefined`,
    );
  }

  private variable(node: Node, L: string[], x: string, e: string): string {
    const name: string = node.value;
    if (name === '') return this.normalised(L, this.temp(L, `${x} && ${x}.outerWrapper ? ${x}[0] : ${x}`));
    const free = scope.bound !== null && !scope.bound.has(name);
    const v = this.temp(L, `(${free ? `(${e}.globals ?? ${e})` : e}).lookup(${this.lit(name)})`);
    return name === '$' ? this.normalised(L, v) : v;
  }

  private binary(node: Node, L: string[], x: string, e: string): string {
    const op: string = node.value;
    const pos = node.position;
    if (op === 'and' || op === 'or') {
      const v = this.id('v');
      L.push(`let ${v};`);
      const l = this.gen(node.lhs, L, x, e);
      L.push(
        op === 'and' ? `if (!H.toBoolean(${l})) ${v} = false; else {` : `if (H.toBoolean(${l})) ${v} = true; else {`,
      );
      // an error in the right operand fails at the operator (compile-ops.ts `rightOperand`)
      const relocate = this.k((err: unknown) => {
        if (err instanceof JsonataError) err.locate(pos, op, true);
        throw err;
      });
      L.push('try {');
      const r = this.gen(node.rhs, L, x, e);
      L.push(`${v} = !!H.toBoolean(${r});`, `} catch (err) { ${relocate}(err); }`, '}');
      return v;
    }
    const l = this.gen(node.lhs, L, x, e);
    const r = this.gen(node.rhs, L, x, e);
    switch (op) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        // finite numbers (x - x === 0 excludes NaN and infinities) inline; anything else as the closures do
        return this.temp(
          L,
          `typeof ${l} === 'number' && typeof ${r} === 'number' && ${l} - ${l} === 0 && ${r} - ${r} === 0 ? ${l} ${op} ${r} : ${this.k(numeric(op, pos))}(${l}, ${r})`,
        );
      case '=':
      case '!=': {
        const eq = `${l} !== undefined && ${r} !== undefined && (${l} === ${r} || H.deepEqual(${l}, ${r}))`;
        // a string or number literal equals only itself (deepEqual compares objects only)
        const simple = node.rhs.type === 'string' || node.rhs.type === 'number' ? `${l} === ${r}` : undefined;
        if (op === '=') return this.temp(L, simple ?? eq);
        return this.temp(L, `${l} !== undefined && ${r} !== undefined && !H.deepEqual(${l}, ${r})`);
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.temp(
          L,
          `typeof ${l} === 'number' && typeof ${r} === 'number' ? ${l} ${op} ${r} : ${this.k(comparison(op, pos))}(${l}, ${r})`,
        );
      case '&': {
        const str = this.k((v: any) => locate(() => stringify(v), pos, op));
        const part = (v: string) => `(${v} === undefined ? '' : typeof ${v} === 'string' ? ${v} : ${str}(${v}))`;
        const s = this.temp(L, `${part(l)} + ${part(r)}`);
        L.push(`if (${s}.length > 1000000) H.checkLength(${s}.length);`);
        return s;
      }
      default: {
        // in
        const v = this.id('v');
        L.push(
          `let ${v} = false;`,
          `if (${l} !== undefined && ${r} !== undefined) {`,
          `  if (Array.isArray(${r})) for (let i = 0; i < ${r}.length; i++) {`,
          `    if (${r}[i] === ${l}) { ${v} = true; break; }`,
          '    if ((i & 4095) === 4095) H.pace(4096);',
          '  }',
          `  else ${v} = ${r} === ${l};`,
          '}',
        );
        return v;
      }
    }
  }

  private negate(node: Node, L: string[], x: string, e: string): string {
    const v = this.gen(node.expression, L, x, e);
    const position = node.position;
    const other = this.k((value: any) => {
      if (isNumeric(value)) return -value;
      throw jerr('D1002', { position, token: '-', value });
    });
    return this.temp(
      L,
      `${v} === undefined ? undefined : typeof ${v} === 'number' && ${v} - ${v} === 0 ? -${v} : ${other}(${v})`,
    );
  }

  private condition(node: Node, L: string[], x: string, e: string): string {
    const v = this.id('v');
    L.push(`let ${v};`);
    const c = this.gen(node.condition, L, x, e);
    L.push(`if (H.toBoolean(${c})) {`);
    L.push(`${v} = ${this.gen(node.then, L, x, e)};`);
    L.push('}');
    if (node.else !== undefined) {
      L.push('else {');
      L.push(`${v} = ${this.gen(node.else, L, x, e)};`);
      L.push('}');
    }
    return v;
  }

  private block(node: Node, L: string[], x: string, e: string): string {
    let env = e;
    if (node.expressions.some(bindsInScope)) {
      env = this.id('e');
      L.push(`const ${env} = new H.Frame(${e});`);
    }
    let r = 'undefined';
    for (const expr of node.expressions as Node[]) r = this.gen(expr, L, x, env);
    return r;
  }

  /** `{"k": v, …}` with constant keys: one object for one context item, the closure's grouping for a sequence. */
  private object(node: Node, L: string[], x: string, e: string): string {
    const grouped = this.fallback(node);
    const body = [
      'let it = x;',
      `if (Array.isArray(it)) { if (it.length !== 1 || it.tupleStream) return ${grouped}(x, e); it = it[0]; }`,
      'const o = {};',
    ];
    for (const [key, value] of node.lhs as Node[][]) {
      const v = this.gen(value, body, 'it', 'e');
      body.push(`if (${v} !== undefined) o[${this.lit(key.value)}] = ${v};`);
    }
    body.push('return o;');
    return this.temp(L, `${this.fn('x, e', body)}(${x}, ${e})`);
  }

  /**
   * A call by name of whatever function the scope gives (compile-call.ts general call): a binding's JS function
   * (`$lookup`, `$xref` in specs), a library function a binding replaces, or any other value (which fails as there).
   */
  private callByName(node: Node, args: string[], x: string, e: string): string {
    const name = procName(node);
    const fn = `(${e}.globals ?? ${e}).lookup(${this.lit(node.procedure.value)})`;
    const site = `${nesting.depth}, ${this.lit(node.position ?? null)}, ${this.lit(name)}`;
    return `H.invoke(${fn}, [${args.join(', ')}], ${x}, ${e}, ${site})`;
  }

  /** Errors located at the call (compile-call.ts), and the depth limit reached there. */
  private callSite(node: Node): { located: string; tooDeep: string } {
    const position = node.position;
    const name = procName(node);
    const located = this.k((err: unknown) => {
      if (err instanceof JsonataError) err.locate(position, name, true); // the library call's position (invoke)
      throw err;
    });
    const tooDeep = this.k(() => {
      throw jerr('U1001', { position, token: name });
    });
    return { located, tooDeep };
  }

  /** The result normalised as the closure compiler's wrapper does (a function call's result may be a sequence). */
  private callResult(L: string[], r: string): string {
    L.push(`if (Array.isArray(${r}) && ${r}.sequence === true) ${r} = H.normalise(${r}, false);`);
    return r;
  }

  /** `libraryBranch` when no binding of the evaluation takes the library function's name, else the general call. */
  private libraryOrBinding(
    node: Node,
    args: string[],
    L: string[],
    x: string,
    e: string,
    libraryBranch: (r: string) => void,
  ): string {
    const r = this.id('v');
    L.push(
      `let ${r};`,
      `if (${e}.globals === undefined || ${e}.globals.binds(${this.lit(node.procedure.value)})) ${r} = ${this.callByName(node, args, x, e)};`,
      'else {',
    );
    libraryBranch(r);
    L.push('}');
    return this.callResult(L, r);
  }

  /**
   * Calls. The arguments are evaluated before the function is looked up (the closures look it up first: a read
   * without effects, so the order does not show).
   */
  private call(node: Node, L: string[], x: string, e: string): string {
    const loop = iteration(node);
    if (loop !== undefined) return this.iterate(node, loop.fn, loop.lambda, L, x, e);
    const args = (node.arguments as Node[]).map((arg) => this.gen(arg, L, x, e));
    const fn = leafCall(node);
    if (fn === undefined) {
      // a name the expression does not bind and the library does not have: only a binding can give it
      const r = this.id('v');
      L.push(`let ${r} = ${this.callByName(node, args, x, e)};`);
      return this.callResult(L, r);
    }
    const signature = fn.signature as Signature;
    const count: number = node.arguments.length;
    const sig = this.k(signature);
    const impl = this.k(fn.implementation);
    const validated = this.k((input: any, a0: any, a1: any, a2: any) =>
      callNative(fn, undefined, signature.validate([a0, a1, a2].slice(0, count), input)),
    );
    const { located, tooDeep } = this.callSite(node);
    const cost = nesting.depth;
    const all = [0, 1, 2].map((i) => args[i] ?? 'undefined').join(', ');
    // a leaf function calls nothing: the depth check without the bookkeeping (compile-call.ts)
    return this.libraryOrBinding(node, args, L, x, e, (r) =>
      L.push(
        `if (S.depth + ${cost} >= S.maxDepth) ${tooDeep}();`,
        `try { ${r} = ${sig}.passes(${count}, ${all}) ? H.counted(${impl}(${args.join(', ')})) : ${validated}(${x}, ${all}); } catch (err) { ${located}(err); }`,
      ),
    );
  }

  /**
   * `$map`/`$filter` over an array with the function in place (compile-call.ts general call, higher-order.ts,
   * runtime.ts `invokeLambda`): the depth counted for the call, a tick and a parameter scope per item, the body inline.
   * Anything but an array (wrapped by the signature, or rejected) goes to the library function as the closures do.
   */
  private iterate(node: Node, fn: NativeFn, lambda: Node, L: string[], x: string, e: string): string {
    const array = this.gen(node.arguments[0], L, x, e);
    const lambdaValue = this.lazy(() => this.compilers.compile(lambda), nesting.depth);
    const args = [array, `${lambdaValue}(${x}, ${e})`];
    const names = (lambda.arguments as Node[]).map((p) => this.lit(p.value));
    const library = this.k(fn);
    const { tooDeep } = this.callSite(node);
    // an error escaping the loop takes the position of the call that last called the library function (invoke)
    const name = procName(node);
    const relocated = this.k((err: unknown) => {
      if (err instanceof JsonataError) err.locate(fn.position, name, true);
      throw err;
    });
    const cost = nesting.depth;
    const site = `${cost}, ${this.lit(node.position ?? null)}, ${this.lit(procName(node))}`;
    return this.libraryOrBinding(node, args, L, x, e, (r) => {
      const [out, i, item, frame] = [this.id('out'), this.id('i'), this.id('item'), this.id('e')];
      // the function is called with as many arguments as it declares (runtime.ts callHof)
      const values = [item, i, array].slice(0, names.length);
      L.push(
        `if (!Array.isArray(${array})) ${r} = H.invoke(${library}, [${args.join(', ')}], ${x}, ${e}, ${site});`,
        'else {',
        `if ((S.depth += ${cost}) >= S.maxDepth) ${tooDeep}();`,
        `${library}.position = ${this.lit(node.position ?? null)};`,
        'try {',
        `const ${out} = H.seq0();`,
        `for (let ${i} = 0; ${i} < ${array}.length; ${i}++) {`,
        'H.tick();',
        `const ${item} = ${array}[${i}];`,
        `const ${frame} = H.Frame.of(${e}, [${names.join(', ')}], [${values.join(', ')}]);`,
      );
      const saved = nesting.depth;
      nesting.depth = 0;
      let v: string;
      try {
        v = this.gen(lambda.body, L, x, frame);
      } finally {
        nesting.depth = saved;
      }
      L.push(
        fn.name === 'map'
          ? `if (${v} !== undefined) ${out}.push(${v});`
          : `if (H.toBoolean(${v})) ${out}.push(${item});`,
        '}',
        `${r} = ${out};`,
        `} catch (err) { ${relocated}(err); } finally { S.depth -= ${cost}; }`,
        '}',
      );
    });
  }

  /** A function `(x, e)` giving a step's value for one context item. */
  private stepFunction(step: Node): string {
    const body: string[] = [];
    const v = this.gen(step, body, 'x', 'e');
    body.push(`return ${v};`);
    return this.fn('x, e', body);
  }

  /** A predicate stage over the step's result for one context item (compile-path.ts `compileFilter`). */
  private filterFunction(pred: Node): string {
    if (pred.type === 'number') {
      const idx = Math.floor(pred.value);
      return this.fn('input, e', [
        'let results = H.seq0();',
        'if (input && input.tupleStream) results.tupleStream = true;',
        'if (!Array.isArray(input)) input = H.seq1(input);',
        `const index = ${this.lit(idx)} < 0 ? input.length + ${this.lit(idx)} : ${this.lit(idx)};`,
        'const item = input[index];',
        'if (item !== undefined) { if (Array.isArray(item)) results = item; else results.push(item); }',
        'return results;',
      ]);
    }
    if (!isBooleanExpression(pred)) return this.k(compileFilter(pred, this.compilers.compile));
    const general = this.lazy(() => compileFilter(pred, this.compilers.compile), nesting.depth);
    const body = [
      `if (input && input.tupleStream) return ${general}(input, e);`,
      'const results = H.seq0();',
      'if (!Array.isArray(input)) input = H.seq1(input);',
      'for (let i = 0; i < input.length; i++) {',
      'H.tick();',
      'const x = input[i];',
    ];
    const v = this.gen(pred, body, 'x', 'e');
    body.push(`if (${v} === true) results.push(x);`, '}', 'return results;');
    return this.fn('input, e', body);
  }

  /** One step over a sequence of context items (compile-path.ts `evaluateStep`). */
  private stepOverSequence(item: string, stages: string[], last: boolean): string {
    const single = stages.length
      ? []
      : [
          'if (input.length === 1) {',
          `const r = ${item}(input[0], e);`,
          'const out = [];',
          'out.sequence = true;',
          'if (r === undefined) return out;',
          'if (!Array.isArray(r) || r.cons) { out.push(r); return out; }',
          last ? 'if (!r.sequence) return r;' : '',
          'H.pushAll(out, r);',
          'return out;',
          '}',
        ];
    return this.fn('input, e', [
      ...single,
      'H.tick();',
      'const out = [];',
      'let count = 0;',
      'let first;',
      'for (let i = 0; i < input.length; i++) {',
      'if ((i & 63) === 63) H.tick();',
      `let r = ${item}(input[i], e);`,
      ...stages.map((s) => `r = ${s}(r, e);`),
      'if (r === undefined) continue;',
      'if (++count === 1) first = r;',
      'if (!Array.isArray(r) || r.cons) out.push(r);',
      'else {',
      'if (out.length + r.length > S.maxOutput) H.checkLength(out.length + r.length);',
      'H.pushAll(out, r);',
      '}',
      '}',
      last ? 'if (count === 1 && Array.isArray(first) && !first.sequence) return first;' : '',
      'out.sequence = true;',
      'return out;',
    ]);
  }

  /** A path (compile-path.ts `compilePath`, `simplePath`, `namePath`), its result normalised. */
  private path(node: Node, L: string[], x: string, e: string): string {
    const steps: Node[] = node.steps;
    const n = steps.length;
    const firstIsVar = steps[0].type === 'variable';
    const items = steps.map((s) => this.stepFunction(s));
    const stages = steps.map((s) => (s.stages ?? []).map((st: Node) => this.filterFunction(st.expr)));
    const over = items.map((item, i) => this.stepOverSequence(item, stages[i], i === n - 1));
    // steps start..n-1 over a sequence (generated when referred to; the last step alone is its own function)
    const rest = (start: number): string => {
      if (start === n - 1) return over[start];
      const body = ['let s = input;'];
      for (let i = start; i < n; i++) {
        body.push(`s = ${over[i]}(s, e);`);
        if (i < n - 1) body.push('if (s.length === 0) return s;');
      }
      body.push('return s;');
      return this.fn('input, e', body);
    };
    const simple = stages.every((s) => s.length === 0);
    let whole: string;
    if (!simple)
      whole = this.fn('x, e', [
        `return ${rest(0)}(${firstIsVar ? 'H.seq1(x)' : 'Array.isArray(x) ? x : H.seq1(x)'}, e);`,
      ]);
    else {
      // one context item is threaded through the steps without sequences while each step gives one value
      const body = [firstIsVar ? '' : `if (Array.isArray(x)) return ${rest(0)}(x, e);`, 'let it = x;', 'let r;'];
      for (let i = 0; i < n; i++) {
        const last = i === n - 1;
        body.push(
          `r = ${items[i]}(it, e);`,
          'if (r === undefined) return undefined;',
          `if (Array.isArray(r) && !r.cons) ${last ? 'return r.sequence ? H.copySeq(r) : r;' : `return ${rest(i + 1)}(H.copySeq(r), e);`}`,
          'it = r;',
        );
      }
      body.push('return it;');
      whole = this.fn('x, e', body);
    }
    const rests = firstIsVar ? steps.slice(1) : steps;
    if (!simple || !rests.every(isNameStep)) return this.normalised(L, this.temp(L, `${whole}(${x}, ${e})`));
    // plain field names: property reads while the context is one object, the whole path for anything else
    const body: string[] = ['let it;'];
    const slow = `return H.normalise(${whole}(x, e), false);`;
    if (firstIsVar) {
      nesting.depth++;
      try {
        body.push(`it = ${this.variable(steps[0], body, 'x', 'e')};`, 'if (it === undefined) return undefined;');
      } finally {
        nesting.depth--;
      }
    } else body.push(`if (Array.isArray(x)) ${slow}`, 'it = x;');
    for (const step of rests) {
      body.push(
        "if (typeof it !== 'object' || it === null) return undefined;",
        `if (Array.isArray(it)) ${slow}`,
        `it = it[${this.lit(step.value)}];`,
        'if (it === undefined) return undefined;',
      );
    }
    body.push(`if (Array.isArray(it) && it.sequence === true) ${slow}`, 'return it;');
    return this.temp(L, `${this.fn('x, e', body)}(${x}, ${e})`);
  }
}

/**
 * Generated code for `node` and the subtrees it handles, or undefined when the node is not worth a unit of its own or
 * code generation is unavailable.
 */
export function generate(node: Node, compilers: Compilers): Ev | undefined {
  if (!ROOTS.has(node.type) || !handles(node)) return undefined;
  const unit = new Unit(compilers);
  const body: string[] = [];
  const v = unit.gen(node, body, 'x', 'e');
  body.push(`return ${v};`);
  const root = unit.fn('x, e', body);
  return unit.build(root) ?? undefined;
}
