/**
 * The engine's specialised code for common shapes (docs/jsonata-engine.md, "Specialisations") must give what
 * jsonata-js gives on the inputs where it has to fall back to the general code: arrays and sequences on the way,
 * function values, inherited names, a library function's name taken by a binding or a variable.
 */
import { describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import type { CompiledExpression, TransformGuards } from '../../engine/transform/transform-engine.js';

interface Outcome {
  value?: unknown;
  code?: string;
  position?: number;
}

const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { value: plain(await run()) };
  } catch (e) {
    const err = e as { code?: string; position?: number };
    return { code: err.code ?? String(e), position: err.position };
  }
}

async function agree(expr: string, input: unknown, bindings?: Record<string, unknown>): Promise<Outcome> {
  const ours = await outcome(() => junctionEngine.compile(expr).evaluate(input, bindings));
  const theirs = await outcome(() => referenceEngine.compile(expr).evaluate(input, bindings));
  expect(ours, expr).toEqual(theirs);
  return ours;
}

const doc = {
  a: { b: { c: 1 }, list: [{ c: 2 }, { c: 3 }], one: [{ c: 4 }], nums: [5], text: 'x', none: null },
  orders: [
    { id: 1, lines: [{ sku: 'A' }, { sku: 'B' }] },
    { id: 2, lines: { sku: 'C' } },
  ],
};

describe('field paths read as properties', () => {
  it('agree with jsonata-js on objects, arrays and scalars along the path', async () => {
    expect(await agree('a.b.c', doc)).toEqual({ value: 1 });
    expect(await agree('a.list.c', doc)).toEqual({ value: [2, 3] });
    await agree('a.one.c', doc);
    await agree('a.nums', doc);
    await agree('a.text.c', doc);
    await agree('a.none.c', doc);
    await agree('a.missing.c', doc);
    expect(await agree('orders.lines.sku', doc)).toEqual({ value: ['A', 'B', 'C'] });
    await agree('a.b.c', [doc, doc]);
    await agree('a.b', [{ a: { b: 1 } }]);
  });

  it('agree when the path starts at a variable holding an array, a sequence or a function', async () => {
    expect(await agree('($x := [{"c": 1}, {"c": 2}]; $x.c)', {})).toEqual({ value: [1, 2] });
    await agree('($x := {"s": a.list.c}; $x.s)', doc);
    await agree('($x := {"s": a.one.c}; $x.s)', doc);
    await agree('($x := [[1, 2]]; $x.c)', {});
    await agree('($f := function() { 1 }; $f.c)', {});
    await agree('$.a.b.c', doc);
    await agree('$$.a.list.c', doc);
    await agree('$missing.a.b', doc);
  });

  it('see own properties only', async () => {
    const input = { a: { constructor: 'own', toString: 1 }, b: {} };
    expect(await agree('a.constructor', input)).toEqual({ value: 'own' });
    await agree('b.constructor', input);
    await agree('b.toString', input);
    await agree('b.__proto__', input);
    await agree('$string.name', input);
    await agree('$string.usesFocus', input);
  });
});

describe('predicates that are comparisons', () => {
  it('agree with jsonata-js on undefined operands, single values and tuple streams', async () => {
    const input = { items: [{ q: 1, k: 'a' }, { q: 3 }, { q: '3' }, { k: 'b' }], one: { q: 5 } };
    expect(await agree('items[q > 1].q', { items: input.items.slice(0, 2) })).toEqual({ value: 3 });
    await agree('items[k = "a" or q = 3]', input);
    await agree('items[k in ["a", "b"]].k', input);
    await agree('items[k != "a"]', input);
    await agree('one[q >= 5].q', input);
    await agree('items@$i#$p[$i.k = "b"].$p', input);
    expect((await agree('items[q > 1]', input)).code).toBe('T2009');
  });
});

describe('library functions called by name', () => {
  it('yield to a binding of the same name', async () => {
    const bindings = { string: (v: unknown) => `bound ${String(v)}`, pad: 'not a function' };
    expect(await agree('$string(1)', {}, bindings)).toEqual({ value: 'bound 1' });
    await agree('$pad("a", 3)', {}, bindings);
    expect(await agree('$uppercase("a")', {}, bindings)).toEqual({ value: 'A' });
  });

  it('read the bindings in place: `$` and a top-level `:=` win over a binding of that name', async () => {
    const bindings = { v: 1, $: 'binding', string: undefined };
    expect(await agree('$v', { a: 2 }, bindings)).toEqual({ value: 1 });
    expect(await agree('$.a', { a: 2 }, bindings)).toEqual({ value: 2 });
    expect(await agree('($v := 3; $v)', {}, bindings)).toEqual({ value: 3 });
    await agree('$v := 4', {}, bindings);
    await agree('$string(1)', {}, bindings);
    await agree('$constructor', {}, bindings);
  });

  it('yield to a variable of the same name, in the expression or in $eval', async () => {
    expect(await agree('($string := function($v) { "mine" }; $string(1))', {})).toEqual({ value: 'mine' });
    expect(await agree('$eval("$string(1)")', {})).toEqual({ value: '1' });
    await agree('$eval("($pad := function($s, $n) { $s }; $pad(\'x\', 3))")', {});
  });

  it('report argument errors at the call', async () => {
    expect((await agree('$substring(1, 2)', {})).code).toBe('T0411');
    expect((await agree('$pad("a")', {})).code).toBe('T0410');
  });

  it('count towards the depth guard as a call through a variable does', () => {
    const guards: TransformGuards = { maxDepth: 400 };
    const direct = junctionEngine.compile('($f := function($n) { $n = 0 ? 0 : $abs(1) + $f($n - 1) }; $f($depth))');
    const viaVariable = junctionEngine.compile(
      '($abs2 := $abs; $f := function($n) { $n = 0 ? 0 : $abs2(1) + $f($n - 1) }; $f($depth))',
    );
    const result = (expr: CompiledExpression, depth: number) => {
      try {
        return expr.evaluate({}, { depth }, guards);
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    const outcomes = new Set<unknown>();
    for (let n = 1; n <= 200; n++) {
      expect(result(direct, n), `depth ${n}`).toEqual(result(viaVariable, n));
      outcomes.add(result(direct, n));
    }
    expect(outcomes.has('U1001')).toBe(true);
  });
});
