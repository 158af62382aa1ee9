/**
 * Runs the official JSONata test suite against Junction's engine (or `--engine reference` for jsonata-js).
 * Usage: npm run conformance:jsonata -- [--suite <dir>] [--engine junction|reference] [--allow-failures] [--group
 * <name>]
 */
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { DEFAULT_SUITE_DIR, loadSuite, runCase, suiteExists } from '../transform/suite-cases.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dir = option('--suite') ?? DEFAULT_SUITE_DIR;
  const reference = option('--engine') === 'reference';
  const engine = reference ? referenceEngine : junctionEngine;
  const group = option('--group');
  const quiet = process.argv.includes('--quiet');
  if (!suiteExists(dir)) {
    console.error(`JSONata test suite not found at ${dir}.`);
    console.error(
      'Copy it from the jsonata-js repository: git clone https://github.com/jsonata-js/jsonata && ' +
        `cp -r jsonata/test/test-suite ${dir} (or pass --suite <dir>).`,
    );
    process.exit(2);
  }
  const cases = loadSuite(dir).filter((c) => !group || c.group === group);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const c of cases) {
    // jsonata-js has no guards behind the TransformEngine interface: runaway cases would exhaust memory
    if (reference && (c.timelimit !== undefined || c.depth !== undefined)) {
      skipped++;
      continue;
    }
    const outcome = await runCase(engine, c);
    if (outcome.ok) passed++;
    else {
      failed++;
      if (!quiet) console.log(`FAIL ${c.id}: ${c.expr.replace(/\s+/g, ' ').slice(0, 160)}\n     ${outcome.detail}`);
    }
  }
  if (skipped > 0)
    console.log(`(${skipped} cases with a time or depth limit skipped: the reference engine has no guards)`);
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0 && !process.argv.includes('--allow-failures')) process.exit(1);
}

await main();
