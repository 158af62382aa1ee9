/**
 * `npm run corpus:jsonata` runs the differential corpus (test/transform/corpus/*.json) on Junction's engine and prints
 * every disagreement with jsonata-js's recorded result, grouped by file; documented deviations are listed apart.
 * `-- --record` re-records the expected outcomes by running jsonata-js 2.2.2 (after adding cases).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CorpusFile, LoadedCase } from './corpus-cases.js';
import { corpusFiles, loadCorpus, runJunction, runReference, sameOutcome, show } from './corpus-cases.js';
import { deviationFor } from './deviations.js';

async function record(): Promise<void> {
  for (const path of corpusFiles()) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as CorpusFile;
    for (const c of file.cases) {
      const input = c.dataset !== undefined ? file.datasets[c.dataset] : c.data;
      c.expected = await runReference({ ...c, id: '', input });
    }
    writeFileSync(path, JSON.stringify(file, null, 1) + '\n'); // not prettier-formatted (.prettierignore)
    console.log(`recorded ${file.cases.length} cases in ${path}`);
  }
}

function run(): number {
  const cases = loadCorpus();
  const byFile = new Map<string, string[]>();
  let agreed = 0;
  let deviations = 0;
  for (const c of cases as LoadedCase[]) {
    const ours = runJunction(c);
    if (c.expected !== undefined && sameOutcome(ours, c.expected)) {
      agreed++;
      continue;
    }
    if (deviationFor(c.expr) !== undefined) {
      deviations++;
      continue;
    }
    const file = c.id.split('#')[0];
    const line = `${c.id} ${c.expr.replace(/\s+/g, ' ').slice(0, 140)}\n    jsonata-js: ${show(c.expected)}\n    junction:   ${show(ours)}`;
    byFile.set(file, [...(byFile.get(file) ?? []), line]);
  }
  for (const [file, lines] of byFile) console.log(`== ${file} (${lines.length})\n${lines.join('\n')}`);
  const failed = cases.length - agreed - deviations;
  console.log(`${agreed} passed, ${failed} failed, ${deviations} documented deviations`);
  return failed === 0 ? 0 : 1;
}

if (process.argv.includes('--record')) await record();
else process.exitCode = run();
