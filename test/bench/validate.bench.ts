/**
 * `npm run bench:validate`: validates 1,000 generated integration specs and prints specs/s and ms per spec of each
 * stage (parse, schema, JSONata compile, cross-checks). Target: the 1,000 in under 2 s on a 2-core machine.
 * Every spec's expressions differ (so the compile cache cannot hide compile cost) and every round starts cold.
 */
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { transformEngine } from '../../engine/transform/select-engine.js';
import type { TransformEngineName } from '../../engine/transform/select-engine.js';
import { testConnectors } from '../compiler/test-connectors.js';
import { generateSpecTree } from './generate-specs.js';

const COUNT = 1000;
const ROUNDS = 5;

function benchValidate(engineName: TransformEngineName = 'junction'): Record<string, number> {
  const tree = generateSpecTree(COUNT);
  const base = transformEngine(engineName);
  // A fresh engine object per round: the compile cache is per engine, so every round compiles cold.
  const fresh = () => ({
    connectors: testConnectors(),
    engine: { name: base.name, compile: (source: string) => base.compile(source) },
  });
  const options = fresh();
  const warm = compileSpecTree(generateSpecTree(20), options);
  // the generated $xref maps are filled by hand (a warning), so only errors make them invalid
  const errors = warm.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`generated specs are invalid: ${JSON.stringify(errors[0])}`);
  const runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const result = compileSpecTree(tree, fresh());
    const total = performance.now() - start;
    if (!result.specSet || result.specSet.integrations.size !== COUNT) throw new Error('bench specs did not compile');
    runs.push({ total, ...result.times });
  }
  runs.sort((a, b) => a.total - b.total);
  const median = runs[Math.floor(ROUNDS / 2)];
  const perSpec = (ms: number) => Number((ms / COUNT).toFixed(4));
  const figures = {
    specs: COUNT,
    total_ms: Number(median.total.toFixed(1)),
    specs_per_s: Math.round((COUNT / median.total) * 1000),
    parse_ms_per_spec: perSpec(median.parse),
    schema_ms_per_spec: perSpec(median.schema),
    jsonata_ms_per_spec: perSpec(median.jsonata),
    cross_checks_ms_per_spec: perSpec(median.crossChecks),
  };
  console.log(
    `validate (${engineName} JSONata engine): ${COUNT} specs in ${figures.total_ms} ms (median of ${ROUNDS}) = ${figures.specs_per_s} specs/s`,
  );
  console.log(
    `  per spec: parse ${figures.parse_ms_per_spec} ms, schema ${figures.schema_ms_per_spec} ms, JSONata compile ${figures.jsonata_ms_per_spec} ms, cross-checks ${figures.cross_checks_ms_per_spec} ms`,
  );
  console.log(`  target < 2000 ms: ${figures.total_ms < 2000 ? 'met' : 'MISSED'}`);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const engine = (
    process.argv.includes('--transform-engine')
      ? process.argv[process.argv.indexOf('--transform-engine') + 1]
      : 'junction'
  ) as TransformEngineName;
  console.log(JSON.stringify(benchValidate(engine)));
}
