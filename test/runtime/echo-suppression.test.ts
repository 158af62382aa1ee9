/**
 * Fault 17: a bidirectional pair. A's change is written to B; B emits a change event for our own write; the event
 * is recognised as an echo (the body equals the last one we wrote to that record) and nothing ping-pongs.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { twoWayPair } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it('fault 17: an echo of our own write is suppressed, with no ping-pong', async () => {
  h = await startRuntimeHarness({ integrations: twoWayPair() });
  // Like Magento or an ERP, the target emits a change event on every write (with a new version), even a no-op one.
  const versions = new Map<string, number>();
  const changeEvents: Promise<{ status: number }>[] = [];
  h.target.onWrite = (key, record) => {
    const [system, id] = key.split(':');
    const version = (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    changeEvents.push(
      h!.post(system === 'a' ? 'a-to-b' : 'b-to-a', {
        id: Number(id),
        name: record.name,
        stock: record.stock,
        version,
      }),
    );
  };
  h.target.records.set('b:1', { key: 'b:1', name: 'Old', stock: 5 });
  // A user changes the name in A: A's change event reaches a-to-b.
  h.target.records.set('a:1', { key: 'a:1', name: 'New', stock: 5 });
  await h.post('a-to-b', { id: 1, name: 'New', stock: 5, version: 0 });
  await waitFor(() => h!.target.requests.length === 2, 'a-to-b wrote B, and b-to-a wrote A');
  // Both writes' change events stored (the second is the echo), then handled. A fixed 300 ms wait for the echo's
  // webhook raced it: stored later, it was not yet counted below. A ping-pong would show as a third write.
  expect((await Promise.all(changeEvents)).map((r) => r.status)).toEqual([202, 202]);
  await expectDrained(h.nats.url);

  expect(h.target.requests.map((r) => [r.path, r.body])).toEqual([
    ['/records/b%3A1', { key: 'b:1', name: 'New' }],
    ['/records/a%3A1', { key: 'a:1', stock: 5 }],
  ]);
  const status = (await (await fetch(`${h.engine.operatorUrl}/api/status`)).json()) as {
    integrations: { name: string; counts: Record<string, number> }[];
  };
  const counts = Object.fromEntries(status.integrations.map((i) => [i.name, i.counts]));
  // a-to-b: the user's change delivered, then the echo of b-to-a's write to A suppressed.
  expect(counts['a-to-b']).toMatchObject({ in: 2, delivered: 1, echoSuppressed: 1 });
  // b-to-a: B's change event (our own write's echo) carried stock A did not have from us yet: one write.
  expect(counts['b-to-a']).toMatchObject({ in: 1, delivered: 1, echoSuppressed: 0 });
});
