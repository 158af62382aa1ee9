/**
 * Replay safety (replay-safety.test.ts) for a later event still in flight: a dead-lettered v1 replayed while v2 of the
 * same record is being retried would queue behind v2 (per-key order) and be delivered after it, writing v1's data over
 * v2's. Only delivered events were checked, so such a replay was accepted and the target ended with v1. Now a later
 * event whose last attempt is to be retried flags the replay as stale too (`--force` replays anyway).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { openDeadLetter } from './helpers/open-dead-letter.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;

beforeAll(async () => {
  // Retries for minutes: the later event stays in flight until the test lets the target take it.
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ maxAttempts: 1000, initial: '100ms', max: '300ms' })],
  });
});

afterAll(async () => {
  await h?.dispose();
});

const deadLettered = (key: string) => openDeadLetter(h, key);

const replay = (id: string) => rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/replay`, { method: 'POST' });

it('refuses to replay v1 while a later v2 of the record is being retried (it would be delivered first)', async () => {
  // v1 is refused once (then dead-lettered); v2 fails with 503 and is retried until v2Accepted.
  let v2Accepted = false;
  h.target.fault = (req) =>
    req.body?.key !== '70'
      ? undefined
      : req.body.status === 'v1'
        ? req.attempt === 1
          ? { respond: { status: 422 } }
          : undefined
        : v2Accepted
          ? undefined
          : { respond: { status: 503 } };
  await h.post('orders', { id: 70, seq: 1, status: 'v1' });
  const v1 = await deadLettered('70');
  await h.post('orders', { id: 70, seq: 2, status: 'v2' });
  const trace = async () =>
    ((await rawRequest(`${h.engine.operatorUrl}/api/trace?integration=orders&key=70`)).json?.attempts ?? []) as {
      eventId: string;
      outcome: string;
      at: string;
      storedAt: string;
    }[];
  await waitFor(
    async () => (await trace()).some((a) => a.outcome === 'retrying'),
    'v2 retrying (the target answers 503)',
  );

  const refused = await replay(v1.id);
  expect(refused.status).toBe(409);
  const v2 = (await trace()).find((a) => a.outcome === 'retrying')!;
  expect(refused.json).toMatchObject({
    error: 'stale',
    newer: { eventId: v2.eventId, storedAt: v2.storedAt, lastFailedAt: expect.any(String) },
  });
  expect(refused.json?.newer).not.toHaveProperty('deliveredAt');
  expect(String(refused.json?.message)).toBe(
    `a later event of key 70 (stored at ${v2.storedAt}) is still being retried (its last attempt failed at ` +
      `${(refused.json?.newer as { lastFailedAt: string }).lastFailedAt}): it will be delivered before this replay, ` +
      'which would then write older data over it; replay with ?force=1 to do it anyway',
  );
  const cli = await junction(['dlq', 'replay', v1.id, '--nats', h.nats.url]);
  expect(cli.stdout).toBe(
    `${v1.id}  stale (event ${v2.eventId} of the same key is being retried; --force replays anyway)\n`,
  );

  v2Accepted = true;
  await waitFor(() => h.target.records.get('70')?.status === 'v2', 'v2 delivered');
  await expectDrained(h.nats.url);
  expect(h.target.records.get('70')?.status).toBe('v2');
  expect((await h.engine.deadLetters.get(v1.id))!.entry.status).toBe('open');
  // Now v2's delivery is what the replay would overwrite (its trace record is written after the delivery).
  let shown: Record<string, unknown> | undefined;
  await waitFor(
    async () => {
      shown = (await rawRequest(`${h.engine.operatorUrl}/api/dlq/${v1.id}`)).json;
      return (shown?.stale as { deliveredAt?: string } | undefined)?.deliveredAt !== undefined;
    },
    () => `v2's delivery flagged (last: ${JSON.stringify(shown?.stale)})`,
  );
  expect(shown).toMatchObject({ status: 'open', stale: { eventId: v2.eventId } });
});
