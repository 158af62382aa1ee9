/**
 * `npm run fuzz:jsonata -- --cases 100000 [--seed N]`: the grammar-based differential fuzzer (Junction vs jsonata-js
 * 2.2.2). Prints disagreements grouped by area and ends with `N passed, M failed`; exit 1 on any disagreement.
 */
import { formatReport, fuzz } from './fuzz-run.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const cases = option('--cases', 100_000);
const seed = option('--seed', 1);
const start = Date.now();
const report = await fuzz(cases, seed, (done) =>
  process.stderr.write(`${done} cases, ${done - 0} run in ${((Date.now() - start) / 1000).toFixed(0)} s\n`),
);
console.log(formatReport(report));
process.exitCode = report.agreed === report.cases ? 0 : 1;
