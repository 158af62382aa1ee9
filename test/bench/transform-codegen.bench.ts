/**
 * `npx tsx test/bench/transform-codegen.bench.ts`: the engine's generated code against its closures alone, on the
 * mappings of `npm run bench:transform`, synchronous evaluations in one process, interleaved rounds after a warm-up
 * (so machine load hits both alike). Prints the ratio per mapping and the geometric mean. Figures only.
 * Options: `-- --only <substring>`, `-- --ms <n>` (time per round), `-- --rounds <n>`.
 */
import { junctionClosureEngine, junctionEngine } from '../../engine/transform/junction-engine.js';
import { seedSpecBodies } from './seed-spec-bodies.js';
import { MAPPINGS } from './transform-mappings.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = option('--only');
const ms = Number(option('--ms') ?? 40);
const rounds = Number(option('--rounds') ?? 7);
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

function rate(run: () => unknown, duration: number): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < duration) {
    for (let i = 0; i < 16; i++) run();
    n += 16;
  }
  return (n * 1000) / (performance.now() - start);
}

const ratios: number[] = [];
for (const m of [...seedSpecBodies(), ...MAPPINGS].filter((x) => !only || x.name.includes(only))) {
  const runs = [junctionEngine, junctionClosureEngine].map((engine) => {
    const expr = engine.compile(m.expr);
    return () => expr.evaluate(m.input, m.bindings);
  });
  try {
    for (const run of runs) rate(run, ms * 2);
  } catch {
    continue; // a body that needs other steps' results is not a mapping to measure
  }
  const rates: number[][] = [[], []];
  for (let r = 0; r < rounds; r++) for (let k = 0; k < 2; k++) rates[k].push(rate(runs[k], ms));
  const [generated, closures] = rates.map((list) => list.sort((a, b) => a - b)[Math.floor(rounds / 2)]);
  ratios.push(generated / closures);
  console.log(`${m.name.padEnd(58)} ${(generated / closures).toFixed(2)}x`);
}
console.log(`\ngenerated / closures, geometric mean of ${ratios.length}: ${geomean(ratios).toFixed(3)}x`);
