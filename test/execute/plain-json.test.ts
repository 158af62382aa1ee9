/**
 * `plain()` gives a step body as targets receive it and checkpoints store it: exactly the JSON round trip of the
 * value, as a fresh copy. Plain data is copied by a walk (engine/execute/plain-json.ts); every value JSON treats
 * specially must still come out as JSON makes it, and nothing may stay shared with the expression's input.
 */
import { describe, expect, it } from 'vitest';
import { plain } from '../../engine/execute/plain-json.js';
import { transformEngine } from '../../engine/transform/select-engine.js';

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('plain', () => {
  it('copies plain data: equal to the JSON round trip, sharing nothing with the input', () => {
    const input = { id: 7, name: 'Ada', tags: ['a', 'b'], address: { city: 'Oslo', zip: null }, ok: true, n: 1.5 };
    const copy = plain(input) as typeof input;
    expect(copy).toStrictEqual(roundTrip(input));
    expect(copy).not.toBe(input);
    expect(copy.address).not.toBe(input.address);
    expect(copy.tags).not.toBe(input.tags);
    copy.address.city = 'Bergen';
    expect(input.address.city).toBe('Oslo');
  });

  it('turns a JSONata sequence into a plain array and leaves out keys without a value', () => {
    const sequence = Object.assign([1, 2], { sequence: true, keepSingleton: true });
    const value = { lines: sequence, missing: undefined, nested: { gone: undefined, kept: 0 } };
    const copy = plain(value);
    expect(copy).toStrictEqual(roundTrip(value));
    expect(copy).toStrictEqual({ lines: [1, 2], nested: { kept: 0 } });
    expect(Object.keys((copy as { lines: unknown[] }).lines)).toEqual(['0', '1']);
  });

  it('gives what JSON gives for values it treats specially', () => {
    const withToJson = { when: { toJSON: () => 'then' } };
    const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
    const protoKey = JSON.parse('{"__proto__": {"polluted": true}, "b": 1}') as object;
    const cases: unknown[] = [
      { n: Number.NaN, i: Number.POSITIVE_INFINITY, z: -0 },
      { at: new Date(Date.UTC(2026, 11, 4)) },
      withToJson,
      { list: [1, undefined, () => 1, Symbol('s')] },
      { f: () => 1, s: Symbol('s') },
      new Array<number>(2).fill(2, 1), // [hole, 2]
      nullProto,
      protoKey,
      'text',
      -0,
      null,
    ];
    for (const value of cases) expect(plain(value)).toStrictEqual(roundTrip(value));
    const copiedProtoKey = plain(protoKey) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copiedProtoKey)).toBe(Object.prototype);
    expect(Object.hasOwn(copiedProtoKey, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(plain(undefined)).toBeUndefined();
  });

  it('fails as JSON does on a cycle', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => plain(cyclic)).toThrow(TypeError);
    expect(() => plain(cyclic)).toThrow(/circular/i);
  });

  it('copies what the JSONata engine builds from an event into the body a target receives', async () => {
    const engine = transformEngine('junction');
    const expr = engine.compile('{"id": order.id, "lines": order.lines.{"sku": sku, "qty": qty}, "note": order.none}');
    const event = {
      order: {
        id: 'o-1',
        lines: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 2 },
        ],
      },
    };
    const body = plain(await expr.evaluate(event, { event }));
    expect(body).toStrictEqual({
      id: 'o-1',
      lines: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
    });
    expect(JSON.stringify(body)).toBe('{"id":"o-1","lines":[{"sku":"a","qty":1},{"sku":"b","qty":2}]}');
  });
});
