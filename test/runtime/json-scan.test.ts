/**
 * The webhook body scan (engine/runtime/ingest/json-scan.ts) against JSON.parse of the decoded text, over generated
 * bodies and their corruptions: whenever the scan says yes, JSON.parse accepts the body, it is an object no deeper
 * than the limit, and every named field's bytes parse to JSON.parse's value of it (the last one when a name repeats);
 * and for every generated object within the limit whose top-level names have no escapes, the scan says yes.
 */
import { describe, expect, it } from 'vitest';
import { scanTopLevel } from '../../engine/runtime/ingest/json-scan.js';
import { valueDepth } from '../../engine/runtime/ingest/json-depth.js';
import { Gen, prng } from '../transform/fuzz-generator.js';

const LIMIT = 64;
const NAMES = ['id', 'entity_id', 'updated_at', 'customer', 'items', '__proto__', 'x y'];
const NAME_BYTES = NAMES.map((name) => Buffer.from(name));

/** What the scan must say about `text`: for a body it accepts, each name's [start, end) agrees with JSON.parse. */
function checkScan(bytes: Buffer): 'accepted' | 'declined' {
  const found = scanTopLevel(bytes, NAME_BYTES, LIMIT);
  if (!found) return 'declined';
  const parsed: unknown = JSON.parse(bytes.toString('utf8'));
  expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
  expect(valueDepth(parsed, LIMIT)).toBeLessThanOrEqual(LIMIT);
  NAMES.forEach((name, i) => {
    const own = Object.prototype.hasOwnProperty.call(parsed, name);
    if (!own) return expect(found[2 * i]).toBe(-1);
    const value: unknown = JSON.parse(bytes.toString('utf8', found[2 * i], found[2 * i + 1]));
    expect(value).toEqual((parsed as Record<string, unknown>)[name]);
  });
  return 'accepted';
}

/** Random JSON text, written by hand so numbers, blanks, escapes and repeated names take every form JSON allows. */
class JsonWriter {
  /** Set when a top-level member's name was written with an escape (the scan declines those). */
  escapedTopName = false;
  depth = 0;
  constructor(private readonly g: Gen) {}

  blank(): string {
    return this.g.chance(0.7) ? '' : this.g.pick([' ', '\n', '\t', '\r\n  ', '   ']);
  }

  value(depth: number): string {
    const g = this.g;
    this.depth = Math.max(this.depth, depth);
    const roll = g.int(depth > 6 ? 6 : 9);
    if (roll === 0) return this.string();
    if (roll === 1) return this.number();
    if (roll === 2) return g.pick(['true', 'false', 'null']);
    if (roll < 6) return g.chance(0.5) ? this.string() : this.number();
    if (roll < 8) return this.object(depth + 1);
    return this.array(depth + 1);
  }

  number(): string {
    const g = this.g;
    const int = g.pick(['0', '7', '42', '123456789012345678901234567890', '9007199254740993']);
    const frac = g.chance(0.3) ? `.${g.pick(['0', '5', '000001', '25'])}` : '';
    const exp = g.chance(0.2) ? `${g.pick(['e', 'E'])}${g.pick(['', '+', '-'])}${g.pick(['0', '3', '400'])}` : '';
    return `${g.chance(0.3) ? '-' : ''}${int}${frac}${exp}`;
  }

  string(escapes = true): string {
    const g = this.g;
    const parts = ['a', 'Zoë', '日本', '😀', ' ', 'id', '"'.slice(1), '/'];
    if (escapes)
      parts.push('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u00e9', '\\uD83D\\uDE00', '\\ud800');
    let s = '';
    for (let i = g.int(5); i > 0; i--) s += g.pick(parts);
    return `"${s}"`;
  }

  name(top: boolean): string {
    const g = this.g;
    if (g.chance(0.6)) return `"${g.pick(NAMES)}"`;
    if (g.chance(0.1)) {
      if (top) this.escapedTopName = true;
      return g.pick(['"entity\\u005fid"', '"i\\u0064"', '"a\\nb"']);
    }
    return this.string(!top);
  }

  object(depth: number): string {
    const members: string[] = [];
    for (let i = this.g.int(6); i > 0; i--)
      members.push(
        `${this.blank()}${this.name(depth === 1)}${this.blank()}:${this.blank()}${this.value(depth)}${this.blank()}`,
      );
    return `{${members.join(',') || this.blank()}}`;
  }

  array(depth: number): string {
    const items: string[] = [];
    for (let i = this.g.int(5); i > 0; i--) items.push(`${this.blank()}${this.value(depth)}${this.blank()}`);
    return `[${items.join(',') || this.blank()}]`;
  }
}

/** Bytes that break JSON in the ways a scan could miss. */
const NOISE = [...'{}[],:"\\ 0123456789eE+-.tfnux']
  .map((c) => c.charCodeAt(0))
  .concat([0x00, 0x01, 0x1f, 0x7f, 0xc3, 0xa9, 0xff]);

