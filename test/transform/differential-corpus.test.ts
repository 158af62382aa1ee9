/**
 * The differential corpus (test/transform/corpus/*.json, over 2,000 cases from other JSONata implementations' test
 * suites and our own mappings, none in the official suite): Junction's engine gives jsonata-js 2.2.2's recorded
 * outcome on every case outside the documented deviations, and the records are what jsonata-js gives today.
 */
import { describe, expect, it } from 'vitest';
import type { LoadedCase } from './corpus/corpus-cases.js';
import { loadCorpus, runJunction, runReference, sameOutcome, show } from './corpus/corpus-cases.js';
import { DEVIATIONS, deviationFor } from './corpus/deviations.js';
import { seedSpecBodies } from '../bench/seed-spec-bodies.js';
import { MAPPINGS } from '../bench/transform-mappings.js';

const cases = loadCorpus();

function disagreements(list: LoadedCase[]): string[] {
  const out: string[] = [];
  for (const c of list) {
    const ours = runJunction(c);
    if (c.expected === undefined) out.push(`${c.id} has no recorded outcome (npm run corpus:jsonata -- --record)`);
    else if (!sameOutcome(ours, c.expected) && deviationFor(c.expr) === undefined)
      out.push(`${c.id} ${c.expr}\n  jsonata-js: ${show(c.expected)}\n  junction:   ${show(ours)}`);
  }
  return out;
}

describe('differential corpus', () => {
  it('holds at least 1,000 cases beyond the official suite', () => {
    expect(cases.length).toBeGreaterThanOrEqual(1000);
  });

  it('agrees with jsonata-js on every case outside the documented deviations', () => {
    expect(disagreements(cases)).toEqual([]);
  }, 120_000);

  it('documents deviations that still occur and only those', () => {
    const stale = DEVIATIONS.filter((d) => {
      const hits = cases.filter((c) => c.expr === d.expr);
      return (
        hits.length === 0 || hits.every((c) => c.expected !== undefined && sameOutcome(runJunction(c), c.expected))
      );
    });
    expect(stale.map((d) => d.expr)).toEqual([]);
  });

  it('agrees with jsonata-js on the realistic mappings and seed step bodies of the bench', async () => {
    const mappings = [...MAPPINGS, ...seedSpecBodies()];
    expect(mappings.length).toBeGreaterThanOrEqual(50);
    const differ: string[] = [];
    for (const m of mappings) {
      const c = { id: m.name, expr: m.expr, input: m.input, bindings: m.bindings };
      const [ours, ref] = [runJunction(c), await runReference(c)];
      if (!sameOutcome(ours, ref)) differ.push(`${m.name}: jsonata-js ${show(ref)}, junction ${show(ours)}`);
    }
    expect(differ).toEqual([]);
  }, 60_000);

  it('records what jsonata-js 2.2.2 gives', async () => {
    const stale: string[] = [];
    for (const c of cases) {
      const ref = await runReference(c);
      if (c.expected === undefined || !sameOutcome(ref, c.expected) || !sameOutcome(c.expected, ref))
        stale.push(`${c.id} ${c.expr}: recorded ${show(c.expected)}, jsonata-js gives ${show(ref)}`);
    }
    expect(stale).toEqual([]);
  }, 120_000);
});
