/**
 * The parsed-event handoff from ingest to the worker of the same process: the worker gets the ingest's parse only
 * for the very bytes that were stored at that sequence, once; anything else parses again.
 */
import { describe, expect, it } from 'vitest';
import { ParsedHandoff } from '../../engine/runtime/worker/parsed-handoff.js';

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('ParsedHandoff', () => {
  it('hands the parsed event of a sequence on once, for the same bytes', () => {
    const handoff = new ParsedHandoff();
    const event = { entity_id: 7, status: 'processing' };
    handoff.put(41, bytes(event), event);
    // The delivery's bytes are another buffer with the same content (as the broker delivers them).
    expect(handoff.take(41, new Uint8Array(bytes(event)))).toBe(event);
    expect(handoff.take(41, bytes(event))).toBeUndefined();
  });

  it('gives nothing for other bytes at that sequence (a recreated stream) or an unknown sequence', () => {
    const handoff = new ParsedHandoff();
    const event = { entity_id: 7 };
    handoff.put(1, bytes(event), event);
    expect(handoff.take(1, bytes({ entity_id: 8 }))).toBeUndefined();
    expect(handoff.take(2, bytes(event))).toBeUndefined();
  });

  it('keeps the newest 128 entries: the oldest is pushed out and parsed by its worker', () => {
    const handoff = new ParsedHandoff();
    for (let seq = 1; seq <= 129; seq++) handoff.put(seq, bytes({ seq }), { seq });
    expect(handoff.take(1, bytes({ seq: 1 }))).toBeUndefined();
    expect(handoff.take(2, bytes({ seq: 2 }))).toEqual({ seq: 2 });
    expect(handoff.take(129, bytes({ seq: 129 }))).toEqual({ seq: 129 });
  });
});
