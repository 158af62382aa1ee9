/**
 * `npx tsx test/transform/other-corpora/other-corpora-cli.ts` runs the other corpora (documentation examples, edge
 * cases by area) on Junction's engine and prints every disagreement with jsonata-js's recorded outcome, by file and
 * area. `--record` re-records the expected outcomes by running jsonata-js 2.2.2 (after adding cases).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { OtherCorpusFile } from './other-corpora-cases.js';
import {
  agrees,
  loadOtherCorpora,
  otherCorpusFiles,
  runEngine,
  runJsonataJs,
  showOutcome,
} from './other-corpora-cases.js';
import { otherDeviationFor } from './other-deviations.js';

async function record(): Promise<void> {
  for (const path of otherCorpusFiles()) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as OtherCorpusFile;
    for (const c of file.cases) {
      const input = c.dataset !== undefined ? file.datasets[c.dataset] : c.data;
      c.expected = await runJsonataJs({ ...c, id: '', input });
    }
    writeFileSync(path, JSON.stringify(file, null, 1) + '\n'); // not prettier-formatted (.prettierignore)
    console.log(`recorded ${file.cases.length} cases in ${path}`);
  }
}

function run(): number {
  const cases = loadOtherCorpora();
  const groups = new Map<string, string[]>();
  let agreed = 0;
  let deviations = 0;
  for (const c of cases) {
    const ours = runEngine(c);
    if (c.expected !== undefined && agrees(ours, c.expected)) agreed++;
    else if (otherDeviationFor(c.expr) !== undefined) deviations++;
    else {
      const group = `${c.id.split('#')[0]} ${c.area ?? c.page ?? c.test ?? ''}`;
      const line = `${c.id} ${c.expr.replace(/\s+/g, ' ').slice(0, 140)}\n    jsonata-js: ${showOutcome(c.expected)}\n    junction:   ${showOutcome(ours)}`;
      groups.set(group, [...(groups.get(group) ?? []), line]);
    }
  }
  for (const [group, lines] of groups) console.log(`== ${group} (${lines.length})\n${lines.join('\n')}`);
  const failed = cases.length - agreed - deviations;
  console.log(`${agreed} passed, ${failed} failed, ${deviations} documented deviations`);
  return failed === 0 ? 0 : 1;
}

if (process.argv.includes('--record')) await record();
else process.exitCode = run();
