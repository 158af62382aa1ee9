/**
 * `junction test --update`: rewrites each case's `expect` from the actual plan, through the YAML Document API so
 * comments and the rest of the file survive, for review in the PR diff.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { expectationFrom } from './check-expectations.js';
import type { CaseReport } from './run-spec-tests.js';

/**
 * Rewrites the `expect` of every case whose plan differs from it (paths resolved with `resolvePath`); returns the
 * files changed. Field problems stay: no expectation can make a bad write right.
 */
export async function updateExpectations(
  reports: readonly CaseReport[],
  resolvePath: (file: string) => string,
): Promise<string[]> {
  const byFile = new Map<string, CaseReport[]>();
  for (const r of reports)
    if (r.result && r.differences.length > 0) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const changed: string[] = [];
  for (const [file, cases] of byFile) {
    const path = resolvePath(file);
    const doc = parseDocument(await readFile(path, 'utf8'), { merge: true });
    for (const c of cases) {
      // A case that asserted its key keeps asserting it (with the key the plan gives now).
      const key = doc.getIn(['cases', c.index, 'expect', 'key']) !== undefined;
      doc.setIn(['cases', c.index, 'expect'], doc.createNode(expectationFrom(c.result!, { key })));
    }
    // lineWidth 0: flow collections the author wrote stay on one line
    await writeFile(path, doc.toString({ lineWidth: 0 }));
    changed.push(file);
  }
  return changed;
}
