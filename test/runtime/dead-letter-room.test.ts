/**
 * The room ingest keeps beside every event holds its dead letter at its largest: the largest event ingest takes
 * (max_payload less DEAD_LETTER_RESERVE), failing with a long error at a long path, whose request maps it whole and
 * whose response was long. Before, such an entry was over max_payload, never written, and its event was redelivered
 * for ever, holding its partition.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterEach, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { DEAD_LETTER_RESERVE, MAX_ENTRY_TEXT } from '../../engine/runtime/stores/dead-letter-room.js';
import { DeadLetterStore } from '../../engine/runtime/stores/dead-letter-store.js';
import { storedEventBytes } from '../../engine/runtime/stores/dead-letter-text.js';
import { natsTestBed } from '../helpers/nats-server.js';

const bed = natsTestBed();
afterEach(() => bed.dispose());

it('writes the dead letter of the largest event ingest takes, with its error and path bounded, and marks it replayed', async () => {
  await bed.start();
  const nc = await bed.connect();
  const store = new DeadLetterStore(await new Kvm(jetstream(nc)).create(BUCKET_NAMES.dlq, { history: 1 }));
  const maxPayload = nc.info!.max_payload;
  // As JSON, the event takes all an event may (its headers counted as none: stricter than ingest).
  const filler = 'x'.repeat(maxPayload - DEAD_LETTER_RESERVE - JSON.stringify({ notes: '' }).length);
  const event = { notes: filler };
  // Control characters: 6 bytes each as JSON, the most any character takes.
  const long = '\u0001'.repeat(5000);
  await store.write({
    id: 'big-0',
    integration: 'orders',
    eventId: 'e1',
    key: '1',
    subject: 'junction.events.orders.0',
    event,
    commit: 'c'.repeat(40),
    step: 'upsert',
    request: {
      step: 'upsert',
      connection: 'target',
      operation: 'records.upsert',
      method: 'PUT',
      path: long,
      body: event,
    },
    responseExcerpt: 'r'.repeat(4000),
    error: { code: 'validation', message: long, status: 422 },
    reason: 'permanent',
    attempts: 1,
    createdAt: new Date().toISOString(),
    status: 'open',
  });

  const { entry, revision } = (await store.get('big-0', 'orders'))!;
  expect(entry.event).toEqual(event);
  const bounded = `${'\u0001'.repeat(MAX_ENTRY_TEXT)}… [${5000 - MAX_ENTRY_TEXT} more characters]`;
  expect(entry.error).toEqual({ code: 'validation', message: bounded, status: 422 });
  expect(entry.request).toMatchObject({ path: bounded, method: 'PUT' });
  expect(entry.request!.body).toMatch(
    /^\[omitted: the dead letter with it was \d+ bytes, over the NATS server's max_payload\]$/,
  );
  expect(entry.responseExcerpt).toBeUndefined();
  // A replay's claim and mark fit too.
  const claimed = (await store.markReplayStarted(entry, revision))!;
  expect(await store.markReplayed(claimed.entry, claimed.revision)).toBe(true);
});

it('keeps the event as the bytes stored, so an event that grows when serialised again still fits, and replays byte for byte', async () => {
  await bed.start();
  const nc = await bed.connect();
  const store = new DeadLetterStore(await new Kvm(jetstream(nc)).create(BUCKET_NAMES.dlq, { history: 1 }));
  const maxPayload = nc.info!.max_payload;
  // The largest event ingest takes, all numbers written short: `1e20` is 21 digits once parsed and serialised again,
  // so this event as JSON.stringify writes it is about five times max_payload.
  const count = Math.floor((maxPayload - DEAD_LETTER_RESERVE - '{"n":[]}'.length) / '1e20,'.length);
  const raw = `{"n":[${Array(count).fill('1e20').join(',')}]}`;
  const event = JSON.parse(raw) as { n: number[] };
  expect(Buffer.byteLength(JSON.stringify(event))).toBeGreaterThan(maxPayload);
  await store.write(
    {
      id: 'numbers-0',
      integration: 'orders',
      eventId: 'e2',
      key: '2',
      subject: 'junction.events.orders.1',
      event,
      commit: 'c'.repeat(40),
      error: { code: 'validation', message: 'rejected', status: 422 },
      reason: 'permanent',
      attempts: 1,
      createdAt: new Date().toISOString(),
      status: 'open',
    },
    raw,
  );

  // Compared as text: a failure would print a megabyte of numbers.
  const same = (a: unknown, b: unknown) => expect(JSON.stringify(a) === JSON.stringify(b)).toBe(true);
  const { entry, revision } = (await store.get('numbers-0', 'orders'))!;
  same(entry.event, event);
  expect(storedEventBytes(entry).toString() === raw).toBe(true);
  // Listing reads it the same way, and an answer (JSON) shows the parsed event, not the stored bytes.
  const [listed] = await store.list({ integration: 'orders' });
  same(listed.event, event);
  const answered = JSON.parse(JSON.stringify(listed)) as Record<string, unknown>;
  expect(Object.keys(answered).sort()).toEqual(Object.keys(listed).sort());
  same(answered.event, event);
  // A replay's claim and mark store the bytes again unchanged.
  const claimed = (await store.markReplayStarted(entry, revision))!;
  expect(await store.markReplayed(claimed.entry, claimed.revision)).toBe(true);
  const replayed = (await store.get('numbers-0', 'orders'))!.entry;
  expect(replayed.status).toBe('replayed');
  expect(storedEventBytes(replayed).toString() === raw).toBe(true);
});
