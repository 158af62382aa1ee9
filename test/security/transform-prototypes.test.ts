/**
 * Transform sandbox: JSONata expressions and event data cannot reach or change JavaScript prototypes. `__proto__` is an
 * ordinary key (as in jsonata-js) and inherited names (constructor, toString, ...) are invisible to paths and $lookup.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';

const evaluate = (expr: string, input: unknown = {}) => junctionEngine.compile(expr).evaluate(input);
const polluted = () => Object.keys(Object.prototype).concat(Object.keys(Array.prototype));

afterEach(() => {
  // a failing case must not poison the other tests of the file
  for (const k of Object.keys(Object.prototype)) delete (Object.prototype as Record<string, unknown>)[k];
});

describe('the transform operator cannot pollute prototypes', () => {
  it('`$ ~> | __proto__ | {...} |` leaves Object.prototype alone', () => {
    expect(evaluate('$ ~> | __proto__ | {"polluted": 1} |', { a: 1 })).toEqual({ a: 1 });
    expect(polluted()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an update object with a `__proto__` key sets an own key on the copy only', () => {
    const result = evaluate('$ ~> | $ | {"__proto__": {"polluted": 1}} |', { a: 1 }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['a', '__proto__']);
    expect(result.polluted).toBeUndefined();
    expect(polluted()).toEqual([]);
  });
});

describe('`__proto__` keys from data are ordinary keys', () => {
  const data = JSON.parse(
    '{"k": "__proto__", "v": {"polluted": 1}, "rows": [{"k": "__proto__", "v": 1}, {"k": "a", "v": 2}]}',
  );

  it('in object constructors', () => {
    const r = evaluate('{k: v}', data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.keys(r)).toEqual(['__proto__']);
    expect(JSON.stringify(r)).toBe('{"__proto__":{"polluted":1}}');
    expect(r.polluted).toBeUndefined();
  });

  it('in group-by', () => {
    expect(JSON.stringify(evaluate('rows{k: v}', data))).toBe('{"__proto__":1,"a":2}');
  });

  it('in $merge, $sift, $spread and $keys', () => {
    expect(JSON.stringify(evaluate('$merge([{"a": 1}, {k: v}])', data))).toBe('{"a":1,"__proto__":{"polluted":1}}');
    expect(JSON.stringify(evaluate('$sift({k: v}, function() { true })', data))).toBe('{"__proto__":{"polluted":1}}');
    expect(JSON.stringify(evaluate('$spread({k: v})', data))).toBe('{"__proto__":{"polluted":1}}');
    expect([...(evaluate('$keys(rows.{k: v})', data) as string[])]).toEqual(['__proto__', 'a']);
    expect(polluted()).toEqual([]);
  });
});

describe('inherited names are invisible', () => {
  const names = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

  it.each(names)('`%s` through a path is undefined', (name) => {
    expect(evaluate(`x.${name}`, { x: {} })).toBeUndefined();
    expect(evaluate(`x.\`${name}\``, { x: [{}, {}] })).toBeUndefined();
    expect(evaluate(`$.x.${name}.${name}`, { x: {} })).toBeUndefined();
  });

  it.each(names)('`$lookup(obj, "%s")` is undefined', (name) => {
    expect(evaluate(`$lookup({"GB": "GBP"}, "${name}")`)).toBeUndefined();
    expect(evaluate('$lookup({"GB": "GBP"}, country) ?? "EUR"', { country: name })).toBe('EUR');
  });

  it('own keys of those names are still read', () => {
    const data = JSON.parse('{"constructor": "c", "__proto__": "p", "toString": "t"}');
    expect(evaluate('[constructor, __proto__, toString, $lookup($, "constructor")]', data)).toEqual([
      'c',
      'p',
      't',
      'c',
    ]);
  });

  it('$each and $sift see own keys only', () => {
    expect(evaluate('$each($, function($v, $k) { $k })', { a: 1 })).toBe('a');
    expect(evaluate('$sift($, function() { true })', { a: 1 })).toEqual({ a: 1 });
  });
});