function corrupt(g: Gen, bytes: Buffer): Buffer {
  const at = g.int(bytes.length + 1);
  const noise = Buffer.from([g.pick(NOISE)]);
  switch (g.int(4)) {
    case 0:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    case 1:
      return Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
    case 2:
      return Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at + 1)]);
    default:
      return bytes.subarray(0, at);
  }
}

describe('the webhook body scan', () => {
  it('agrees with JSON.parse on 6,000 generated bodies and 24,000 corruptions of them', () => {
    const g = new Gen(prng(20261205));
    const counts = { accepted: 0, declined: 0, corruptAccepted: 0 };
    for (let n = 0; n < 6_000; n++) {
      const writer = new JsonWriter(g);
      const text = `${writer.blank()}${writer.object(1)}${writer.blank()}`;
      const bytes = Buffer.from(text);
      // Every such body within the limit is accepted, unless a top-level name has an escape.
      expect(checkScan(bytes), text).toBe(writer.escapedTopName ? 'declined' : 'accepted');
      counts[writer.escapedTopName ? 'declined' : 'accepted']++;
      for (let k = 0; k < 4; k++) if (checkScan(corrupt(g, bytes)) === 'accepted') counts.corruptAccepted++;
    }
    // The generator reaches both answers, and corruptions that stay valid JSON (a blank or digit more) pass.
    expect(counts.accepted).toBeGreaterThan(3_000);
    expect(counts.declined).toBeGreaterThan(300);
    expect(counts.corruptAccepted).toBeGreaterThan(1_000);
  });

  it('finds a quote, backslash or control character at every place of a string, at every alignment', () => {
    // The scan reads strings four bytes at a time: a byte it must stop at may sit in any of the four.
    const bytes = [0x00, 0x01, 0x09, 0x0a, 0x1f, 0x20, 0x21, 0x22, 0x2f, 0x5c, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff];
    const places: [string, string, string][] = [
      ['a value', '{"id": "', '", "x": [1]}'],
      ['a nested name', '{"items": [{"', '": 1}], "id": 2}'],
      ['a top-level name', '{"', '": 1, "id": 2}'],
    ];
    const counts = { accepted: 0, declined: 0 };
    const wrong: string[] = [];
    for (const [place, before, after] of places)
      for (let length = 1; length <= 9; length++)
        for (let at = 0; at < length; at++)
          for (const b of bytes)
            for (let shift = 0; shift < 4; shift++) {
              const content = Buffer.alloc(length, 0x61);
              content[at] = b;
              const whole = Buffer.concat([Buffer.alloc(shift), Buffer.from(before), content, Buffer.from(after)]);
              const body = whole.subarray(shift);
              let valid = true;
              try {
                JSON.parse(body.toString('utf8'));
              } catch {
                valid = false;
              }
              // A top-level name with an escape is declined even when valid (it might spell a field's name).
              const expected = valid && !(place === 'a top-level name' && b === 0x5c) ? 'accepted' : 'declined';
              const found = scanTopLevel(body, NAME_BYTES, LIMIT);
              if ((found ? 'accepted' : 'declined') !== expected) wrong.push(`${place}: ${body.toString('latin1')}`);
              else if (found) checkScan(body);
              counts[expected]++;
            }
    expect(wrong).toEqual([]);
    expect(counts.accepted).toBeGreaterThan(2_000);
    expect(counts.declined).toBeGreaterThan(1_000);
  });

  it('declines what is not an object JSON.parse accepts, and what is nested past the limit', () => {
    const declined = [
      '',
      ' ',
      '[]',
      '[{"id": 1}]',
      '"id"',
      '7',
      'null',
      '\ufeff{"id": 1}',
      '{"id": 1',
      '{"id": 1}}',
      '{"id": 1,}',
      '{"id" 1}',
      "{'id': 1}",
      '{"id": 01}',
      '{"id": 1.}',
      '{"id": .5}',
      '{"id": 1e}',
      '{"id": +1}',
      '{"id": -}',
      '{"id": NaN}',
      '{"id": tru}',
      '{"id": "a\u0001b"}',
      '{"id": "\\x41"}',
      '{"id": "\\u12G4"}',
      '{"id": "open}',
      '{"id\\u0000": 1}',
      '{"id": 1} x',
      '{"a": [1, 2,]}',
      '{"a": {"b" 1}}',
      `{"a": ${'['.repeat(LIMIT)}${']'.repeat(LIMIT)}}`,
    ];
    for (const text of declined) expect(scanTopLevel(Buffer.from(text), NAME_BYTES, LIMIT), text).toBeUndefined();
    const deepest = `{"a": ${'['.repeat(LIMIT - 1)}${']'.repeat(LIMIT - 1)}}`;
    expect(scanTopLevel(Buffer.from(deepest), NAME_BYTES, LIMIT)).toBeDefined();
    // Bytes that are not UTF-8 decode to U+FFFD, which a string may hold: JSON.parse accepts them, and the scan too.
    const latin1 = Buffer.concat([Buffer.from('{"id": "caf'), Buffer.from([0xe9, 0xff]), Buffer.from('"}')]);
    expect(checkScan(latin1)).toBe('accepted');
  });
});
