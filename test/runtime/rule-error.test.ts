/**
 * An `on_error` rule whose match fails to evaluate on a failure (a JSONata error: `$number` of a text). The spec
 * cannot decide that failure's fate, so the event is dead-lettered at once with a failure that names the rule and its
 * error. Before, the error escaped the attempt as a crash: the event came back until its delivery limit, dead-lettered
 * as "delivered N times without finishing (worker crashes...)", and the lease on its create was never handed back, so
 * its later attempts, and the replay of its dead letter once the target was fixed, found the call in flight and never
 * sent it.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { FOUND_CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it('an on_error rule that fails to evaluate dead-letters the event with what to fix, and its replay creates once', async () => {
  const steps = `${FOUND_CREATE_STEP}\non_error:\n  - { match: '$number(message) > 0', action: skip }`;
  h = await startRuntimeHarness({ integrations: [integrationYaml({ steps, maxAttempts: 3 })] });
  h.target.fault = (r) => (r.method === 'POST' ? { respond: { status: 500 } } : undefined);
  expect((await h.post('orders', { id: 1, seq: 1 })).status).toBe(202);
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'the event dead-lettered', 30_000);
  const [entry] = await h.engine.deadLetters.list();
  expect(entry).toMatchObject({
    integration: 'orders',
    key: '1',
    step: 'create',
    reason: 'permanent',
    attempts: 1,
    error: { code: 'on-error-rule' },
  });
  expect(entry.error.message).toMatch(
    /^on_error rule 1 \(match: \$number\(message\) > 0\) could not be evaluated on this failure: JSONata D3030: .+; fix the rule, then replay the dead letter\. The failure: .*500/,
  );
  const creates = () => h!.target.requests.filter((r) => r.method === 'POST').length;
  expect(creates()).toBe(1);

  // The target is fixed and the dead letter replayed: its attempt looks the record up and creates it, once.
  h.target.fault = undefined;
  const replay = await fetch(`${h.engine.operatorUrl}/api/dlq/${entry.id}/replay`, { method: 'POST' });
  expect(replay.status).toBe(202);
  await waitFor(
    () => h!.target.records.size === 1,
    () => `the replay delivered (creates sent: ${creates()})`,
    30_000,
  );
  expect(creates()).toBe(2);
  expect(h.target.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/records'))).toHaveLength(1);
  await expectDrained(h.nats.url);
}, 90_000);
