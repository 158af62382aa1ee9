/* eslint-disable @typescript-eslint/no-explicit-any */
/** Compiles path expressions: steps, stages (filters/index bindings) and tuple streams. */
import type { Node } from './ast.js';
import type { Env, Ev } from './runtime.js';
import { frameFromTuple } from './runtime.js';
import { checkLength, state, tick } from './guards.js';
import { compileGroup, compileSort } from './compile-group.js';
import { assignOwn, isPlainName } from './own-keys.js';
import { isArrayOfNumbers, isNumeric, normalise, normalising, pushAll, seq, toBoolean } from './sequence.js';

export type Compile = (node: Node) => Ev;

/** A compiled predicate: `[expr]` over a sequence (tuple-aware). */
export function compileFilter(pred: Node, compile: Compile): (input: any, env: Env) => any {
  if (pred.type === 'number') {
    const idx = Math.floor(pred.value);
    return (input) => {
      let results: any = seq();
      if (input && input.tupleStream) results.tupleStream = true;
      if (!Array.isArray(input)) input = seq(input);
      const index = idx < 0 ? input.length + idx : idx;
      const item = input[index];
      if (item !== undefined) {
        if (Array.isArray(item)) results = item;
        else results.push(item);
      }
      return results;
    };
  }
  const ev = compile(pred);
  const general = (input: any, env: Env): any => {
    const results: any = seq();
    const tuples = !!(input && input.tupleStream);
    if (tuples) results.tupleStream = true;
    if (!Array.isArray(input)) input = seq(input);
    for (let index = 0; index < input.length; index++) {
      tick();
      const item = input[index];
      let res = tuples ? ev(item['@'], frameFromTuple(env, item)) : ev(item, env);
      if (isNumeric(res)) res = [res];
      if (isArrayOfNumbers(res)) {
        for (const r of res) {
          let ii = Math.floor(r);
          if (ii < 0) ii = input.length + ii;
          if (ii === index) results.push(item);
        }
      } else if (toBoolean(res)) results.push(item);
    }
    return results;
  };
  if (!isBooleanExpression(pred)) return general;
  // a comparison or boolean operator gives true, false or undefined: no index or truthiness tests per item
  return (input, env) => {
    if (input && input.tupleStream) return general(input, env);
    const results: any = seq();
    if (!Array.isArray(input)) input = seq(input);
    for (let index = 0; index < input.length; index++) {
      tick();
      const item = input[index];
      if (ev(item, env) === true) results.push(item);
    }
    return results;
  };
}

