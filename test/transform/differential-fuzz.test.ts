/**
 * Differential fuzzing: generated expressions over generated data, Junction's engine vs jsonata-js (results and error
 * codes).
 */
import { expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { Gen, genData, genExpr, prng } from './fuzz-generator.js';
import { sameValue } from './suite-cases.js';

const CASES = 400;
const SEED = 20_260_817;

type Outcome = { value: unknown } | { code: string };

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { value: await run() };
  } catch (e) {
    return { code: (e as { code?: string }).code ?? `js:${(e as Error).message}` };
  }
}

it(`agrees with jsonata-js on ${CASES} generated expressions (seed ${SEED})`, async () => {
  const g = new Gen(prng(SEED));
  const mismatches: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const expr = genExpr(g);
    const data = genData(g);
    const ours = await outcome(() => junctionEngine.compile(expr).evaluate(data));
    const ref = await outcome(() => referenceEngine.compile(expr).evaluate(data));
    const agree =
      'code' in ours || 'code' in ref
        ? 'code' in ours && 'code' in ref && ours.code === ref.code
        : sameValue(ours.value, ref.value);
    if (!agree)
      mismatches.push(
        `#${i} ${expr}\n  data: ${JSON.stringify(data)}\n  ours: ${JSON.stringify(ours)}\n  ref:  ${JSON.stringify(ref)}`,
      );
  }
  expect(mismatches).toEqual([]);
}, 15_000);
