/**
 * Per-key order across a hot reload: a key parked by a retry at one commit, a newer event of it stored after the
 * reload. The parked event keeps its commit (its first attempt's mapping), the newer one runs the new commit, and
 * they reach the target in ingest order, so the newer mapping is what the record holds at the end. `junction trace`
 * says which commit each attempt ran and that the retries were pinned.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';
import { junction } from '../ops/cli-in-process.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const mapping = (version: string) =>
  integrationYaml({
    body: `{ "key": $string(id), "seq": seq, "status": status, "mapping": "${version}" }`,
    maxAttempts: 100,
    initial: '50ms',
    max: '200ms',
  });

it('a key parked at one commit and a newer event after a reload reach the target in order', async () => {
  h = await startRuntimeHarness({ integrations: [mapping('v1')] });
  await h.engine.applySpecSet({ ...h.specSet, commit: 'c1' });
  let down = true;
  h.target.fault = (r) => (down && r.key === '1' ? { respond: { status: 503 } } : undefined);
  await h.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => h!.target.requests.length >= 2, 'the first event retried while its key is parked');
  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [mapping('v2')], { commit: 'c2' }));
  await h.post('orders', { id: 1, seq: 2, status: 'paid' });
  const sent = h.target.requests.length;
  await waitFor(() => h!.target.requests.length >= sent + 2, 'the parked event retried twice more');
  // The newer event waits behind its parked key.
  expect(h.target.requests.map((r) => r.body?.seq)).not.toContain(2);
  down = false;
  await waitFor(() => h!.target.records.get('1')?.seq === 2, 'both delivered');
  await expectDrained(h.nats.url);
  expect(h.target.committedOrder.get('1')).toEqual([1, 2]);
  // Each with its own commit's mapping: the retry kept c1's.
  const last = (seq: number) => h!.target.requests.filter((r) => r.body?.seq === seq).at(-1)?.body;
  expect(last(1)).toEqual({ key: '1', seq: 1, status: 'new', mapping: 'v1' });
  expect(h.target.records.get('1')).toEqual({ key: '1', seq: 2, status: 'paid', mapping: 'v2' });

  // The trace names the commit of every attempt, and why the retries ran c1 after c2 was live.
  const trace = await junction('trace', 'orders', '1', '--nats', h.nats.url);
  const attempts = trace.stdout.split('\n').filter((line) => /^ {2}#\d/.test(line));
  const pinned = " (pinned: a retry keeps its first attempt's commit; a dead-letter replay runs the active one)";
  const event1 = attempts.filter((line) => !line.includes('commit c2'));
  expect(event1[0]).toMatch(/^ {2}#1 {2}\S+Z {2}retrying {8}commit c1 {2}http-5xx 503: /);
  for (const line of event1.slice(1, -1))
    expect(line).toMatch(new RegExp(`retrying        commit c1${esc(pinned)}  http-5xx 503: `));
  expect(event1.at(-1)).toMatch(new RegExp(`^  #\\d+  \\S+Z  delivered       commit c1${esc(pinned)}$`));
  expect(attempts.filter((line) => line.includes('commit c2'))).toEqual([
    expect.stringMatching(/^ {2}#1 {2}\S+Z {2}delivered {7}commit c2$/),
  ]);
});

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
