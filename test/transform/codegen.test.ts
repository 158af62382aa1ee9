/**
 * Code generation (engine/transform/compiled/codegen.ts): the generated path gives what the closure path and
 * jsonata-js give on every corpus case, fuzz case and bench mapping; text of the expression (names, strings, regexes)
 * never becomes code; the generated loops tick the time guard; and without code generation the engine still works.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { codegen } from '../../engine/transform/compiled/codegen-runtime.js';
import { literal } from '../../engine/transform/compiled/codegen.js';
import { junctionClosureEngine, junctionEngine } from '../../engine/transform/junction-engine.js';
import type { LoadedCase } from './corpus/corpus-cases.js';
import { loadCorpus, runJunction, runReference, sameOutcome, show } from './corpus/corpus-cases.js';
import { deviationFor } from './corpus/deviations.js';
import { Gen, genCase, prng } from './fuzz-generator.js';
import { seedSpecBodies } from '../bench/seed-spec-bodies.js';
import { MAPPINGS } from '../bench/transform-mappings.js';

/** Outcomes of the generated path and the closure path that are not identical (values and error codes). */
function pathsDiffer(list: LoadedCase[]): string[] {
  const out: string[] = [];
  for (const c of list) {
    const generated = runJunction(c, junctionEngine);
    const closures = runJunction(c, junctionClosureEngine);
    if (JSON.stringify(generated) !== JSON.stringify(closures))
      out.push(`${c.id} ${c.expr}\n  closures:  ${show(closures)}\n  generated: ${show(generated)}`);
  }
  return out;
}

beforeAll(() => {
  // every case below is evaluated once: generate code from the first evaluation
  codegen.after = 1;
});

describe('generated code and closures agree', () => {
  it('is on in this process and generates code for an expression once it is evaluated', () => {
    expect(codegen.enabled).toBe(true);
    const before = codegen.units;
    const expr = junctionEngine.compile('a[b > 1].{"c": b & "x"}');
    expect(codegen.units).toBe(before);
    expect(expr.evaluate({ a: [{ b: 2 }] })).toEqual({ c: '2x' });
    expect(codegen.units).toBeGreaterThan(before);
  });

  it('by default after 16 evaluations (closures until then, and for an expression evaluated rarely)', () => {
    codegen.after = 16;
    try {
      const before = codegen.units;
      const expr = junctionEngine.compile('a.b & "x"');
      for (let i = 0; i < 15; i++) expect(expr.evaluate({ a: { b: i } })).toBe(`${i}x`);
      expect(codegen.units).toBe(before);
      expect(expr.evaluate({ a: { b: 15 } })).toBe('15x');
      expect(codegen.units).toBeGreaterThan(before);
    } finally {
      codegen.after = 1;
    }
  });

  it('on every differential corpus case, both as jsonata-js recorded it', () => {
    const cases = loadCorpus();
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    expect(pathsDiffer(cases)).toEqual([]);
    const fromReference = cases.filter(
      (c) =>
        c.expected !== undefined &&
        !sameOutcome(runJunction(c, junctionEngine), c.expected) &&
        deviationFor(c.expr) === undefined,
    );
    expect(fromReference.map((c) => c.id)).toEqual([]);
  }, 180_000);

  it('on the bench mappings and seed step bodies, and with jsonata-js', async () => {
    const mappings: LoadedCase[] = [...MAPPINGS, ...seedSpecBodies()].map((m) => ({
      id: m.name,
      expr: m.expr,
      input: m.input,
      bindings: m.bindings,
    }));
    expect(pathsDiffer(mappings)).toEqual([]);
    const differ: string[] = [];
    for (const c of mappings) {
      const ref = await runReference(c);
      if (!sameOutcome(runJunction(c, junctionEngine), ref)) differ.push(`${c.id}: jsonata-js ${show(ref)}`);
    }
    expect(differ).toEqual([]);
  }, 120_000);

  it('on a seeded fuzz sample', () => {
    const g = new Gen(prng(17));
    const cases: LoadedCase[] = [];
    for (let i = 0; i < 2000; i++) {
      const { expr, data } = genCase(g);
      cases.push({ id: `17#${i}`, expr, input: data });
    }
    expect(pathsDiffer(cases)).toEqual([]);
  }, 120_000);
});

