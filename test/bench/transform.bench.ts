/**
 * `npm run bench:transform`: Junction's compiled JSONata engine vs jsonata-js 2.2.2 (and hand-written JS for a few) on
 * the realistic mapping corpus: the seed specs' step bodies (test/bench/seed-spec-bodies.ts) and the mappings of
 * test/bench/transform-mappings.ts. Prints the ratio per mapping, the geometric mean and the ratio to hand-written
 * JS, and ends with one JSON line of headline figures. Figures only: nothing here is asserted.
 * Options: `-- --only <substring>` (mappings whose name contains it), `-- --ms <n>` (time per round), `-- --warmup <n>`
 * (untimed run of each contender before its rounds, in ms; default 300, so generated code is measured once V8 has
 * optimised it, as a long-running worker runs it: docs/jsonata-engine.md, "With code generation").
 */
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { sameValue } from '../transform/suite-cases.js';
import { seedSpecBodies } from './seed-spec-bodies.js';
import type { Mapping } from './transform-mappings.js';
import { MAPPINGS } from './transform-mappings.js';

const ROUNDS = 5;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Run = () => unknown;

async function batchSize(run: Run, ms: number): Promise<number> {
  let batch = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) await run();
    if (performance.now() - t > ms / 4) return batch;
    batch *= 2;
  }
}

/** Runs a contender untimed for `ms`, so the rounds measure it as a long-running worker runs it (optimised). */
async function warmUp(run: Run, ms: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) for (let i = 0; i < 16; i++) await run();
}

/**
 * Median evaluations per second of each contender after its warm-up; rounds interleave contenders so load drifts hit
 * all alike.
 */
async function evalsPerSecond(runs: Run[], ms: number, warmUpMs: number): Promise<number[]> {
  for (const run of runs) await warmUp(run, warmUpMs);
  const batches: number[] = [];
  for (const run of runs) batches.push(await batchSize(run, ms));
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

const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const fixed = (n: number, d = 1) => Number(n.toFixed(d));

/** The mappings both engines evaluate to the same value (a seed body that needs other steps' results is left out). */
async function comparable(list: Mapping[]): Promise<Mapping[]> {
  const out: Mapping[] = [];
  for (const m of list) {
    try {
      const ours = plain(junctionEngine.compile(m.expr).evaluate(m.input, m.bindings));
      const ref = plain(await referenceEngine.compile(m.expr).evaluate(m.input, m.bindings));
      if (!sameValue(ours, ref)) console.log(`!! engines disagree on "${m.name}": left out`);
      else if (m.handWritten && !sameValue(plain(m.handWritten(m.input as never)), ref))
        console.log(`!! the hand-written "${m.name}" disagrees: left out`);
      else out.push(m);
    } catch {
      // an error is not a mapping to measure
    }
  }
  return out;
}

async function main(): Promise<void> {
  const only = option('--only');
  const ms = Number(option('--ms') ?? 60);
  const warmUpMs = Number(option('--warmup') ?? 300);
  const seeds = await comparable(seedSpecBodies());
  const realistic = await comparable(MAPPINGS);
  const all = [...seeds, ...realistic].filter((m) => !only || m.name.includes(only));
  const ratios: { name: string; ratio: number; seed: boolean }[] = [];
  const vsHand: number[] = [];
  for (const m of all) {
    const ours = junctionEngine.compile(m.expr);
    const ref = referenceEngine.compile(m.expr);
    const runs: Run[] = [() => ours.evaluate(m.input, m.bindings), () => ref.evaluate(m.input, m.bindings)];
    const hand = m.handWritten;
    if (hand) runs.push(() => hand(m.input as never));
    const [o, r, h] = await evalsPerSecond(runs, ms, warmUpMs);
    const ratio = o / r;
    ratios.push({ name: m.name, ratio, seed: seeds.includes(m) });
    let line = `${m.name.padEnd(58)} junction ${Math.round(o).toLocaleString('en-US').padStart(9)}/s  ${fixed(ratio).toString().padStart(5)}x jsonata-js`;
    if (h !== undefined) {
      vsHand.push(o / h);
      line += `  hand-written JS ${fixed(h / o)}x faster than junction`;
    }
    console.log(line);
  }
  const gm = geomean(ratios.map((x) => x.ratio));
  const gmSeed = geomean(ratios.filter((x) => x.seed).map((x) => x.ratio));
  const gmRealistic = geomean(ratios.filter((x) => !x.seed).map((x) => x.ratio));
  console.log(`\n${ratios.length} mappings (${seeds.length} seed spec bodies, ${realistic.length} realistic mappings)`);
  console.log(
    `geometric mean vs jsonata-js: ${fixed(gm)}x (seed bodies ${fixed(gmSeed)}x, realistic ${fixed(gmRealistic)}x)`,
  );
  if (vsHand.length > 0)
    console.log(`junction / hand-written JS (geometric mean of ${vsHand.length}): ${fixed(geomean(vsHand), 3)}`);
  console.log(
    JSON.stringify({
      mappings: ratios.length,
      geomean_vs_jsonata_js: fixed(gm),
      geomean_seed_bodies: fixed(gmSeed),
      geomean_realistic: fixed(gmRealistic),
      min_ratio: fixed(Math.min(...ratios.map((x) => x.ratio))),
      vs_handwritten: vsHand.length ? fixed(geomean(vsHand), 3) : null,
    }),
  );
}

await main();
