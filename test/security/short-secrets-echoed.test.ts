/**
 * A short or numeric secret a target quotes back: a 4-digit PIN in a secret field of the event (a number, which was
 * not masked by value at all) and a 6-digit API key from the environment (masked inside every longer number that
 * held its digits). The dead letter as the API shows it, the trace and the worker's log line mask both where they
 * stand alone, keep the numbers that merely contain their digits, and the log stays JSON.
 */
import { afterEach, expect, it } from 'vitest';
import { secretPolicy } from '../../engine/compiler/secret-ref.js';
import { capturedLogger, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const PIN = 4821;
const API_KEY = '604317';
const getJson = async (path: string) => (await rawRequest(`${h!.engine.operatorUrl}${path}`)).json!;

it('masks a 4-digit and a 6-digit secret a target quotes in the DLQ view, the trace and the log line', async () => {
  const { logger, lines: logLines } = capturedLogger();
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ maxAttempts: 1, body: '{ "key": $string(id), "seq": seq, "pin": pin }' })],
    env: { SHOP_API_KEY: API_KEY },
    engine: { logger, security: { secretPolicy: secretPolicy(['SHOP_API_KEY']) } },
  });
  // The vendor names the PIN and the key it refused, beside numbers that only contain their digits.
  h.target.fault = (req) => ({
    respond: {
      status: 422,
      body: { message: `PIN ${String(req.body?.pin)} refused for key ${API_KEY} (order 148213, ref 6043170)` },
    },
  });
  await h.post('orders', { id: 71, seq: 1, status: 'new', pin: PIN });
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'dead-lettered');
  const [stored] = await h.engine.deadLetters.list();
  expect(stored.event).toEqual({ id: 71, seq: 1, status: 'new', pin: PIN });

  const quoted = '{"message":"PIN [redacted] refused for key [redacted] (order 148213, ref 6043170)"}';
  const shown = await getJson(`/api/dlq/${stored.id}`);
  expect(shown).toMatchObject({
    event: { pin: '[redacted]' },
    request: { body: { pin: '[redacted]' } },
    error: { message: `target answered 422: ${quoted}` },
    responseExcerpt: quoted,
  });
  const listed = JSON.stringify(await getJson('/api/dlq'));
  expect(listed).toContain('PIN [redacted] refused for key [redacted] (order 148213, ref 6043170)');
  expect(listed).not.toMatch(/\b(4821|604317)\b/);

  const trace = (await getJson('/api/trace?integration=orders&key=71')) as {
    attempts: { error: { message: string }; requests: { body: unknown }[] }[];
  };
  expect(trace.attempts).toHaveLength(1);
  expect(trace.attempts[0].error.message).toBe(`target answered 422: ${quoted}`);
  expect(trace.attempts[0].requests[0].body).toEqual({ key: '71', seq: 1, pin: '[redacted]' });
  expect(JSON.stringify(trace)).not.toMatch(/\b(4821|604317)\b/);

  // Every line is still JSON; the dead-lettered one names the failure with both masked.
  const lines = logLines.map((l) => JSON.parse(l) as { msg: string });
  expect(lines.filter((l) => l.msg.startsWith('dead-lettered:')).map((l) => l.msg)).toEqual([
    expect.stringContaining(`target answered 422: ${quoted}`),
  ]);
  expect(logLines.filter((l) => /\b(4821|604317)\b/.test(l))).toEqual([]);
});