const BOOLEAN_OPERATORS = new Set(['=', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in']);

/** An operator node whose value is always true, false or undefined (nothing applied to its result). */
export function isBooleanExpression(node: Node): boolean {
  return (
    node.type === 'binary' && BOOLEAN_OPERATORS.has(node.value) && !node.predicate && !node.group && !node.keepArray
  );
}

type Stage = (input: any, env: Env) => any;

function compileStages(stages: Node[] | undefined, compile: Compile): Stage[] | undefined {
  if (!stages) return undefined;
  return stages.map((stage): Stage => {
    if (stage.type === 'filter') return compileFilter(stage.expr, compile);
    const name = stage.value;
    return (input) => {
      for (let i = 0; i < input.length; i++) input[i][name] = i;
      return input;
    };
  });
}

interface Step {
  node: Node;
  ev: Ev;
  stages?: Stage[];
  sort?: (input: any, env: Env) => any;
}

function evaluateStep(step: Step, input: any[], env: Env, last: boolean): any {
  if (step.sort) {
    let r = step.sort(input, env);
    if (step.stages) for (const s of step.stages) r = s(r, env);
    return r;
  }
  const ev = step.ev;
  const stages = step.stages;
  if (input.length === 1 && stages === undefined) {
    // the common case (one context item, no predicates): no intermediate arrays
    const res = ev(input[0], env);
    const out: any = [];
    out.sequence = true;
    if (res === undefined) return out;
    if (!Array.isArray(res) || (res as any).cons) {
      out.push(res);
      return out;
    }
    if (last && !(res as any).sequence) return res;
    pushAll(out, res);
    return out;
  }
  tick();
  const out: any = [];
  let count = 0;
  let first: any;
  for (let i = 0; i < input.length; i++) {
    // a tick per 64 items: a step may build an object or call a library function per item without ticking itself
    if ((i & 63) === 63) tick();
    let res = ev(input[i], env);
    if (stages) for (const s of stages) res = s(res, env);
    if (res === undefined) continue;
    if (++count === 1) first = res;
    if (!Array.isArray(res) || (res as any).cons) out.push(res);
    else {
      if (out.length + res.length > state.maxOutput) checkLength(out.length + res.length);
      // counted against the budget: a step giving a thousand items per context item builds millions in no time
      pushAll(out, res);
    }
  }
  // a single array produced by the last step is the result as is (not flattened into the sequence)
  if (last && count === 1 && Array.isArray(first) && !(first as any).sequence) return first;
  out.sequence = true;
  return out;
}

function evaluateTupleStep(step: Step, input: any[], bindings: any[] | undefined, env: Env): any {
  const node = step.node;
  let result: any;
  if (step.sort) {
    if (bindings) result = step.sort(bindings, env);
    else {
      const sorted = step.sort(input, env);
      result = seq();
      result.tupleStream = true;
      for (let i = 0; i < sorted.length; i++) {
        const tuple: any = { '@': sorted[i] };
        tuple[node.index] = i;
        result.push(tuple);
      }
    }
    if (step.stages) for (const s of step.stages) result = s(result, env);
    return result;
  }
  result = seq();
  result.tupleStream = true;
  if (bindings === undefined) bindings = input.map((item) => ({ '@': item }));
  for (const binding of bindings) {
    let res = step.ev(binding['@'], frameFromTuple(env, binding));
    if (res === undefined) continue;
    if (!Array.isArray(res)) res = [res];
    for (let b = 0; b < res.length; b++) {
      const tuple: any = assignOwn({}, binding);
      if (res.tupleStream) assignOwn(tuple, res[b]);
      else {
        if (node.focus) {
          tuple[node.focus] = res[b];
          tuple['@'] = binding['@'];
        } else tuple['@'] = res[b];
        if (node.index) tuple[node.index] = b;
        if (node.ancestor) tuple[node.ancestor.label] = binding['@'];
      }
      result.push(tuple);
    }
  }
  if (step.stages) for (const s of step.stages) result = s(result, env);
  return result;
}

/**
 * A path without predicates, bindings, sorting or grouping. While the context is a single non-array value it is
 * threaded through the steps without building intermediate sequences; an array mid-path falls back to the general
 * step evaluation. The result is what the general algorithm yields after normalisation.
 */
function simplePath(steps: Step[], firstIsVar: boolean): Ev {
  const n = steps.length;
  const rest = (inputSeq: any, env: Env, start: number): any => {
    let resultSeq: any = inputSeq;
    for (let i = start; i < n; i++) {
      resultSeq = evaluateStep(steps[i], inputSeq, env, i === n - 1);
      if (resultSeq.length === 0) break;
      inputSeq = resultSeq;
    }
    return resultSeq;
  };
  return (input, env) => {
    if (Array.isArray(input) && !firstIsVar) return rest(input, env, 0);
    let item = input;
    for (let i = 0; i < n; i++) {
      const res = steps[i].ev(item, env);
      if (res === undefined) return undefined;
      if (!Array.isArray(res) || (res as any).cons) {
        item = res;
        continue;
      }
      const out: any = [];
      out.sequence = true;
      if (i === n - 1 && !(res as any).sequence) return res;
      for (let j = 0; j < res.length; j++) out.push(res[j]);
      return i === n - 1 ? out : rest(out, env, i + 1);
    }
    return item;
  };
}

/** A step without sorting, array constructor, `[]`, focus or index binding (it may have stages). */
export function isPlainStep(s: Node): boolean {
  return s.type !== 'sort' && !s.consarray && !s.keepArray && s.focus === undefined && s.index === undefined;
}

/** A step that is a plain field name and nothing else (no stages, binding, grouping or flags). */
export function isNameStep(s: Node): boolean {
  return (
    s.type === 'name' &&
    isPlainName(s.value) &&
    Object.keys(s).every((k) => k === 'type' || k === 'value' || k === 'position')
  );
}

/**
 * `a.b.c` or `$v.b.c` (plain names after an optional variable): property reads while the context is one object.
 * Anything else on the way (an array, a sequence at the end) goes to the simple path, from the start; a variable
 * lookup is pure, so reading it again is safe. The result is normalised here (no wrapper).
 */
function namePath(keys: string[], first: Ev | undefined, simple: Ev): Ev {
  const n = keys.length;
  const slow: Ev = (input, env) => normalise(simple(input, env), false);
  return normalising((input: any, env: Env) => {
    let item = input;
    let i = 0;
    if (first !== undefined) {
      item = first(input, env);
      if (item === undefined) return undefined;
      i = 1;
    } else if (Array.isArray(input)) return slow(input, env);
    for (; i < n; i++) {
      if (typeof item !== 'object' || item === null) return undefined;
      if (Array.isArray(item)) return slow(input, env);
      item = item[keys[i]];
      if (item === undefined) return undefined;
    }
    return Array.isArray(item) && (item as any).sequence === true ? slow(input, env) : item;
  });
}

export function compilePath(node: Node, compile: Compile): Ev {
  const steps: Step[] = node.steps.map((s: Node): Step => {
    if (s.type === 'sort')
      return { node: s, ev: () => undefined, sort: compileSort(s, compile), stages: compileStages(s.stages, compile) };
    return { node: s, ev: compile(s), stages: compileStages(s.stages, compile) };
  });
  const group = node.group ? compileGroup(node.group, compile) : undefined;
  const firstIsVar = node.steps[0].type === 'variable';
  const keepSingleton = !!node.keepSingletonArray;
  const tupleResult = !!node.tuple;
  const anyTuple = node.steps.some((s: Node) => s.tuple);
  const n = steps.length;
  const simple = !keepSingleton && !group && !anyTuple && node.steps.every((s: Node) => isPlainStep(s) && !s.stages);
  if (simple) {
    const slow = simplePath(steps, firstIsVar);
    const rest: Node[] = firstIsVar ? node.steps.slice(1) : node.steps;
    if (!rest.every(isNameStep)) return slow;
    return namePath(
      node.steps.map((s: Node) => s.value),
      firstIsVar ? steps[0].ev : undefined,
      slow,
    );
  }
  return (input, env) => {
    let inputSeq: any = Array.isArray(input) && !firstIsVar ? input : seq(input);
    let resultSeq: any;
    let isTuple = false;
    let bindings: any[] | undefined;
    for (let i = 0; i < n; i++) {
      const step = steps[i];
      if (anyTuple && step.node.tuple) isTuple = true;
      if (i === 0 && step.node.consarray) resultSeq = step.ev(inputSeq, env);
      else if (isTuple) bindings = evaluateTupleStep(step, inputSeq, bindings, env);
      else resultSeq = evaluateStep(step, inputSeq, env, i === n - 1);
      if (!isTuple && (resultSeq === undefined || resultSeq.length === 0)) break;
      if (step.node.focus === undefined) inputSeq = resultSeq;
    }
    if (isTuple) {
      if (tupleResult) resultSeq = bindings;
      else {
        resultSeq = seq();
        for (const b of bindings as any[]) resultSeq.push(b['@']);
      }
    }
    if (keepSingleton) {
      if (Array.isArray(resultSeq) && (resultSeq as any).cons && !(resultSeq as any).sequence)
        resultSeq = seq(resultSeq);
      if (resultSeq !== undefined) resultSeq.keepSingleton = true;
    }
    if (group) resultSeq = group(isTuple ? bindings : resultSeq, env);
    return resultSeq;
  };
}