/** Field names and strings that would break out of a literal or comment if they were spliced into source. */
const HOSTILE = [
  'a"b',
  "a'b",
  'a`b',
  '${globalThis.pwned = 1}',
  '*/ globalThis.pwned = 1; /*',
  '"]; globalThis.pwned = 1; //',
  "'); globalThis.pwned = 1; ('",
  'line\nbreak',
  'para\u2028graph\u2029end',
  '\\',
  '\\"',
  '</script>',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
];

/** A JSONata backtick name (a backtick itself cannot be written inside one, so it is left out). */
const quoted = (name: string) => '`' + name + '`';
/** A JSONata string literal of `s`. */
const str = (s: string) => JSON.stringify(s);

/** The generated path gives what the closure path gives, and what jsonata-js gives. */
async function agree(expr: string, input: unknown, bindings?: Record<string, unknown>): Promise<void> {
  const c: LoadedCase = { id: expr, expr, input, bindings };
  const [generated, closures, reference] = [
    runJunction(c, junctionEngine),
    runJunction(c, junctionClosureEngine),
    await runReference(c),
  ];
  expect(generated, expr).toEqual(closures);
  expect(sameOutcome(generated, reference), `${expr}: jsonata-js ${show(reference)}`).toBe(true);
}

describe('generated $map and $filter loops', () => {
  it('agree with the closures and jsonata-js on arrays, single values, nothing, arities and nesting', async () => {
    const doc = { a: [{ b: 1 }, { b: 2 }, { b: 3 }], s: { b: 9 } };
    for (const expr of [
      '$map(a, function($v, $i) { {"b": $v.b, "i": $i} })',
      '$filter(a, function($v) { $v.b > 1 })',
      '$map(s, function($v) { $v.b })',
      '$map(nothing, function($v) { $v.b })',
      '$map(a, function($v, $i, $all) { $count($all) + $i })',
      '$map(a, function() { 1 })',
      '$map([1, 2], function($x) { $x := $x + 1 })',
      '$map(a.b, function($x) { $map([1, 2], function($y) { $x * $y }) })',
      '$filter(a, function($v, $i) { $i = 0 }).b',
      '$map(a, function($v) { $v.b = 2 ? undefined : $v.b })',
      '$map("text", function($v) { $v & "!" })',
      '$map(a, function($v) { $v.b + "x" })',
      '($map := function($a, $f) { "mine" }; $map(a, function($v) { $v }))',
    ]) {
      await agree(expr, doc);
    }
  });
});

describe('generated calls of binding functions', () => {
  it('agree with the closures and jsonata-js when a binding gives the function, replaces a library one or is no function', async () => {
    const doc = { id: 7, items: [{ sku: 'A' }, { sku: 'B' }] };
    const bindings = {
      xref: (map: string, id: unknown) => (id === undefined ? undefined : `${map}:${String(id)}`),
      lookup: (table: string, key: unknown) => [table, key],
      string: 'not a function',
      nothing: undefined,
    };
    for (const expr of [
      '$xref("customers", id)',
      'items.$xref("skus", sku)',
      '$xref("customers", missing)',
      '$lookup("t", id)',
      'items.{"k": $lookup("t", sku)}',
      '$string(id)',
      '$nothing(id)',
      '$xref()',
    ]) {
      await agree(expr, doc, bindings);
    }
  });
});

