/**
 * Request bodies of the operator API's actions (resolve, discard, purge) beyond their 16 KiB limit: answered 413
 * with the limit, on a connection that is closed after the answer, so the next request (the CLI's next id) gets its
 * own answer. The body was read up to the limit and then abandoned with a 400 "give a reason", and the next request
 * sent on that keep-alive connection got no answer at all.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;
const ids: string[] = [];

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 1 })] });
  h.target.fault = () => ({ respond: { status: 422 } });
  for (const id of [51, 52]) await h.post('orders', { id, seq: 1, status: 'new' });
  await waitFor(async () => {
    ids.splice(0, ids.length, ...(await h.engine.deadLetters.list()).map((e) => e.id));
    return ids.length === 2;
  }, 'both dead-lettered');
});

afterAll(async () => {
  await h?.dispose();
});

const TOO_LARGE = {
  error: 'body-too-large',
  message: 'the request body is larger than 16384 bytes: send {"reason": "…"} with a shorter reason',
};

it('answers 413 to a body over the limit, and the next request on that connection its own answer', async () => {
  const big = JSON.stringify({ reason: 'x'.repeat(100_000) });
  const post = (body: string) =>
    rawRequest(`${h.engine.operatorUrl}/api/dlq/${ids[0]}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const refused = await post(big);
  expect({ status: refused.status, body: refused.json, connection: refused.headers.connection }).toEqual({
    status: 413,
    body: TOO_LARGE,
    connection: 'close',
  });
  const resolved = await post(JSON.stringify({ reason: 'fixed by hand' }));
  expect({ status: resolved.status, body: resolved.json }).toEqual({ status: 200, body: { resolved: ids[0] } });
});

it('lets the CLI report every id when its reason is too long', async () => {
  const cli = await junction([
    'dlq',
    'discard',
    ...ids,
    '--reason',
    'y'.repeat(20_000),
    '--url',
    h.engine.operatorUrl!,
  ]);
  expect(cli).toEqual({
    code: 1,
    stdout: ids.map((id) => `${id}  failed (the engine answered 413: ${TOO_LARGE.message})\n`).join(''),
    stderr: '',
  });
  expect((await h.engine.deadLetters.list()).map((e) => e.id).sort()).toEqual([...ids].sort());
});
