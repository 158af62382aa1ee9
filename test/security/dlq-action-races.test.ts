/**
 * Operator actions on one dead letter racing each other, on a real nats-server. A replay claims the entry (compare-
 * and-set) before it publishes, so a resolve that lands while the replay runs is refused, and a replay that read
 * the entry before a resolve landed sends nothing. Before the claim, the replay published first and ignored its
 * failed "replayed" mark: both actions reported success, the target got the event, and the entry said resolved.
 * A replay refused by the broker takes its claim back only if no other replay claimed the entry since: every replay
 * claims, also an entry claimed already. The races are made deterministic by running the other action from inside
 * the replay (its read, its publish).
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { EventPublisher, EventsStreamFullError } from '../../engine/runtime/ingest/event-publisher.js';
import type { PublishRequest, PublishResult } from '../../engine/runtime/ingest/event-publisher.js';
import { OperatorActions } from '../../engine/runtime/operator/operator-actions.js';
import { replayDeadLetter } from '../../engine/runtime/stores/dead-letter-replay.js';
import type { ReplayOutcome } from '../../engine/runtime/stores/dead-letter-replay.js';
import { DeadLetterStore } from '../../engine/runtime/stores/dead-letter-store.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { rawRequest } from './helpers/raw-request.js';
import type { RawResponse } from './helpers/raw-request.js';

let h: RuntimeHarness;
let nc: NatsConnection;
let kvm: Kvm;

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  kvm = new Kvm(jetstream(nc));
});

afterAll(async () => {
  await nc?.close();
  await h?.dispose();
});

const CLI = { kind: 'cli', id: 'second-operator@test' } as const;

/** An open dead letter of `key` (the target refuses it with 422 once, then accepts everything). */
async function deadLetter(key: string): Promise<string> {
  h.target.fault = (req) => (req.body && req.key === key ? { respond: { status: 422 } } : undefined);
  await h.post('orders', { id: Number(key), seq: 1, status: `v1 of ${key}` });
  let id: string | undefined;
  await waitFor(async () => {
    id = (await h.engine.deadLetters.list()).find((e) => e.key === key && e.status === 'open')?.id;
    return id !== undefined;
  }, `key ${key} dead-lettered`);
  h.target.fault = undefined;
  return id!;
}

const resolve = (id: string) =>
  rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/resolve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'fixed by hand' }),
  });

const writes = (key: string) => h.target.requests.filter((r) => r.key === key && r.method === 'PUT' && r.body);

/** Operator actions of a second process (the CLI on NATS) whose replay runs `during` at the given moment. */
async function secondOperator(moment: 'after-read' | 'during-publish', during: () => Promise<void>) {
  class RacingStore extends DeadLetterStore {
    override async get(id: string, integration?: string) {
      const found = await super.get(id, integration);
      if (moment === 'after-read') await during();
      return found;
    }
  }
  class RacingPublisher extends EventPublisher {
    override async publish(request: PublishRequest): Promise<PublishResult> {
      if (moment === 'during-publish') await during();
      return super.publish(request);
    }
  }
  return new OperatorActions({
    deadLetters: new RacingStore(await kvm.open(BUCKET_NAMES.dlq, { bindOnly: true })),
    publisher: new RacingPublisher(jetstream(nc), () => TEST_TUNING.partitions!, 5_000),
    audit: h.engine.actions.audit,
  });
}

