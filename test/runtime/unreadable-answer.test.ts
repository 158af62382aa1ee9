/**
 * A create the target answered 2xx with a body the connector cannot read: the call was sent and the record made, so
 * the dead letter (`invalid-response`) keeps the call's sent mark, and a replay looks the record up instead of
 * creating it a second time. The engine's own HTTP stack (connection client), not the test invoker, reads the answer.
 */
import { afterEach, expect, it } from 'vitest';
import { createStepInvoker } from '../../engine/execute/step-invoker.js';
import type { ConnectorDef } from '../../engine/sdk/connector.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { FOUND_CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';
import { targetConnector } from './helpers/target-connector.js';

/** The fake target's connector, whose create reads the new record's id from the answer, as vendor connectors do. */
const readingConnector: ConnectorDef = {
  ...targetConnector,
  operations: {
    ...targetConnector.operations,
    'records.create': {
      ...targetConnector.operations['records.create'],
      result: (response) => {
        const id = (response.body as { id?: unknown } | undefined)?.id;
        if (typeof id !== 'string') throw new Error('the create answer has no record id');
        return response.body;
      },
    },
  },
};

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it('a create answered 201 with an unreadable body is dead-lettered, and its replay looks the record up', async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ steps: FOUND_CREATE_STEP })],
    engine: {
      invoker: (specSet) =>
        createStepInvoker({
          specSet,
          connectors: new Map([[readingConnector.id, readingConnector]]),
          security: { outbound: { allowPrivateNetwork: false, allowedHosts: [new URL(h!.target.url).host] } },
        }),
    },
  });
  h.target.fault = (r) => (r.method === 'POST' ? { afterCommit: { text: '<html>Created</html>' } } : undefined);
  await h.post('orders', { id: 1, seq: 1 });
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'one dead letter');
  const [entry] = await h.engine.deadLetters.list();
  expect(entry).toMatchObject({
    key: '1',
    step: 'create',
    reason: 'permanent',
    attempts: 1,
    error: { code: 'invalid-response', status: 201, message: 'the create answer has no record id' },
  });
  expect(h.target.effectiveWrites.get('1')).toBe(1);

  const replay = await fetch(`${h.engine.operatorUrl}/api/dlq/${entry.id}/replay`, { method: 'POST' });
  expect(replay.status).toBe(202);
  await waitFor(async () => (await h!.engine.deadLetters.list())[0]?.status === 'replayed', 'marked replayed');
  await waitFor(() => h!.target.requests.length === 2, 'the replay reached the target');
  await expectDrained(h.nats.url);
  // Before: the invalid-response cleared the sent mark, and the replay created the record a second time.
  expect(h.target.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records', 'GET /records?key=1']);
  expect(h.target.effectiveWrites.get('1')).toBe(1);
});
