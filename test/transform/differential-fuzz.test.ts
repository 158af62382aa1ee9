/**
 * A seeded sample of the grammar-based fuzzer (`npm run fuzz:jsonata` runs 100k+): generated expressions over typed
 * documents, Junction's engine vs jsonata-js 2.2.2, results and error codes.
 */
import { expect, it } from 'vitest';
import { formatReport, fuzz } from './fuzz-run.js';

const CASES = 3000;
const SEED = 20_261_204;

it(`agrees with jsonata-js on ${CASES} generated cases (seed ${SEED})`, async () => {
  const report = await fuzz(CASES, SEED);
  expect(report.agreed, formatReport(report)).toBe(CASES);
}, 120_000);
