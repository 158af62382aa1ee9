/** Hermetic unit tests of the runtime's pure parts: signatures and subjects (error fates: error-fate.test.ts). */
import { describe, expect, it } from 'vitest';
import { deadLetterId } from '../../engine/runtime/stores/dead-letter-store.js';
import {
  consumerName,
  eventSubject,
  fromKeyToken,
  keyToken,
  parseEventSubject,
  partitionOf,
} from '../../engine/runtime/broker/subjects.js';
import type { WebhookVerification } from '../../engine/compiler/compiled-spec.js';
import {
  claimedSignature,
  digestMatches,
  signBody,
  startDigest,
} from '../../engine/runtime/ingest/verify-signature.js';

/** The check ingest makes, in one go: the header's claim, then the body's digest against it. */
function verifySignature(verify: WebhookVerification, secret: string, body: Buffer, header?: string): boolean {
  const claim = claimedSignature(verify, { [verify.header.toLowerCase()]: header });
  return 'candidates' in claim && digestMatches(claim, startDigest(secret, claim).update(body).digest());
}

describe('webhook signatures', () => {
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
    expect(parseEventSubject('junction.events.orders.retry')).toEqual({ integration: 'orders', retry: true });
    expect(parseEventSubject('junction.events.orders.x')).toBeUndefined();
    // Parsed once per subject: the same (frozen) answer again, a bad subject still none.
    const first = parseEventSubject('junction.events.orders.3');
    expect(parseEventSubject('junction.events.orders.3')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(parseEventSubject('junction.events.orders.retry')).toEqual({ integration: 'orders', retry: true });
    expect(parseEventSubject('other.events.orders.3')).toBeUndefined();
    expect(consumerName('orders', 3)).toBe('orders-p3');
    expect(fromKeyToken(keyToken('a b/ü.'))).toBe('a b/ü.');
    expect(keyToken('a.b')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('names a key token by the base64url of its UTF-8, as Node writes it, for any string', () => {
    const chars = ['a', 'Z', '0', ' ', '.', '~', '\x7f', '\x00', 'ü', 'é', '€', '中', '😀', '\ud800', '\udc00'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const strings = ['', 'a', 'ab', 'abc', 'order-42', 'x'.repeat(96), 'x'.repeat(97), '\x7f\x7f\x7f'];
    for (let i = 0; i < 5_000; i++) {
      const ascii = i % 2 === 0; // half only ASCII (the short way), half with anything
      const length = next() % 120;
      let text = '';
      for (let j = 0; j < length; j++)
        text += ascii ? String.fromCharCode(next() % 128) : chars[next() % chars.length]!;
      strings.push(text);
    }
    for (const text of strings) {
      expect(keyToken(text)).toBe(Buffer.from(text).toString('base64url') || '_');
      if (!/[\ud800-\udfff]/.test(text)) expect(fromKeyToken(keyToken(text))).toBe(text);
    }
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
