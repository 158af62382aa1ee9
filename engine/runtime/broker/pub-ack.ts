/**
 * The PubAck of a stored event read from its bytes. nats.js parses each reply with `parseJsResponse`: a new
 * `TextDecoder`, the text, `JSON.parse` and a look for `error` (`@nats-io/jetstream` 3.4.0, `lib/jsbaseclient_api.js`),
 * 0.48 µs per PubAck in a micro-bench against 0.09 here (docs/performance.md, "Ingest CPU cuts, session 14").
 *
 * Only the two forms a stream answers a plain publish with are read here: nats-server writes them from a template
 * (`server/stream.go`, `pubAck`), `{"stream":"<name>", "seq":<n>}` and, for a duplicate, the same with
 * `,"duplicate": true` before the closing brace (seen from nats-server 2.9.10; the same without the blanks, as a JSON
 * encoder writes them, is read too). The name is printable ASCII without a quote or backslash, the sequence at most
 * 15 digits (exact in a double). Any other reply (an error, a domain, other blanks, escapes, a longer number) is
 * `undefined`, and the caller parses it as nats.js does, errors and all.
 */

const HEAD = bytesOf('{"stream":"');
const SEQ = bytesOf('"seq":');
const DUPLICATE = bytesOf(',"duplicate":');
const TRUE = bytesOf('true}');
const QUOTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;
const ZERO = 0x30;

/**
 * The names of the two streams acked last, as strings, most recent first: ingest's acks name the events stream and
 * the ledger's creates the ledger's, and one kept name would be made anew on nearly every ack.
 */
let lastName = '';
let lastNameBytes: Uint8Array = new Uint8Array(0);
let olderName = '';
let olderNameBytes: Uint8Array = new Uint8Array(0);

interface PlainPubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** The ack in `data`, as JSON.parse would give it (with `duplicate` false when absent), or undefined (see above). */
export function plainPubAck(data: Uint8Array): PlainPubAck | undefined {
  const end = data.length;
  if (!startsWith(data, 0, HEAD)) return undefined;
  let at = HEAD.length;
  const nameStart = at;
  for (; at < end; at++) {
    const c = data[at]!;
    if (c === QUOTE) break;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return undefined;
  }
  const nameEnd = at;
  if (at + 1 >= end || data[at + 1] !== COMMA) return undefined;
  at = skipSpace(data, at + 2);
  if (!startsWith(data, at, SEQ)) return undefined;
  at += SEQ.length;
  const digits = at;
  let seq = 0;
  for (; at < end; at++) {
    const d = data[at]! - ZERO;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
  }
  const count = at - digits;
  // JSON has no leading zeros; past 15 digits a double may not hold the number exactly.
  if (count === 0 || count > 15 || (count > 1 && data[digits] === ZERO)) return undefined;
  let duplicate = false;
  if (at === end - 1 && data[at] === CLOSE) duplicate = false;
  else if (startsWith(data, at, DUPLICATE)) {
    at = skipSpace(data, at + DUPLICATE.length);
    if (end - at !== TRUE.length || !startsWith(data, at, TRUE)) return undefined;
    duplicate = true;
  } else return undefined;
  return { stream: nameOf(data, nameStart, nameEnd), seq, duplicate };
}

function nameOf(data: Uint8Array, start: number, end: number): string {
  if (sameBytes(data, start, end, lastNameBytes)) return lastName;
  const name = olderName;
  const nameBytes = olderNameBytes;
  olderName = lastName;
  olderNameBytes = lastNameBytes;
  if (sameBytes(data, start, end, nameBytes)) {
    lastName = name;
    lastNameBytes = nameBytes;
  } else {
    lastNameBytes = data.slice(start, end);
    lastName = Buffer.from(lastNameBytes.buffer, lastNameBytes.byteOffset, lastNameBytes.length).toString('latin1');
  }
  return lastName;
}

function sameBytes(data: Uint8Array, start: number, end: number, bytes: Uint8Array): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (data[start + i] !== bytes[i]) return false;
  return true;
}

/** Past at most one blank: the one the server's template writes. */
function skipSpace(data: Uint8Array, at: number): number {
  return data[at] === SPACE ? at + 1 : at;
}

function startsWith(data: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (data.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[at + i] !== prefix[i]) return false;
  return true;
}

function bytesOf(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
