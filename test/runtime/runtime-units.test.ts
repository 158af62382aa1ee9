/** Hermetic unit tests of the runtime's pure parts: the delivery decision, signatures and subjects. */
import { describe, expect, it } from 'vitest';
import { decideDelivery, deliveryLimitReached, retryDelay } from '../../engine/runtime/worker/delivery-decision.js';
import { deadLetterId } from '../../engine/runtime/stores/dead-letter-store.js';
import {
  consumerName,
  eventSubject,
  fromKeyToken,
  keyToken,
  parseEventSubject,
  partitionOf,
} from '../../engine/runtime/broker/subjects.js';
import { signBody, verifySignature } from '../../engine/runtime/ingest/verify-signature.js';
import type { ExecutionResult } from '../../engine/execute/execution-types.js';

const RETRY = { maxAttempts: 4, initialMs: 100, maxMs: 1000, multiplier: 2 };
const failed = (action: 'retry' | 'dead_letter' | 'skip', retryAfterMs?: number): ExecutionResult => ({
  outcome: 'failed',
  requests: [],
  steps: {},
  unchanged: [],
  failure: { code: 'http-5xx', message: 'x', action, retryAfterMs },
});

describe('decideDelivery', () => {
  it('maps outcomes and failures to one broker action', () => {
    expect(
      decideDelivery({ outcome: 'delivered', requests: [], steps: {}, unchanged: [] }, 1, RETRY, 3_600_000),
    ).toEqual({ kind: 'done', status: 'delivered' });
    expect(
      decideDelivery({ outcome: 'echo_suppressed', requests: [], steps: {}, unchanged: [] }, 1, RETRY, 3_600_000),
    ).toEqual({ kind: 'done', status: 'echo_suppressed' });
    expect(decideDelivery(failed('skip'), 1, RETRY, 3_600_000)).toEqual({ kind: 'done', status: 'skipped' });
    expect(decideDelivery(failed('dead_letter'), 1, RETRY, 3_600_000)).toEqual({
      kind: 'dead_letter',
      reason: 'permanent',
    });
    expect(decideDelivery(failed('retry'), 2, RETRY, 3_600_000, () => 0)).toEqual({ kind: 'retry', delayMs: 100 });
    expect(decideDelivery(failed('retry'), 4, RETRY, 3_600_000)).toEqual({ kind: 'dead_letter', reason: 'exhausted' });
  });

  it('does not spend the retry budget on unavailable runtime state, and ends an event past budget plus spare deliveries', () => {
    const stateDown: ExecutionResult = {
      ...failed('retry'),
      failure: { code: 'state-unavailable', message: 'KV timeout', action: 'retry' },
    };
    expect(decideDelivery(stateDown, 9, RETRY, 3_600_000, () => 0)).toEqual({ kind: 'retry', delayMs: 500 });
    expect([4, 6, 7].map((attempt) => deliveryLimitReached(attempt, RETRY, 2))).toEqual([false, false, true]);
  });

  it('backs off exponentially with equal jitter, capped, and honours a longer Retry-After', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, RETRY, undefined, 3_600_000, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, RETRY, undefined, 3_600_000, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(retryDelay(1, RETRY, 5_000, 3_600_000, () => 1)).toBe(5_000);
    expect(retryDelay(3, RETRY, 10, 3_600_000, () => 0)).toBe(200);
    expect(retryDelay(1, RETRY, 7_200_000, 3_600_000)).toBe(3_600_000);
  });
});

describe('verifySignature', () => {
  const verify = { header: 'X-Signature', secret: '${env:S}', encoding: 'hex' as const, prefix: 'sha256=' };
  const body = Buffer.from('{"id":1}');
  it('accepts the right HMAC and rejects everything else', () => {
    const good = signBody(verify, 'k', body);
    expect(good).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(verify, 'k', body, good)).toBe(true);
    expect(verifySignature(verify, 'other', body, good)).toBe(false);
    expect(verifySignature(verify, 'k', Buffer.from('{"id":2}'), good)).toBe(false);
    expect(verifySignature(verify, 'k', body, good.slice(7))).toBe(false);
    expect(verifySignature(verify, 'k', body, 'sha256=abc')).toBe(false);
    expect(verifySignature(verify, 'k', body, undefined)).toBe(false);
    const b64 = { ...verify, encoding: 'base64' as const, prefix: '' };
    expect(verifySignature(b64, 'k', body, signBody(b64, 'k', body))).toBe(true);
  });
});

describe('subjects and keys', () => {
  it('routes a key to a stable partition and names its consumer', () => {
    expect(partitionOf('order-42', 16)).toBe(partitionOf('order-42', 16));
    const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(String(i), 8)));
    expect(spread.size).toBe(8);
    expect(eventSubject('orders', 3)).toBe('junction.events.orders.3');
    expect(parseEventSubject('junction.events.orders.3')).toEqual({ integration: 'orders', partition: 3 });
    expect(parseEventSubject('other.events.orders.3')).toBeUndefined();
    expect(consumerName('orders', 3)).toBe('orders-p3');
    expect(fromKeyToken(keyToken('a b/ü.'))).toBe('a b/ü.');
    expect(keyToken('a.b')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('names dead letters by a keyed digest and numbers their generations', () => {
    const key = Buffer.alloc(32, 7);
    const first = deadLetterId(key, 'abc_def-ghi');
    expect(first).toMatch(/^[A-Za-z0-9]{22}-0$/);
    expect(deadLetterId(key, 'abc_def-ghi')).toBe(first);
    expect(deadLetterId(key, 'abc_def-ghi', first)).toBe(first.replace(/-0$/, '-1'));
    expect(deadLetterId(Buffer.alloc(32, 8), 'abc_def-ghi')).not.toBe(first);
  });
});
