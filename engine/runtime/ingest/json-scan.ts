/**
 * Checks webhook bytes without building the event: for an integration whose key and dedup id read only some
 * top-level fields, ingest needs to know that the body is a JSON object JSON.parse accepts, no deeper than the limit,
 * and where those fields' values are. Scanning the bytes for that costs about half of `JSON.parse` of the text
 * (docs/runtime.md, "Ingest CPU cuts, session 11").
 *
 * The scan only ever says yes for a body JSON.parse accepts: it follows the JSON grammar (RFC 8259) over the bytes,
 * and the UTF-8 decoding that comes before JSON.parse never changes an ASCII byte (an invalid sequence becomes U+FFFD,
 * which a string may hold), so the structure it checks is the one JSON.parse sees. Anything else it declines (a body
 * that is not valid, not an object, too deep, or a top-level name written with escapes): the caller then parses the
 * text, which gives every answer as before.
 */

/** Bytes JSON allows between tokens: space, tab, LF, CR. */
const BLANK = new Uint8Array(256);
BLANK[0x20] = BLANK[0x09] = BLANK[0x0a] = BLANK[0x0d] = 1;

/** Characters allowed after a backslash, other than `u`: `" \ / b f n r t`. */
const ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPE[c.charCodeAt(0)] = 1;

/** Bytes a string holds as they are: all but control characters, `"` and `\`. */
const TEXT = new Uint8Array(256).fill(1, 0x20);
TEXT[0x22] = TEXT[0x5c] = 0;

const DIGIT = new Uint8Array(256).fill(1, 0x30, 0x3a);

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

const OBJECT = 1;
const ARRAY = 2;

/**
 * Whether each open bracket is an object's or an array's, by depth. One for all scans (a scan runs to its end without
 * yielding): a typed array of more than 64 bytes lives outside V8's heap, and one per body took GC's share of the
 * ingest's busy samples from 4 to 13 %.
 */
let kindsAt = new Uint8Array(65);

/**
 * For a JSON object no deeper than `limit` (`{}` is 1), where the value of each top-level member named in `names`
 * (ASCII, as bytes) is: `[start, end)` byte offsets at `2 * i` and `2 * i + 1`, `-1` for a name the object does not
 * have; with a name given twice, its last value (JSON.parse keeps the last). Undefined when the body is anything else,
 * or when a top-level member's name has an escape (it might spell one of `names`).
 */
export function scanTopLevel(bytes: Uint8Array, names: readonly Uint8Array[], limit: number): Int32Array | undefined {
  const found = new Int32Array(names.length * 2).fill(-1);
  if (kindsAt.length <= limit) kindsAt = new Uint8Array(limit + 1);
  const kinds = kindsAt;
  let depth = 0;
  /** The index in `names` of the top-level member being read, or -1; and where its value starts. */
  let member = -1;
  let memberStart = 0;
  let i = skipBlank(bytes, 0);
  if (at(bytes, i) !== 0x7b) return undefined;
  for (;;) {
    // A value starts at i.
    const c = at(bytes, i);
    let ended = true;
    if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return undefined;
      kinds[depth] = c === 0x7b ? OBJECT : ARRAY;
      i = skipBlank(bytes, i + 1);
      if (at(bytes, i) === (c === 0x7b ? 0x7d : 0x5d)) {
        i++;
        depth--;
      } else ended = false;
    } else if ((i = scalarEnd(bytes, i, c)) < 0) return undefined;
    // After a value: commas and closing brackets, until the next value starts.
    while (ended) {
      if (depth === 1 && member >= 0) {
        found[2 * member] = memberStart;
        found[2 * member + 1] = i;
        member = -1;
      }
      i = skipBlank(bytes, i);
      if (depth === 0) return i === bytes.length ? found : undefined;
      const next = at(bytes, i);
      if (next === 0x2c) {
        i = skipBlank(bytes, i + 1);
        ended = false;
      } else if (next === (kinds[depth] === OBJECT ? 0x7d : 0x5d)) {
        i++;
        depth--;
      } else return undefined;
    }
    if (kinds[depth] === OBJECT) {
      // A member: its name, a colon, then its value.
      const nameStart = i + 1;
      if (at(bytes, i) !== 0x22 || (i = stringEnd(bytes, nameStart, depth === 1)) < 0) return undefined;
      if (depth === 1) member = nameIndex(bytes, nameStart, i - 1, names);
      i = skipBlank(bytes, i);
      if (at(bytes, i) !== 0x3a) return undefined;
      i = skipBlank(bytes, i + 1);
      if (depth === 1) memberStart = i;
    }
  }
}