it('refuses a resolve that lands while a replay publishes: the entry ends replayed, the target writes once', async () => {
  const id = await deadLetter('21');
  let resolved: RawResponse | undefined;
  const actions = await secondOperator('during-publish', async () => void (resolved ??= await resolve(id)));

  const outcome = await actions.replay(CLI, id);

  expect(outcome).toMatchObject({ status: 'replayed', entry: { id } });
  expect(resolved?.status).toBe(409);
  expect(resolved?.json).toMatchObject({ error: 'replay-started' });
  expect(String(resolved?.json?.message)).toMatch(
    new RegExp(
      `^dead letter ${id} is being replayed: a replay started at \\S+ and may have sent the event; replay it again`,
    ),
  );
  await waitFor(() => h.target.records.get('21')?.status === 'v1 of 21', 'v1 written by the replay');
  await expectDrained(h.nats.url);
  const stored = (await h.engine.deadLetters.get(id))!.entry;
  expect(stored).toMatchObject({ status: 'replayed', replayStartedAt: expect.any(String) });
  expect(stored.resolution).toBeUndefined();
  expect(writes('21')).toHaveLength(2);
});

it('sends nothing when a resolve lands between the replay reading the entry and claiming it', async () => {
  const id = await deadLetter('22');
  let resolved: RawResponse | undefined;
  const actions = await secondOperator('after-read', async () => void (resolved ??= await resolve(id)));

  const outcome = await actions.replay(CLI, id);

  expect(resolved?.status).toBe(200);
  expect(outcome).toMatchObject({ status: 'already-resolved' });
  await expectDrained(h.nats.url);
  expect(writes('22')).toHaveLength(1);
  expect(h.target.records.has('22')).toBe(false);
  expect((await h.engine.deadLetters.get(id))!.entry).toMatchObject({
    status: 'resolved',
    resolution: { reason: 'fixed by hand' },
  });
  const [latest] = await h.engine.actions.audit.recent({ limit: 1 });
  expect(latest.entry).toMatchObject({ action: 'dlq.replay', target: id, result: 'failed', actor: CLI });
});

it('delivers once when two operators replay the same entry at once', async () => {
  const id = await deadLetter('23');
  let first: RawResponse | undefined;
  const replayOverApi = () => rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/replay`, { method: 'POST' });
  const actions = await secondOperator('during-publish', async () => void (first ??= await replayOverApi()));

  const second = await actions.replay(CLI, id);

  expect(first?.status).toBe(202);
  expect(second).toMatchObject({ status: 'replayed', seq: first?.json?.seq });
  await waitFor(() => h.target.records.get('23')?.status === 'v1 of 23', 'v1 written by the replay');
  await expectDrained(h.nats.url);
  expect(writes('23')).toHaveLength(2);
  expect((await h.engine.deadLetters.get(id))!.entry.status).toBe('replayed');
});

it('keeps the claim of a second replay when the first one is refused meanwhile: the entry ends replayed', async () => {
  const id = await deadLetter('24');
  const store = new DeadLetterStore(await kvm.open(BUCKET_NAMES.dlq, { bindOnly: true }));
  let second: Promise<ReplayOutcome> | undefined;
  // The second replay claims the entry while the first publishes, and publishes (stores) once the first was refused.
  class AfterFirst extends EventPublisher {
    override async publish(request: PublishRequest): Promise<PublishResult> {
      await first.catch(() => undefined);
      return super.publish(request);
    }
  }
  class RefusedOnceClaimedAgain extends EventPublisher {
    override async publish(): Promise<PublishResult> {
      const claimed = (await store.get(id))!.revision;
      second = replayDeadLetter(store, new AfterFirst(jetstream(nc), () => TEST_TUNING.partitions!, 5_000), id);
      await waitFor(async () => (await store.get(id))!.revision > claimed, 'the second replay claimed the entry');
      throw new EventsStreamFullError(new Error('maximum bytes exceeded'));
    }
  }

  const first = replayDeadLetter(store, new RefusedOnceClaimedAgain(jetstream(nc), () => 1, 5_000), id);

  await expect(first).rejects.toThrow(EventsStreamFullError);
  expect(await second).toMatchObject({ status: 'replayed' });
  await waitFor(() => h.target.records.get('24')?.status === 'v1 of 24', 'v1 written by the second replay');
  await expectDrained(h.nats.url);
  expect(writes('24')).toHaveLength(2);
  expect((await h.engine.deadLetters.get(id))!.entry).toMatchObject({ status: 'replayed' });
});
