/**
 * `npm run bench:transform`: Junction's compiled JSONata engine vs jsonata-js vs hand-written JS on (a) a Magento
 * order -> ERP order mapping, (b) the step bodies of specs/**\/*.yaml on a synthetic event, (c) 20 suite expressions.
 * Prints medians of several rounds (evals/s, ratios) and ends with one JSON line of headline figures.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import type { CompiledExpression } from '../../engine/transform/transform-engine.js';
import { DEFAULT_SUITE_DIR, loadSuite, runCase, sameValue, suiteExists } from '../transform/suite-cases.js';
import type { SuiteCase } from '../transform/suite-cases.js';
import { handWritten, magentoOrder, ORDER_BINDINGS, ORDER_MAPPING } from '../transform/order-mapping-fixtures.js';

const ROUNDS = 7;

type Run = () => unknown;

async function batchSize(run: Run): Promise<number> {
  let batch = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) await run();
    if (performance.now() - t > 20) return batch;
    batch *= 2;
  }
}

/**
 * Median evaluations per second of each contender over ROUNDS rounds of about `ms` each. Rounds are interleaved
 * (A, B, C, A, B, C, ...) so that machine load drifts affect every contender alike.
 */
async function evalsPerSecond(runs: Run[], ms = 150): Promise<number[]> {
  const batches: number[] = [];
  for (const run of runs) batches.push(await batchSize(run));
  const rates: number[][] = runs.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < runs.length; k++) {
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < ms) {
        for (let i = 0; i < batches[k]; i++) await runs[k]();
        n += batches[k];
      }
      rates[k].push((n * 1000) / (performance.now() - start));
    }
  }
  return rates.map((list) => list.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]);
}

function specFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return specFiles(p);
    return p.endsWith('.yaml') && !p.endsWith('.test.yaml') ? [p] : [];
  });
}

function stepBodies(): string[] {
  const bodies: string[] = [];
  for (const file of specFiles('specs')) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { kind?: string; steps?: { body?: unknown }[] };
    for (const step of doc?.steps ?? []) if (typeof step.body === 'string') bodies.push(step.body);
  }
  return bodies;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => Number((a / b).toFixed(1));

async function main(): Promise<void> {
  // (a) order mapping
  const order = magentoOrder();
  const ours = junctionEngine.compile(ORDER_MAPPING);
  const ref = referenceEngine.compile(ORDER_MAPPING);
  const expected = handWritten(order, ORDER_BINDINGS);
  if (!sameValue(ours.evaluate(order, ORDER_BINDINGS), await ref.evaluate(order, ORDER_BINDINGS)))
    throw new Error('engines disagree on the order mapping');
  if (!sameValue(ours.evaluate(order, ORDER_BINDINGS), expected)) throw new Error('the hand-written mapping disagrees');
  const [aOurs, aRef, aHand] = await evalsPerSecond([
    () => ours.evaluate(order, ORDER_BINDINGS),
    () => ref.evaluate(order, ORDER_BINDINGS),
    () => handWritten(order, ORDER_BINDINGS),
  ]);
  console.log(
    `(a) order mapping (${ORDER_MAPPING.length} chars): junction ${fmt(aOurs)}/s, jsonata-js ${fmt(aRef)}/s, hand-written ${fmt(aHand)}/s`,
  );
  console.log(
    `    speedup vs jsonata-js ${ratio(aOurs, aRef)}x; hand-written is ${ratio(aHand, aOurs)}x faster than junction`,
  );

  // (b) spec step bodies on a synthetic event
  const bindings = {
    event: order,
    steps: { invoice: { id: 'a0X000001' }, order: { id: 'ORD-1' } },
    result: { id: 'r1' },
    lookup: (_table: string, key: unknown) => (key === undefined ? undefined : `mapped-${String(key)}`),
    xref: (_map: string, id: unknown) => `xref-${String(id)}`,
  };
  const usable: { ours: CompiledExpression; ref: CompiledExpression }[] = [];
  for (const body of stepBodies()) {
    try {
      const o = junctionEngine.compile(body);
      const r = referenceEngine.compile(body);
      const a = o.evaluate(order, bindings);
      const b = await r.evaluate(order, bindings);
      if (sameValue(a, b)) usable.push({ ours: o, ref: r });
    } catch {
      /* bodies that need a different event shape are skipped */
    }
  }
  const [bOurs, bRef] = await evalsPerSecond([
    () => usable.forEach((u) => u.ours.evaluate(order, bindings)),
    async () => {
      for (const u of usable) await u.ref.evaluate(order, bindings);
    },
  ]);
  console.log(
    `(b) ${usable.length} spec step bodies: junction ${fmt(bOurs * usable.length)} evals/s, jsonata-js ${fmt(bRef * usable.length)} evals/s, speedup ${ratio(bOurs, bRef)}x`,
  );

  // (c) 20 suite expressions + conformance totals
  let suitePassed = 0;
  let suiteTotal = 0;
  let cOurs = 0;
  let cRef = 0;
  if (suiteExists(DEFAULT_SUITE_DIR)) {
    const cases = loadSuite(DEFAULT_SUITE_DIR);
    suiteTotal = cases.length;
    for (const c of cases) if ((await runCase(junctionEngine, c)).ok) suitePassed++;
    const picked: SuiteCase[] = cases
      .filter((c) => c.result !== undefined && !c.timelimit && c.data !== undefined)
      .filter((_c, i) => i % 37 === 0)
      .slice(0, 20);
    const compiled = picked.map((c) => ({ c, o: junctionEngine.compile(c.expr), r: referenceEngine.compile(c.expr) }));
    [cOurs, cRef] = await evalsPerSecond([
      () => compiled.forEach((x) => x.o.evaluate(x.c.data, x.c.bindings)),
      async () => {
        for (const x of compiled) await x.r.evaluate(x.c.data, x.c.bindings);
      },
    ]);
    console.log(
      `(c) ${picked.length} suite expressions: junction ${fmt(cOurs * picked.length)} evals/s, jsonata-js ${fmt(cRef * picked.length)} evals/s, speedup ${ratio(cOurs, cRef)}x`,
    );
    console.log(`    conformance: ${suitePassed}/${suiteTotal}`);
  }
  console.log(
    JSON.stringify({
      suite_passed: suitePassed,
      suite_total: suiteTotal,
      speedup_order_mapping: ratio(aOurs, aRef),
      speedup_example_specs: ratio(bOurs, bRef),
      speedup_suite_sample: cRef ? ratio(cOurs, cRef) : null,
      vs_handwritten: Number((aOurs / aHand).toFixed(3)),
    }),
  );
}

await main();
