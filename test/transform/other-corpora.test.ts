/**
 * JSONata corpora from sources other than the official suite (test/transform/other-corpora/): the examples of the
 * JSONata documentation pages, the expressions of dashjoin/jsonata-java's own tests, and edge cases written by area
 * (unicode, numbers, dates, pictures, paths, higher-order functions, sorting and grouping, errors and their
 * positions, real-world mappings). Junction's engine, on closures and on generated code, gives the outcome
 * jsonata-js 2.2.2 gives (strictly: key order, -0, error code and position) on every case outside the documented
 * deviations, and the records are what jsonata-js gives today.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codegen } from '../../engine/transform/compiled/codegen-runtime.js';
import { junctionClosureEngine, junctionEngine } from '../../engine/transform/junction-engine.js';
import type { TransformEngine } from '../../engine/transform/transform-engine.js';
import type { LoadedOtherCase } from './other-corpora/other-corpora-cases.js';
import { agrees, loadOtherCorpora, runEngine, runJsonataJs, showOutcome } from './other-corpora/other-corpora-cases.js';
import { OTHER_DEVIATIONS, otherDeviationFor } from './other-corpora/other-deviations.js';

const cases = loadOtherCorpora();

function disagreements(list: LoadedOtherCase[], engine: TransformEngine): string[] {
  const out: string[] = [];
  for (const c of list) {
    const ours = runEngine(c, engine);
    if (c.expected === undefined) out.push(`${c.id} has no recorded outcome (other-corpora-cli.ts --record)`);
    else if (!agrees(ours, c.expected) && otherDeviationFor(c.expr) === undefined)
      out.push(`${c.id} ${c.expr}\n  jsonata-js: ${showOutcome(c.expected)}\n  junction:   ${showOutcome(ours)}`);
  }
  return out;
}

const savedAfter = codegen.after;
beforeAll(() => {
  // each case is evaluated once: generate code from the first evaluation
  codegen.after = 1;
});
afterAll(() => {
  codegen.after = savedAfter;
});

describe('other corpora', () => {
  it('hold the documentation examples and the edge cases', () => {
    const files = new Set(cases.map((c) => c.id.split('#')[0]));
    expect([...files].sort()).toEqual(['edge-cases', 'jsonata-docs', 'jsonata-java']);
    expect(cases.filter((c) => c.id.startsWith('jsonata-docs#')).length).toBeGreaterThanOrEqual(170);
    expect(cases.filter((c) => c.id.startsWith('edge-cases#')).length).toBeGreaterThanOrEqual(1300);
    expect(cases.filter((c) => c.id.startsWith('jsonata-java#')).length).toBeGreaterThanOrEqual(100);
  });

  it('agree with jsonata-js on closures, outside the documented deviations', () => {
    expect(disagreements(cases, junctionClosureEngine)).toEqual([]);
  }, 120_000);

  it('agree with jsonata-js on generated code, outside the documented deviations', () => {
    expect(disagreements(cases, junctionEngine)).toEqual([]);
  }, 120_000);

  it('document deviations that still occur and only those', () => {
    const stale = OTHER_DEVIATIONS.filter((d) => {
      const hits = cases.filter((c) => c.expr === d.expr);
      return hits.length === 0 || hits.every((c) => c.expected !== undefined && agrees(runEngine(c), c.expected));
    });
    expect(stale.map((d) => d.expr)).toEqual([]);
  });

  it('record what jsonata-js 2.2.2 gives', async () => {
    const stale: string[] = [];
    for (const c of cases) {
      const ref = await runJsonataJs(c);
      if (c.expected === undefined || JSON.stringify(ref) !== JSON.stringify(c.expected))
        stale.push(`${c.id} ${c.expr}: recorded ${showOutcome(c.expected)}, jsonata-js gives ${showOutcome(ref)}`);
    }
    expect(stale).toEqual([]);
  }, 120_000);

  it("match the documentation's stated results except where the page's own data or rounding differs", () => {
    const differ: string[] = [];
    for (const c of cases.filter((x) => x.documented !== undefined && x.expected !== undefined)) {
      let documented: string;
      try {
        documented = c.documented === '' ? 'undefined' : JSON.stringify(JSON.parse(c.documented as string));
      } catch {
        continue; // prose ("Increasing order of price times quantity"), not a value
      }
      const ours = runEngine(c);
      const actual = 'json' in ours ? JSON.stringify(JSON.parse(ours.json)) : 'undefined' in ours ? 'undefined' : '';
      if (actual !== documented) differ.push(c.expr.replace(/\s+/g, ' '));
    }
    expect(differ).toEqual([
      '$power(2, 0.5)', // the page rounds 1.4142135623730951 to 13 digits
      '$sqrt(2)',
      // the page's `Product Name` key is a path (the product's name), and its data has a Category field
      'Account.Order.Product.{ `Product Name`: $.\'Product Name\', `Category`: $.Category ?: "Uncategorized" }',
      // a stray quote (`Rating"`) and data with ratings that the invoice has not
      'Account.Order.{ "OrderID": OrderID, Rating": ($sum(Product.Rating) / $count(Product.Rating)) ?? 0 }',
      'Account.Order.Product{`Product Name`: $sum($.(Price*Quantity))}', // 206.70000000000002 shown as 206.7
    ]);
  });
});
