/**
 * Checks webhook bytes without building the event: for an integration whose key and dedup id read only some
 * top-level fields, ingest needs to know that the body is a JSON object JSON.parse accepts, no deeper than the limit,
 * and where those fields' values are. Scanning the bytes for that costs about a third of `JSON.parse` of the text
 * (docs/performance.md, "Ingest CPU cuts, session 11" and "session 13").
 *
 * The scan only ever says yes for a body JSON.parse accepts: it follows the JSON grammar (RFC 8259) over the bytes,
 * and the UTF-8 decoding that comes before JSON.parse never changes an ASCII byte (an invalid sequence becomes U+FFFD,
 * which a string may hold), so the structure it checks is the one JSON.parse sees. Anything else it declines (a body
 * that is not valid, not an object, too deep, or a top-level name written with escapes): the caller then parses the
 * text, which gives every answer as before.
 *
 * It is one loop with the common paths written out in it (a string without escapes, an integer): with the grammar in
 * small functions V8 did not inline them all into the loop (given a larger inlining budget, that scan ran 16 % faster).
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

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/**
 * The closing bracket of each open one, by depth. One for all scans (a scan runs to its end without yielding): a
 * typed array of more than 64 bytes lives outside V8's heap, and one per body took GC's share of the ingest's busy
 * samples from 4 to 13 %.
 */
let closersAt = new Uint8Array(65);

/**
 * For a JSON object no deeper than `limit` (`{}` is 1), where the value of each top-level member named in `names`
 * (ASCII, as bytes) is: `[start, end)` byte offsets at `2 * i` and `2 * i + 1`, `-1` for a name the object does not
 * have; with a name given twice, its last value (JSON.parse keeps the last). Undefined when the body is anything else,
 * or when a top-level member's name has an escape (it might spell one of `names`).
 */
export function scanTopLevel(bytes: Uint8Array, names: readonly Uint8Array[], limit: number): Int32Array | undefined {
  const n = bytes.length;
  const words = new DataView(bytes.buffer, bytes.byteOffset, n);
  const found = new Int32Array(names.length * 2).fill(-1);
  if (closersAt.length <= limit) closersAt = new Uint8Array(limit + 1);
  const closers = closersAt;
  let depth = 0;
  let inObject = false;
  /** The index in `names` of the top-level member being read, or -1; and where its value starts. */
  let member = -1;
  let memberStart = 0;
  let i = 0;
  while (i < n && BLANK[bytes[i]!] === 1) i++;
  if (i >= n || bytes[i] !== 0x7b) return undefined;
  let b = 0x7b;
  for (;;) {
    // Every read below checks `i < n` first: an out-of-bounds read of a typed array makes V8 slow down every read.
    if (inObject) {
      // A member: its name, a colon, then its value.
      if (b !== 0x22) return undefined;
      const nameStart = ++i;
      i = textEnd(bytes, words, i, n);
      if (i < n && bytes[i] === 0x22) {
        if (depth === 1) member = nameIndex(bytes, nameStart, i, names);
        i++;
      } else if (depth === 1 || (i = escapedStringEnd(bytes, words, i, n)) < 0) return undefined;
      while (i < n && BLANK[bytes[i]!] === 1) i++;
      if (i >= n || bytes[i] !== 0x3a) return undefined;
      i++;
      while (i < n && BLANK[bytes[i]!] === 1) i++;
      if (i >= n) return undefined;
      b = bytes[i]!;
      if (depth === 1) memberStart = i;
    }
    // A value starts at i (i < n), its first byte b.
    if (b === 0x22) {
      i = textEnd(bytes, words, i + 1, n);
      if (i < n && bytes[i] === 0x22) i++;
      else if ((i = escapedStringEnd(bytes, words, i, n)) < 0) return undefined;
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > limit) return undefined;
      // `}` and `]` are two past `{` and `[`.
      const closer = b + 2;
      closers[depth] = closer;
      inObject = closer === 0x7d;
      i++;
      while (i < n && BLANK[bytes[i]!] === 1) i++;
      if (i >= n) return undefined;
      b = bytes[i]!;
      if (b !== closer) continue;
      i++;
      depth--;
    } else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
      // A number: `-? (0 | [1-9][0-9]*)`, then its fraction and exponent if any.
      if (b === 0x2d) i++;
      b = i < n ? bytes[i]! : 0;
      if (b === 0x30) i++;
      else if (b >= 0x31 && b <= 0x39) {
        i++;
        while (i < n && (b = bytes[i]!) >= 0x30 && b <= 0x39) i++;
      } else return undefined;
      if (i < n && ((b = bytes[i]!) === 0x2e || b === 0x65 || b === 0x45) && (i = fractionEnd(bytes, i, n)) < 0)
        return undefined;
    } else if ((i = wordEnd(bytes, i, n, b)) < 0) return undefined;
    // After a value: commas and closing brackets, until the next value starts.
    for (;;) {
      if (member >= 0 && depth === 1) {
        found[2 * member] = memberStart;
        found[2 * member + 1] = i;
        member = -1;
      }
      while (i < n && BLANK[bytes[i]!] === 1) i++;
      if (depth === 0) return i === n ? found : undefined;
      if (i >= n) return undefined;
      b = bytes[i++]!;
      const closer = closers[depth]!;
      if (b === 0x2c) {
        while (i < n && BLANK[bytes[i]!] === 1) i++;
        if (i >= n) return undefined;
        b = bytes[i]!;
        inObject = closer === 0x7d;
        break;
      }
      if (b !== closer) return undefined;
      depth--;
    }
  }
}

