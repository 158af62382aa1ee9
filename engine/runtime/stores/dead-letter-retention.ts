/**
 * How long dead letters (customer data) are kept: the DLQ bucket's `max_age`, so the broker itself deletes an entry
 * that long after its last change (a replay or resolve mark is a change), on every engine and with none running.
 * Applied at start; a changed setting updates the existing bucket.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { BUCKET_NAMES } from '../broker/provision.js';

/** The broker's dedup window must not exceed max_age; KV uses 2 minutes. */
const KV_DUPLICATE_WINDOW_MS = 120_000;

export async function applyDeadLetterRetention(jsm: JetStreamManager, retentionMs: number): Promise<void> {
  if (!(retentionMs >= 1000)) throw new RangeError(`DLQ retention must be at least 1 s, got ${retentionMs} ms`);
  const stream = `KV_${BUCKET_NAMES.dlq}`;
  const info = await jsm.streams.info(stream);
  const maxAge = nanos(retentionMs);
  if (info.config.max_age === maxAge) return;
  await jsm.streams.update(stream, {
    max_age: maxAge,
    duplicate_window: nanos(Math.min(retentionMs, KV_DUPLICATE_WINDOW_MS)),
  });
}