describe('text of the expression never becomes code', () => {
  it('literal() gives a JS literal that reads back as the same value', () => {
    for (const s of [...HOSTILE, '\u0000', '\ud800', 'é😀']) expect(new Function(`return ${literal(s)};`)()).toBe(s);
    for (const n of [0, 1.5, -2, 1e21, 5e-324]) expect(new Function(`return ${literal(n)};`)()).toBe(n);
    // values without a safe literal form go to the constants array instead
    expect(literal(-0)).toBeUndefined();
    expect(literal(NaN)).toBeUndefined();
    expect(literal({})).toBeUndefined();
  });

  it('hostile field names and strings give what jsonata-js gives and run nothing', async () => {
    const g = globalThis as { pwned?: unknown };
    delete g.pwned;
    for (const name of HOSTILE) {
      const doc = { [name]: { [name]: 'v' }, list: [{ [name]: 1 }, { [name]: 2 }] };
      const exprs = [
        `${quoted(name)}.${quoted(name)}`,
        `list[${quoted(name)} > 1].${quoted(name)}`,
        `{${str(name)}: ${str(name)} & ${quoted(name)}.${quoted(name)}}`,
        `list.{"k": ${quoted(name)}, ${str(name)}: ${quoted(name)} = 2 ? ${str(name)} : "no"}`,
        `${quoted(name)}.${quoted(name)} = ${str(name)} ? $uppercase(${str(name)}) : $length(${str(name)})`,
        `$replace(${str(name)}, /a|b/, ${str(name)})`,
        `$lookup(${quoted(name)}, ${str(name)})`,
      ];
      for (const expr of exprs) {
        if (name === 'a`b' && expr.includes('`a`b`')) continue;
        await agree(expr, doc);
      }
    }
    expect(g.pwned).toBeUndefined();
  });

  it('keeps inherited names invisible and __proto__ an ordinary key on the generated path', async () => {
    const doc = { a: { b: 1 }, items: [{ k: 'x' }] };
    for (const expr of [
      'a.constructor',
      'a.__proto__',
      'items.toString',
      '{"__proto__": a.b, "x": 1}',
      'items.{"constructor": k, "hasOwnProperty": k}',
      '$lookup({"GB": "GBP"}, "constructor") ?? "EUR"',
      'items[constructor].k',
    ]) {
      await agree(expr, doc);
    }
    expect(({} as { b?: unknown }).b).toBeUndefined();
  });
});

describe('guards on the generated path', () => {
  it('a generated predicate loop ticks the time guard', () => {
    const expr = junctionEngine.compile('[1..3000000][$ > 0].{"v": $}');
    expect(() => expr.evaluate({}, undefined, { timeoutMs: 1 })).toThrow(
      expect.objectContaining({ code: 'U1001' }) as Error,
    );
  });

  it('recursion through generated code keeps the depth limit', () => {
    const expr = '($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(500))';
    const error = (engine: typeof junctionEngine) => {
      try {
        engine.compile(expr).evaluate({}, undefined, { maxDepth: 200 });
        return undefined;
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(error(junctionEngine)).toBe('U1001');
    expect(error(junctionClosureEngine)).toBe('U1001');
  });
});

describe('without code generation', () => {
  it('the engine runs on closures where the host disallows code generation from strings', () => {
    const engine = fileURLToPath(new URL('../../engine/transform/junction-engine.ts', import.meta.url));
    const runtime = fileURLToPath(new URL('../../engine/transform/compiled/codegen-runtime.ts', import.meta.url));
    const script = [
      `import { junctionEngine } from ${JSON.stringify(engine)};`,
      `import { codegen } from ${JSON.stringify(runtime)};`,
      'codegen.after = 1;',
      `const value = junctionEngine.compile('a[b > 1].{"c": b & "x", "n": $count(a)}').evaluate({ a: [{ b: 1 }, { b: 2 }] });`,
      'console.log(JSON.stringify({ enabled: codegen.enabled, units: codegen.units, value }));',
    ].join('\n');
    const run = spawnSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ enabled: false, units: 0, value: { c: '2x', n: 0 } });
  });

  it('JUNCTION_TRANSFORM_CODEGEN=off compiles to closures only', () => {
    const runtime = fileURLToPath(new URL('../../engine/transform/compiled/codegen-runtime.ts', import.meta.url));
    const script = `import { codegen } from ${JSON.stringify(runtime)}; console.log(String(codegen.enabled));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, JUNCTION_TRANSFORM_CODEGEN: 'off' },
    });
    expect(run.stdout.trim()).toBe('false');
  });
});
