/**
 * $localDate and $zoneOffset as spec expressions call them (bound like $lookup), in both transform engines: the
 * store's day across daylight saving, and a clear error for an unknown zone, at run time and at validate time.
 */
import { describe, expect, it } from 'vitest';
import { checkTimeZones } from '../../engine/compiler/checks/check-time-zones.js';
import { functionCalls } from '../../engine/compiler/checks/function-calls.js';
import type { CompiledLookup } from '../../engine/compiler/compiled-spec.js';
import { expressionBindings } from '../../engine/execute/expression-bindings.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';

const bindings = expressionBindings({ event: {}, steps: {}, lookups: new Map(), xref: new Map() as never });
const LA = 'America/Los_Angeles';

for (const engine of [junctionEngine, referenceEngine])
  describe(`zone functions (${engine.name} engine)`, () => {
    const run = async (source: string, input: unknown) => engine.compile(source).evaluate(input, bindings);

    it.each([
      ['2027-02-01 07:30:00', '2027-01-31'], // 23:30 PST on 31 January
      ['2027-03-14 09:59:59', '2027-03-14'], // 01:59:59 PST, the last second before daylight saving
      ['2027-03-15 07:30:00', '2027-03-15'], // 00:30 PDT: a fixed -0800 would say the 14th
      ['2027-11-07 06:30:00', '2027-11-06'], // 23:30 PDT on the eve daylight saving ends
      ['2027-11-07 08:30:00', '2027-11-07'], // 01:30 PDT, the first of the two 01:30s
      ['2027-02-01T07:30:00Z', '2027-01-31'],
      ['2027-02-01T07:30:00.250+01:00', '2027-01-31'], // 06:30 UTC
    ])('$localDate(%s) in Los Angeles is %s', async (created, day) => {
      expect(await run(`$localDate(created_at, "${LA}")`, { created_at: created })).toBe(day);
    });

    it('reads epoch milliseconds, gives nothing for no timestamp, and formats any picture through $zoneOffset', async () => {
      expect(await run(`$localDate(t, "${LA}")`, { t: Date.UTC(2027, 1, 1, 7, 30) })).toBe('2027-01-31');
      expect(await run(`$localDate(missing, "${LA}")`, {})).toBeUndefined();
      const picture = `$fromMillis($toMillis(t), "[Y0001]-[M01]-[D01] [H01]:[m01][Z]", $zoneOffset(t, "${LA}"))`;
      expect(await run(picture, { t: '2027-07-01T07:30:00Z' })).toBe('2027-07-01 00:30-07:00');
      expect(await run(picture, { t: '2027-01-01T07:30:00Z' })).toBe('2026-12-31 23:30-08:00');
      expect(await run('$zoneOffset(t, "Asia/Kolkata")', { t: '2027-01-01 00:00:00' })).toBe('+0530');
    });

    it('fails the evaluation with the zone and a way out for an unknown zone or a timestamp it cannot read', async () => {
      await expect(run('$localDate(t, z)', { t: '2027-02-01 07:30:00', z: 'America/Los_Angles' })).rejects.toThrow(
        '$localDate: unknown time zone "America/Los_Angles": give an IANA zone name such as "America/Los_Angeles"',
      );
      await expect(run('$localDate(t, z)', { t: '2027-02-01 07:30:00' })).rejects.toThrow(
        '$localDate: the time zone (argument 2) must be an IANA zone name such as "America/Los_Angeles"; got nothing',
      );
      await expect(run(`$zoneOffset(t, "${LA}")`, { t: '01/02/2027' })).rejects.toThrow(
        '$zoneOffset: argument 1 must be epoch milliseconds or a timestamp such as "2027-02-01 07:30:00"',
      );
      await expect(run(`$localDate(t, "${LA}")`, { t: '2027-02-30 10:00:00' })).rejects.toThrow(
        '$localDate: argument 1 is no valid date and time: "2027-02-30 10:00:00"',
      );
    });
  });

describe('constant zone names at validate time', () => {
  const store = { name: 'store', entries: new Map([['timezone', 'Europe/Berln']]) } as unknown as CompiledLookup;
  const problems = (source: string) => {
    const out: string[] = [];
    const calls = functionCalls(junctionEngine.compile(source).ast?.(), source);
    checkTimeZones(calls, source, new Map([['store', store]]), (offset, severity, code, message) =>
      out.push(`${offset} ${severity} ${code}: ${message}`),
    );
    return out;
  };

  it('reports a literal zone Intl does not know at the literal, with the nearest name', () => {
    expect(problems('$localDate(created_at, "America/Los_Angles")')).toEqual([
      '23 error unknown-time-zone: $localDate: unknown time zone "America/Los_Angles": give an IANA zone name such as "America/Los_Angeles"; did you mean "America/Los_Angeles"?',
    ]);
  });

  it('reports a constant lookup entry that is no zone at its key, directly or through a variable', () => {
    const message =
      'error unknown-time-zone: $zoneOffset: unknown time zone "Europe/Berln": give an IANA zone name such as "America/Los_Angeles"; did you mean "Europe/Berlin"? (the entry "timezone" of the lookup)';
    expect(problems('$zoneOffset(t, $lookup("store", "timezone"))')).toEqual([`32 ${message}`]);
    expect(problems('($z := $lookup("store", "timezone"); $zoneOffset(t, $z))')).toEqual([`24 ${message}`]);
  });

  it('leaves valid and data-dependent zones alone', () => {
    expect(problems('$localDate(t, "UTC") & $localDate(t, "Asia/Calcutta") & $localDate(t, zone)')).toEqual([]);
  });
});
