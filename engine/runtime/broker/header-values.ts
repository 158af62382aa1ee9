/**
 * A few header values of a delivered message, read straight from its header bytes. `msg.headers` builds nats.js's
 * header object first: its decode makes a canonical copy of every name and lists all names again for each one it
 * adds, and each `get()` lists and filters them once more. For the four headers of every delivered event that was
 * about 2.5 µs per delivery (docs/performance.md, "The header reads, the key digest and the path template").
 *
 * The values are the ones `msg.headers.get(name)` gives in nats.js 3.4.0 (`@nats-io/nats-core` `lib/headers.js`,
 * `MsgHdrsImpl.decode` and `get`, pinned in package.json): the header block decoded as UTF-8 and split at CRLF, the
 * status line skipped, a name being everything before a line's first `:`, matched exactly (no case folding), its
 * value trimmed, the first value of a name repeated; `''` for a name that is not there or a message without headers.
 * Whatever that decode would refuse (a name with a character outside `!`..`~`, a value holding a lone CR or LF) is
 * not read here: the caller gets undefined and reads `msg.headers`, which fails as it always did.
 */
import type { JsMsg } from '@nats-io/jetstream';

/** nats-core 3.4.0 `MsgImpl`: the frame's bytes (`_rdata`), the length of its header block (`_msg.hdr`, -1: none). */
interface CoreMsg {
  _rdata?: Uint8Array;
  _msg?: { hdr?: number };
}

/** As nats.js decodes header bytes (`encoders.TD`, a default TextDecoder). */
const decoder = new TextDecoder();
/** A value nats.js refuses (`MsgHdrsImpl.validHeaderValue`). */
const BAD_VALUE = /[\r\n]/;

/** The value of each of `names` in `msg`'s headers (`''` when absent); undefined when it must be read by nats.js. */
export function headerValues(msg: JsMsg, names: readonly string[]): string[] | undefined {
  const core = (msg as unknown as { msg?: CoreMsg }).msg;
  const end = core?._msg?.hdr;
  const bytes = core?._rdata;
  if (typeof end !== 'number' || !(bytes instanceof Uint8Array)) return undefined;
  const values = names.map(() => '');
  if (end < 0) return values;
  const found = names.map(() => false);
  const lines = decoder.decode(bytes.subarray(0, end)).split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon);
    if (!validName(name)) return undefined;
    const value = line.slice(colon + 1).trim();
    if (BAD_VALUE.test(value)) return undefined;
    const at = names.indexOf(name);
    if (at >= 0 && !found[at]) {
      found[at] = true;
      values[at] = value;
    }
  }
  return values;
}

/** Printable ASCII without `:` (nats.js `canonicalMIMEHeaderKey` throws for anything else). */
function validName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}
