/**
 * The official JSONata test suite, one `it` per group, against Junction's compiled engine: its closures (each case is
 * evaluated once, before the engine generates code) and its generated code (generated from the first evaluation).
 */
import { describe, expect, it } from 'vitest';
import { codegen } from '../../engine/transform/compiled/codegen-runtime.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { DEFAULT_SUITE_DIR, loadSuite, runCase, suiteExists } from './suite-cases.js';
import type { SuiteCase } from './suite-cases.js';

/**
 * Cases the engine does not pass, with the reason (mirrored in docs/jsonata-engine.md). Currently none: every case of
 * the suite passes. Add `'<group>/<case>': 'reason'` here rather than weakening a comparison.
 */
const KNOWN_FAILURES: Record<string, string> = {};

const dir = process.env.JSONATA_SUITE_DIR ?? DEFAULT_SUITE_DIR;
const present = suiteExists(dir);
const groups = new Map<string, SuiteCase[]>();
if (present) {
  for (const c of loadSuite(dir)) {
    const list = groups.get(c.group) ?? [];
    list.push(c);
    groups.set(c.group, list);
  }
}

describe('JSONata test suite (junction engine)', () => {
  // Never skipped: without the suite, the engine's conformance would go unchecked while CI stays green.
  it('finds the suite', () => {
    expect(
      present,
      `the official JSONata suite is missing at ${dir}: put it there (../shared/jsonata-test-suite beside the checkout) or set JSONATA_SUITE_DIR`,
    ).toBe(true);
    expect(groups.size).toBeGreaterThan(100);
  });

  for (const [label, after] of [
    ['closures', codegen.after],
    ['generated code', 1],
  ] as const) {
    for (const [group, cases] of groups) {
      it(`${group} (${label})`, async () => {
        const saved = codegen.after;
        codegen.after = after;
        const failures: string[] = [];
        try {
          for (const c of cases) {
            const outcome = await runCase(junctionEngine, c);
            const known = KNOWN_FAILURES[c.id] !== undefined;
            if (!outcome.ok && !known) failures.push(`${c.id}: ${c.expr}\n  ${outcome.detail}`);
            if (outcome.ok && known) failures.push(`${c.id} passes now: remove it from KNOWN_FAILURES`);
          }
        } finally {
          codegen.after = saved;
        }
        expect(failures).toEqual([]);
      });
    }
  }
});
