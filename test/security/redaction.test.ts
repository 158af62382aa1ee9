/**
 * Security item: one redaction module. The HTTP stack (requests in plans, errors, fixtures) and the runtime (DLQ
 * entries as the API and CLI show them) used two key lists that disagreed (`signature`, `credential`, `session`),
 * and neither masked short names like `pass`, `pin` or `ssn`. Both now go through engine/http/redact.ts: the same
 * corpus of nested secrets is masked the same way by both paths, at any depth.
 */
import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  isSecretKey,
  redactBody,
  redactFields,
  redactJsonText,
  redactSecretValues,
  redactUrl,
  secretFieldValues,
} from '../../engine/http/redact.js';
import { redactedView } from '../../engine/runtime/stores/dead-letter-store.js';
import type { DeadLetter } from '../../engine/runtime/stores/dead-letter-store.js';

/** Secret-looking keys at three levels, in arrays, in several spellings; and ordinary keys that must stay. */
const CORPUS = {
  order: { id: 7, passenger: 'Ada', compass: 'N', tokenizer: 'x', session_count: 3 },
  customer: {
    name: 'Ada',
    auth: { password: 'p1', pin: '1234', ssn: '078-05-1120', Pass: 'p2', pwd: 'p3' },
    devices: [{ sessionId: 's1', 'x-signature': 'sig', credentials: { user: 'u', key: 'k' } }],
  },
  payment: { card: { api_key: 'k', privateKey: 'pk', client_secret: 'cs', refresh_token: 'rt', session: 'ss' } },
};

const MASKED = {
  order: { id: 7, passenger: 'Ada', compass: 'N', tokenizer: REDACTED, session_count: 3 },
  customer: {
    name: 'Ada',
    auth: REDACTED,
    devices: [{ sessionId: REDACTED, 'x-signature': REDACTED, credentials: REDACTED }],
  },
  payment: {
    card: {
      api_key: REDACTED,
      privateKey: REDACTED,
      client_secret: REDACTED,
      refresh_token: REDACTED,
      session: REDACTED,
    },
  },
};

function deadLetter(event: unknown, body: unknown): DeadLetter {
  return {
    id: 'x-0',
    integration: 'orders',
    eventId: 'e',
    key: 'k',
    subject: 'junction.events.orders.0',
    event,
    commit: 'c',
    request: { step: 's', connection: 'c', operation: 'o', method: 'POST', path: '/', body },
    error: { code: 'validation', message: 'm' },
    reason: 'permanent',
    attempts: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
    status: 'open',
  };
}

describe('one redaction module', () => {
  it('masks the same nested secrets in the HTTP stack and in dead letters shown to operators', () => {
    expect(redactFields(CORPUS)).toEqual(MASKED);
    expect(redactBody(CORPUS, [])).toEqual(MASKED);
    const view = redactedView(deadLetter(CORPUS, CORPUS));
    expect(view.event).toEqual(MASKED);
    expect(view.request?.body).toEqual(MASKED);
    // The stored event is left exact (replay needs it): only the view is masked.
    expect(CORPUS.customer.auth.password).toBe('p1');
  });

  it('tells secret keys from ordinary ones', () => {
    for (const key of ['Authorization', 'set-cookie', 'X-Hub-Signature-256', 'passwd', 'passphrase', 'apiKey', 'PIN'])
      expect([key, isSecretKey(key)]).toEqual([key, true]);
    for (const key of ['passenger', 'bypass', 'pinned', 'keyboard', 'sku', 'session_count', 'description'])
      expect([key, isSecretKey(key)]).toEqual([key, false]);
  });

  it('walks any depth without recursion, and keeps shared references shared', () => {
    let deep: Record<string, unknown> = { password: 'p' };
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    let copy = redactFields(deep) as Record<string, unknown>;
    for (let i = 0; i < 20_000; i++) copy = copy.a as Record<string, unknown>;
    expect(copy).toEqual({ password: REDACTED });
    const shared = { sku: 'A' };
    const out = redactFields({ x: shared, y: shared }) as { x: object; y: object };
    expect(out.x).toBe(out.y);
    expect(out.x).toEqual({ sku: 'A' });
  });

  it('masks user info, secret query parameters and secret values, also URL-encoded, in URLs', () => {
    expect(redactUrl('https://user:pa55word@api.example.com/x/t0ken%2Fv1?api_key=k&page=2', ['t0ken/v1'])).toBe(
      `https://${REDACTED}@api.example.com/x/${REDACTED}?api_key=${encodeURIComponent(REDACTED)}&page=2`,
    );
  });

  it('masks a short or all-digit secret where it stands alone, never inside a longer word or number', () => {
    const text = 'PIN 4821 refused (pin=4821&x); order 148213, ref 4821abc, "4821", 2026-4821, 604317 != 6043170';
    expect(redactSecretValues(text, ['4821', '604317'])).toBe(
      `PIN ${REDACTED} refused (pin=${REDACTED}&x); order 148213, ref 4821abc, "${REDACTED}", 2026-${REDACTED}, ` +
        `${REDACTED} != 6043170`,
    );
    // A long secret is masked wherever it is, glued to a prefix too; a long all-digit one only standing alone.
    expect(redactSecretValues('sk_live_hunter2xyz and xhunter2xyz', ['hunter2xyz'])).toBe(
      `sk_live_${REDACTED} and x${REDACTED}`,
    );
    expect(redactSecretValues('acct 123456789012 / 91234567890123', ['123456789012'])).toBe(
      `acct ${REDACTED} / 91234567890123`,
    );
    // The mask never tells the length: a 4-digit and a 40-character secret read the same.
    expect(redactSecretValues('a 4821 b', ['4821'])).toBe(
      redactSecretValues(`a ${'k'.repeat(40)} b`, ['k'.repeat(40)]),
    );
    // Under 4 characters nothing is masked by value (masked by key only).
    expect(redactSecretValues('pin 482', ['482'])).toBe('pin 482');
  });

  it("takes a numeric secret field's digits to mask where they are quoted, and keeps JSON valid", () => {
    expect(secretFieldValues([{ pin: 4821, order: 148213, auth: { code: 604317 } }]).sort()).toEqual([
      '4821',
      '604317',
    ]);
    const body = { pin: 4821, qty: 4821, order: 148213, note: 'pin 4821 is wrong' };
    expect(redactBody(body, ['4821'])).toEqual({
      pin: REDACTED,
      qty: REDACTED,
      order: 148213,
      note: `pin ${REDACTED} is wrong`,
    });
    const line = '{"level":50,"pid":4821,"time":1733448210482,"msg":"PIN 4821 refused"}\n';
    expect(redactJsonText(line, ['4821'])).toBe(
      `{"level":50,"pid":"${REDACTED}","time":1733448210482,"msg":"PIN ${REDACTED} refused"}\n`,
    );
  });
});