/**
 * The byte at `i`, or 0 past the end: never an out-of-bounds read, which makes V8 slow down every read of the array.
 * A NUL is no JSON token and no string character, so the end reads as a byte nothing accepts.
 */
function at(bytes: Uint8Array, i: number): number {
  return i < bytes.length ? bytes[i]! : 0;
}

function skipBlank(bytes: Uint8Array, i: number): number {
  while (BLANK[at(bytes, i)] === 1) i++;
  return i;
}

/** Where a scalar value starting at `i` (its first byte `c`) ends, or -1 when it is not one. */
function scalarEnd(bytes: Uint8Array, i: number, c: number): number {
  if (c === 0x22) return stringEnd(bytes, i + 1, false);
  if (c === 0x2d || isDigit(c)) return numberEnd(bytes, i);
  if (c === 0x74) return word(bytes, i, TRUE);
  if (c === 0x66) return word(bytes, i, FALSE);
  if (c === 0x6e) return word(bytes, i, NULL);
  return -1;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function word(bytes: Uint8Array, i: number, letters: number[]): number {
  for (let k = 0; k < letters.length; k++) if (at(bytes, i + k) !== letters[k]) return -1;
  return i + letters.length;
}

/**
 * Past the closing quote of a string whose content starts at `i`, or -1: a control character (below U+0020) or a bad
 * escape is not JSON, and with `plain` any escape is declined.
 */
function stringEnd(bytes: Uint8Array, i: number, plain: boolean): number {
  const n = bytes.length;
  for (;;) {
    while (i < n && TEXT[bytes[i]!] === 1) i++;
    const b = at(bytes, i);
    if (b === 0x22) return i + 1;
    if (b < 0x20) return -1;
    if (b === 0x5c) {
      if (plain) return -1;
      const e = at(bytes, i + 1);
      if (e === 0x75) {
        if (!(HEX[at(bytes, i + 2)] && HEX[at(bytes, i + 3)] && HEX[at(bytes, i + 4)] && HEX[at(bytes, i + 5)]))
          return -1;
        i += 6;
      } else if (ESCAPE[e] === 1) i += 2;
      else return -1;
    } else i++;
  }
}

/** Past a number (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`) starting at `i`, or -1. */
function numberEnd(bytes: Uint8Array, i: number): number {
  if (at(bytes, i) === 0x2d) i++;
  if (at(bytes, i) === 0x30) i++;
  else if (isDigit(at(bytes, i))) i = digitsEnd(bytes, i);
  else return -1;
  if (at(bytes, i) === 0x2e) {
    if (!isDigit(at(bytes, i + 1))) return -1;
    i = digitsEnd(bytes, i + 1);
  }
  if (at(bytes, i) === 0x65 || at(bytes, i) === 0x45) {
    i++;
    if (at(bytes, i) === 0x2b || at(bytes, i) === 0x2d) i++;
    if (!isDigit(at(bytes, i))) return -1;
    i = digitsEnd(bytes, i);
  }
  return i;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function digitsEnd(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  while (i < n && DIGIT[bytes[i]!] === 1) i++;
  return i;
}

/** The index of the name spelled by `bytes[start, end)` in `names`, or -1. */
function nameIndex(bytes: Uint8Array, start: number, end: number, names: readonly Uint8Array[]): number {
  const length = end - start;
  for (let w = 0; w < names.length; w++) {
    const name = names[w]!;
    if (name.length !== length) continue;
    let k = 0;
    while (k < length && at(bytes, start + k) === name[k]) k++;
    if (k === length) return w;
  }
  return -1;
}
