/**
 * A trace record as stored (engine/runtime/stores/trace-log.ts, `traceJson`): every field of the attempt, request
 * bodies and step results kept whole up to 2 KB of JSON and cut beyond it, marked with their full length. The JSON is
 * assembled from each piece's own serialisation, so it must parse to exactly that record.
 */
import { describe, expect, it } from 'vitest';
import { traceJson } from '../../engine/runtime/stores/trace-log.js';
import type { TraceRecord } from '../../engine/runtime/stores/trace-log.js';

const base: TraceRecord = {
  integration: 'orders',
  key: 'o-"1"',
  eventId: 'evt-1',
  attempt: 2,
  outcome: 'dead_lettered',
  commit: 'c1',
  storedAt: '2026-12-04T18:00:00.000Z',
  at: '2026-12-04T18:00:01.000Z',
  requests: [],
};

describe('trace records', () => {
  it('keep small bodies and results whole, and every other field as it was', () => {
    const record: TraceRecord = {
      ...base,
      requests: [
        { step: 'order', method: 'PUT', path: '/orders/1', body: { id: 1, note: 'a "quoted" \u2028 text' } },
        { step: 'lines', index: 0, method: 'POST', path: '/lines' },
      ],
      results: { order: { id: 'erp-1' } },
      error: { code: 'validation', message: 'rejected', status: 422, step: 'order', response: '{"error":"no"}' },
      dlqId: 'dlq-1',
      replayOf: 'dlq-0',
      nextInMs: 500,
    };
    expect(JSON.parse(traceJson(record))).toStrictEqual(record);
  });

  it('cut a body or results over 2 KB of JSON to their first 2 KB, marked with the whole length', () => {
    const body = { lines: Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, qty: i })) };
    const results = { order: { echo: 'x'.repeat(3000) } };
    const bodyJson = JSON.stringify(body);
    const resultsJson = JSON.stringify(results);
    expect(bodyJson.length).toBeGreaterThan(2048);
    const stored = JSON.parse(
      traceJson({ ...base, requests: [{ step: 'order', method: 'PUT', path: '/o', body }], results }),
    ) as TraceRecord;
    expect(stored.requests[0].body).toBe(`${bodyJson.slice(0, 2048)}… (${bodyJson.length} bytes)`);
    expect(stored.results).toBe(`${resultsJson.slice(0, 2048)}… (${resultsJson.length} bytes)`);
    expect(stored).toMatchObject({ integration: 'orders', key: 'o-"1"', attempt: 2, outcome: 'dead_lettered' });
  });

  it('keep a body of exactly 2 KB whole, and write no requests as an empty list', () => {
    const body = { pad: 'y'.repeat(2048 - '{"pad":""}'.length) };
    expect(JSON.stringify(body)).toHaveLength(2048);
    const stored = JSON.parse(
      traceJson({ ...base, requests: [{ step: 's', method: 'PUT', path: '/p', body }] }),
    ) as TraceRecord;
    expect(stored.requests[0].body).toStrictEqual(body);
    expect(JSON.parse(traceJson(base))).toStrictEqual(base);
  });
});
