/**
 * The plan must show what the runtime does with the same event: the same requests (method, path, body as the target
 * received them), or the same failure with the same code and message. Each case runs the event once as a dry run and
 * once through a real engine (real nats-server, the generic HTTP emulator on loopback as the target).
 */
import { afterEach, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import type { DryRunInput, DryRunResult } from '../../engine/plan/dry-run.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { startVendorEngine } from '../runtime/helpers/vendor-engine.js';
import type { VendorEngine } from '../runtime/helpers/vendor-engine.js';

let h: VendorEngine | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const connectors = createConnectorRegistry();

/** An integration on a webhook that writes one record to the target's `/orders`. */
function ordersSpec(body: string, key = '$string(id)'): string {
  return `apiVersion: junction/v1
kind: Integration
name: orders
source: { webhook: { verify: none } }
key: ${key}
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /orders }
    body: '${body}'
owns: [{ connection: target, object: resource, fields: ["*"] }]
retry: { max_attempts: 2, initial: 20ms, max: 50ms }
`;
}

/** The event's plan on the engine's own spec set, with the target's answer recorded as `responses`. */
async function plan(engine: VendorEngine, input: Omit<DryRunInput, 'integration'>): Promise<DryRunResult> {
  return dryRun(await engine.compile({}), connectors, { integration: 'orders', ...input });
}

/** What the target received, as a plan lists its requests. */
function received(engine: VendorEngine) {
  return engine.target.requests.map((r) => ({ method: r.method, path: r.path, body: r.body }));
}

async function post(engine: VendorEngine, event: unknown) {
  const res = await fetch(`${engine.engine.url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sums `lines` by recursion, one level per line (about 3 call sites deep each). */
const RECURSIVE_TOTAL =
  '($sum := function($l, $i){ $i >= $count($l) ? 0 : $l[$i].qty + $sum($l, $i + 1) }; ' +
  '{ "id": $string(id), "qty": $sum(lines, 0) })';

it('plans a transform that recurses deeper than the runtime allows as the same dead letter, not as a write', async () => {
  h = await startVendorEngine({ 'orders.yaml': ordersSpec(RECURSIVE_TOTAL) }, {});
  const small = { id: 1, lines: Array.from({ length: 10 }, () => ({ qty: 1 })) };
  const large = { id: 2, lines: Array.from({ length: 200 }, () => ({ qty: 1 })) };

  // The small order: planned and written alike.
  const smallPlan = await plan(h, { event: small, responses: { write: { status: 201, body: { id: '1' } } } });
  expect((await post(h, small)).status).toBe(202);
  await waitFor(() => h!.target.requests.length === 1, 'the small order written');
  expect(smallPlan.outcome).toBe('delivered');
  expect(received(h)).toEqual([{ method: 'POST', path: '/orders', body: { id: '1', qty: 10 } }]);
  expect(smallPlan.requests.map(({ method, path, body }) => ({ method, path, body }))).toEqual(received(h));

  // The large one: the runtime's guard stops the recursion, and the event is dead-lettered unsent.
  const largePlan = await plan(h, { event: large, responses: { write: { status: 201, body: { id: '2' } } } });
  expect((await post(h, large)).status).toBe(202);
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'the large order dead-lettered');
  const [dead] = await h.engine.deadLetters.list();
  expect(dead).toMatchObject({ integration: 'orders', step: 'write', reason: 'permanent' });
  expect(dead.error.code).toBe('transform-guard');
  expect(dead.error.message).toMatch(/Stack overflow error/);
  expect(received(h)).toHaveLength(1);

  expect(largePlan.requests).toEqual([]);
  expect(largePlan.outcome).toBe('failed');
  expect(largePlan.failure).toMatchObject({
    step: 'write',
    code: dead.error.code,
    message: dead.error.message,
    action: 'dead_letter',
  });
});