/**
 * Where the bytes a string holds as they are, from `i`, end: at a `"`, a `\`, a control character or the end. Four
 * bytes at a time while none of them is one (the strings of an order, its names most of all, are mostly such runs):
 * a byte below 0x20, or equal to 0x22 or 0x5c after an XOR, is found by the borrow of subtracting 0x20 or 1 from each
 * byte, which sets a byte's top bit only when that byte is below (a byte of 0x80 and up keeps no top bit, `& ~x`).
 */
function textEnd(bytes: Uint8Array, words: DataView, i: number, n: number): number {
  while (i + 4 <= n) {
    const x = words.getInt32(i, true);
    const quote = x ^ 0x22222222;
    const backslash = x ^ 0x5c5c5c5c;
    const low = (x - 0x20202020) & ~x;
    if ((low | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) break;
    i += 4;
  }
  while (i < n && TEXT[bytes[i]!] === 1) i++;
  return i;
}

/**
 * Past the closing quote of a string whose plain run stopped at `i` on something other than its closing quote, or
 * -1: a control character, a bad escape or the end is not JSON.
 */
function escapedStringEnd(bytes: Uint8Array, words: DataView, i: number, n: number): number {
  for (;;) {
    if (i >= n) return -1;
    const b = bytes[i]!;
    if (b === 0x22) return i + 1;
    if (b !== 0x5c) return -1;
    const e = i + 1 < n ? bytes[i + 1]! : 0;
    if (e === 0x75) {
      if (!(i + 5 < n && HEX[bytes[i + 2]!] && HEX[bytes[i + 3]!] && HEX[bytes[i + 4]!] && HEX[bytes[i + 5]!]))
        return -1;
      i += 6;
    } else if (ESCAPE[e] === 1) i += 2;
    else return -1;
    i = textEnd(bytes, words, i, n);
  }
}

/** Past a number's fraction and exponent (`(. [0-9]+)? ([eE] [+-]? [0-9]+)?`), the first at `i`, or -1. */
function fractionEnd(bytes: Uint8Array, i: number, n: number): number {
  let b = bytes[i]!;
  if (b === 0x2e) {
    i++;
    if (!(i < n && (b = bytes[i]!) >= 0x30 && b <= 0x39)) return -1;
    while (i < n && (b = bytes[i]!) >= 0x30 && b <= 0x39) i++;
    if (i >= n) return i;
  }
  if (b === 0x65 || b === 0x45) {
    i++;
    if (i < n && ((b = bytes[i]!) === 0x2b || b === 0x2d)) i++;
    if (!(i < n && (b = bytes[i]!) >= 0x30 && b <= 0x39)) return -1;
    while (i < n && (b = bytes[i]!) >= 0x30 && b <= 0x39) i++;
  }
  return i;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** Past `true`, `false` or `null` at `i` (its first byte `b`), or -1 for anything else. */
function wordEnd(bytes: Uint8Array, i: number, n: number, b: number): number {
  const letters = b === 0x74 ? TRUE : b === 0x66 ? FALSE : b === 0x6e ? NULL : undefined;
  if (!letters || i + letters.length > n) return -1;
  for (let k = 1; k < letters.length; k++) if (bytes[i + k] !== letters[k]) return -1;
  return i + letters.length;
}

/** The index of the name spelled by `bytes[start, end)` in `names`, or -1. */
function nameIndex(bytes: Uint8Array, start: number, end: number, names: readonly Uint8Array[]): number {
  const length = end - start;
  for (let w = 0; w < names.length; w++) {
    const name = names[w]!;
    if (name.length !== length) continue;
    let k = 0;
    while (k < length && bytes[start + k] === name[k]) k++;
    if (k === length) return w;
  }
  return -1;
}
