/**
 * A transform that builds a string past what V8 can hold (`$replace` of each character of a long field with a long
 * text: 100,000 × 10,000 characters) threw V8's bare `RangeError: Invalid string length`, which dead-lettered as a
 * `transform-error` saying only that (found in the session-18 review). It is the output guard's case, met before the
 * guard could count the value: a `transform-guard` dead letter with U1003, as for any output over the limit.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({ maxBodyBytes: 1_048_576, body: '{ "key": $string(id), "text": $replace(text, "a", by) }' }),
    ],
    transforms: junctionEngine,
  });
});

afterAll(async () => {
  await h?.dispose();
});

it('dead-letters a string past V8’s limit as the output guard’s U1003, and sends nothing', async () => {
  const event = { id: 7, seq: 1, status: 'new', text: 'a'.repeat(100_000), by: 'b'.repeat(10_000) };
  expect((await h.post('orders', event)).status).toBe(202);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered');
  const [entry] = await h.engine.deadLetters.list();
  expect([entry.reason, entry.error.code, entry.error.message]).toEqual([
    'permanent',
    'transform-guard',
    'JSONata U1003: Output too long: the result exceeds the configured maximum length',
  ]);
  expect(h.target.requests).toEqual([]);
});
