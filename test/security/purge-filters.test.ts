/**
 * `POST /api/dlq/purge` and `junction dlq purge` delete customer data for good, so a filter that is misspelt, of
 * the wrong type or in the future must be refused, never read as "no filter". Before, the API dropped an
 * `integration` that was not a string (`["orders"]`) or under another name (`integrations`) and purged every
 * integration's entries before `before`; and a `before` in the future (2072 for 2027) purged every entry there was.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { CREATE_STEP, integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({ maxAttempts: 1, owns: '  - { connection: target, object: record, fields: ["*"] }' }),
      integrationYaml({
        name: 'invoices',
        maxAttempts: 1,
        steps: CREATE_STEP,
        owns: '  - { connection: target, object: entry, fields: ["*"] }',
      }),
    ],
  });
  h.target.fault = () => ({ respond: { status: 422 } });
  await h.post('orders', { id: 61, seq: 1, status: 'new' });
  await h.post('invoices', { id: 62, seq: 1, status: 'new' });
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 2, 'both dead-lettered');
});

afterAll(async () => {
  await h?.dispose();
});

const purge = (body: unknown) =>
  rawRequest(`${h.engine.operatorUrl}/api/dlq/purge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const future = new Date(Date.now() + 365 * 86_400_000).toISOString();
const integrations = async () => (await h.engine.deadLetters.list()).map((e) => e.integration).sort();

it('refuses a purge body whose filter is misspelt, of the wrong type or in the future, and purges nothing', async () => {
  const cases: [unknown, string][] = [
    [
      { reason: 'r', integrations: 'orders', before: future },
      'unknown field "integrations" in the purge body: give "reason" and "integration" and/or "before"',
    ],
    [
      { reason: 'r', integration: ['orders'], before: future },
      '"integration" must be an integration name, got ["orders"]',
    ],
    [{ reason: 'r', integration: '', before: future }, '"integration" must be an integration name, got ""'],
    [
      { reason: 'r', integration: 'orders', before: 1_700_000_000_000 },
      '"before" must be an ISO time, got 1700000000000',
    ],
    [
      { reason: 'r', before: future },
      `"before" (${future}) is in the future: every dead letter was created before it; give a past time`,
    ],
  ];
  for (const [body, message] of cases) {
    const res = await purge(body);
    expect({ status: res.status, body: res.json }).toEqual({ status: 400, body: { error: 'bad-request', message } });
  }
  expect(await integrations()).toEqual(['invoices', 'orders']);
  // No entry was touched, and no purge was audited as done.
  const audited = (await h.engine.actions.audit.recent({ limit: 20 })).map((e) => e.entry.action);
  expect(audited).not.toContain('dlq.purge');
});

it('the CLI refuses a --before in the future before it connects', async () => {
  const out = await junction(['dlq', 'purge', '--before', future, '--reason', 'r', '--url', h.engine.operatorUrl!]);
  expect({ code: out.code, stderr: out.stderr.trim() }).toEqual({
    code: 2,
    stderr: `junction: --before ${future} is in the future: every dead letter was created before it; give a past time`,
  });
  expect(await integrations()).toEqual(['invoices', 'orders']);
});

it('a well-formed purge removes only the integration named', async () => {
  const res = await purge({ reason: 'test data', integration: 'orders', before: new Date().toISOString() });
  expect(res.status).toBe(200);
  expect(await integrations()).toEqual(['invoices']);
});
