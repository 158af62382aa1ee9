/**
 * CLI start-up: how long `junction --help`, `--version` and `validate` of one tiny spec set take from the built
 * package (dist/, built first when missing), next to a bare `node -e 0` start, and the ratio. Figures only:
 * the machine's load moves them, so nothing is asserted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'dist/engine/cli/junction.js';
const RUNS = 9;

function medianMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
  }
  return Math.round(times.sort((a, b) => a - b)[RUNS >> 1]);
}

if (!existsSync(`${ROOT}${BIN}`))
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
const node = medianMs(['-e', '0']);
const figures = {
  node_ms: node,
  help_ms: medianMs([BIN, '--help']),
  version_ms: medianMs([BIN, '--version']),
  validate_fixture_specs_ms: medianMs([BIN, 'validate', 'test/plan/fixtures/specs']),
};
const ratio = (ms: number) => (ms / node).toFixed(1);
console.log(`start-up (median of ${RUNS}): node -e 0 ${node} ms`);
console.log(`  junction --help    ${figures.help_ms} ms = ${ratio(figures.help_ms)}x bare node`);
console.log(`  junction --version ${figures.version_ms} ms = ${ratio(figures.version_ms)}x bare node`);
console.log(
  `  junction validate (3 specs) ${figures.validate_fixture_specs_ms} ms = ${ratio(figures.validate_fixture_specs_ms)}x bare node`,
);
console.log(JSON.stringify({ ...figures, help_ratio: Number(ratio(figures.help_ms)) }));
