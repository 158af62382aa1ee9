/* eslint-disable @typescript-eslint/no-explicit-any */
/** Compiles order-by steps `^(…)` and group-by / object constructors `{k: v}` (tuple-stream aware). */
import type { Node } from './ast.js';
import type { Compile } from './compile-path.js';
import { jerr } from './errors.js';
import type { Env, Ev } from './runtime.js';
import { pace, tick } from './guards.js';
import { frameFromTuple } from './runtime.js';
import { assignOwn, setOwn } from './own-keys.js';
import { append } from './sequence.js';
import { mergeSort } from './functions/arrays.js';

export function compileSort(node: Node, compile: Compile): (input: any, env: Env) => any {
  const terms = node.terms.map((t: Node) => ({ descending: t.descending, ev: compile(t.expression) }));
  const NOT_YET = Symbol('not evaluated');
  return (input, env) => {
    const tuples = input.tupleStream === true;
    const keyed = input.map((item: any, i: number) => {
      if ((i & 4095) === 4095) pace(4096);
      return { item, keys: terms.map(() => NOT_YET) };
    });
    // a term is evaluated for an item when a comparison first needs it, as jsonata-js does: a single item, or items
    // told apart by the first term, never evaluate the next term (nor fail in it)
    const key = (k: any, i: number): any => {
      if (k.keys[i] === NOT_YET) {
        tick();
        const ctx = tuples ? k.item['@'] : k.item;
        k.keys[i] = terms[i].ev(ctx, tuples ? frameFromTuple(env, k.item) : env);
      }
      return k.keys[i];
    };
    const cmp = (a: any, b: any): number => {
      for (let i = 0; i < terms.length; i++) {
        const aa = key(a, i);
        const bb = key(b, i);
        let comp = 0;
        const at = typeof aa;
        const bt = typeof bb;
        if (at === 'undefined') comp = bt === 'undefined' ? 0 : 1;
        else if (bt === 'undefined') comp = -1;
        else {
          if (!(at === 'string' || at === 'number') || !(bt === 'string' || bt === 'number')) {
            throw jerr('T2008', { position: node.position, value: !(at === 'string' || at === 'number') ? aa : bb });
          }
          if (at !== bt) throw jerr('T2007', { position: node.position, value: aa, value2: bb });
          comp = aa === bb ? 0 : aa < bb ? -1 : 1;
          if (terms[i].descending) comp = -comp;
        }
        if (comp !== 0) return comp;
      }
      return 0;
    };
    // not `seq(...items)`: spreading millions of items as arguments overflows the stack
    const sorted: any = mergeSort(keyed, (a, b) => cmp(a, b) === 1).map((k: any, i: number) => {
      if ((i & 4095) === 4095) pace(4096);
      return k.item;
    });
    sorted.sequence = true;
    if (tuples) sorted.tupleStream = true;
    return sorted;
  };
}

function reduceTuples(stream: any): any {
  if (!Array.isArray(stream)) return stream;
  const result: any = assignOwn({}, stream[0]);
  for (let i = 1; i < stream.length; i++)
    for (const p of Object.keys(stream[i])) setOwn(result, p, append(result[p], stream[i][p]));
  return result;
}

/** A key of an object constructor: a string, and not one of the names that mark function values. */
function checkKey(key: any, position: number | undefined): void {
  if (typeof key !== 'string') throw jerr('T1003', { position, value: key });
  if (key === '_jsonata_lambda' || key === '_jsonata_function') throw jerr('D1013', { position, value: key });
}

/** The items grouped under one key, accumulated in place (`$append` semantics without copying on every item). */
class GroupData {
  private items: any[] | undefined;
  constructor(
    private first: any,
    readonly index: number,
  ) {}
  add(item: any): void {
    if (item === undefined) return;
    if (this.items === undefined) {
      // a plain array, as `concat` returns
      this.items = [];
      if (Array.isArray(this.first)) for (const x of this.first) this.items.push(x);
      else this.items.push(this.first);
    }
    if (Array.isArray(item)) for (const x of item) this.items.push(x);
    else this.items.push(item);
  }
  get data(): any {
    return this.items ?? this.first;
  }
}

/** Group-by / object constructor `{k: v, ...}` over a sequence. */
export function compileGroup(group: Node, compile: Compile): (input: any, env: Env) => any {
  const pairs: [Ev, Ev][] = group.lhs.map((p: Node[]) => [compile(p[0]), compile(p[1])]);
  const position = group.position;
  const literalKeys: string[] | undefined = group.lhs.every((p: Node[]) => p[0].type === 'string')
    ? group.lhs.map((p: Node[]) => p[0].value)
    : undefined;
  const distinct =
    literalKeys !== undefined &&
    new Set(literalKeys).size === literalKeys.length &&
    literalKeys.every((k) => k !== '__proto__' && k !== '_jsonata_lambda' && k !== '_jsonata_function');
  const single = (item: any, env: Env): any => {
    // one context item (the usual object constructor): no grouping, keys first, then values
    const keys: any[] = [];
    for (let p = 0; p < pairs.length; p++) {
      const key = pairs[p][0](item, env);
      if (key !== undefined) checkKey(key, position);
      if (key !== undefined && pairs.length > 1 && keys.includes(key)) throw jerr('D1009', { position, value: key });
      keys.push(key);
    }
    const result: any = {};
    for (let p = 0; p < pairs.length; p++) {
      if (keys[p] === undefined) continue;
      const value = pairs[p][1](item, env);
      if (value !== undefined) setOwn(result, keys[p], value);
    }
    return result;
  };
  const grouped = (input: any, env: Env): any => {
    const result: any = {};
    const groups = new Map<string, GroupData>();
    const reduce = !!(input && (input as any).tupleStream);
    if (input.length === 0) input.push(undefined);
    for (let i = 0; i < input.length; i++) {
      tick();
      const item = input[i];
      const e = reduce ? frameFromTuple(env, item) : env;
      for (let p = 0; p < pairs.length; p++) {
        const key = pairs[p][0](reduce && item ? item['@'] : item, e);
        if (key === undefined) continue;
        checkKey(key, position);
        const entry = groups.get(key);
        if (entry) {
          if (entry.index !== p) throw jerr('D1009', { position, value: key });
          entry.add(item);
        } else groups.set(key, new GroupData(item, p));
      }
    }
    for (const [key, entry] of groups) {
      let ctx = entry.data;
      let e = env;
      if (reduce) {
        const tuple = reduceTuples(entry.data);
        ctx = tuple['@'];
        delete tuple['@'];
        e = frameFromTuple(env, tuple);
      }
      const value = pairs[entry.index][1](ctx, e);
      if (value !== undefined) setOwn(result, key, value);
    }
    return result;
  };
  if (distinct) {
    // constant, distinct keys: no key evaluation or duplicate check, and one closure for one context item
    const keys = literalKeys as string[];
    const values = pairs.map((p) => p[1]);
    return (input, env) => {
      let item = input;
      if (Array.isArray(input)) {
        if (input.length !== 1 || (input as { tupleStream?: boolean }).tupleStream) return grouped(input, env);
        item = input[0];
      }
      const result: any = {};
      for (let p = 0; p < values.length; p++) {
        const value = values[p](item, env);
        if (value !== undefined) result[keys[p]] = value;
      }
      return result;
    };
  }
  return (input, env) => {
    if (!Array.isArray(input)) return single(input, env);
    if (input.length === 1 && !(input as { tupleStream?: boolean }).tupleStream) return single(input[0], env);
    return grouped(input, env);
  };
}
