/**
 * nats-server's answer to a direct get of a subject it holds nothing for, recognised from its bytes. Two of a
 * delivered event's replies are that answer (the ledger read and the parking marker read of a new event), and
 * reading `msg.headers` for their status made nats.js decode the header block each time (a `TextDecoder` call, a
 * split, a `Map` and the description's strings: about 0.75 KB and 0.5 % of the engine's busy samples per event;
 * docs/performance.md, "Delivery CPU cuts, session 13").
 *
 * Only a header block that is exactly `NATS/1.0 404 Message Not Found` with nothing else and no payload is taken
 * this way: nats-core 3.4.0's `MsgHdrsImpl.decode` reads those bytes as code 404 and description "Message Not
 * Found", with no header fields, which `JetStreamStatus.isMessageNotFound()` calls a missing message. Any other reply
 * (another status, more headers, a message that is not nats-core's) is left to `msg.headers` as before.
 */
import type { Msg } from '@nats-io/transport-node';

/** What nats-server 2.9.10 sends (checked on the wire by test/runtime/hot-kv.test.ts). */
const NOT_FOUND = Buffer.from('NATS/1.0 404 Message Not Found\r\n\r\n', 'latin1');

/** What this reads of nats-core 3.4.0's `MsgImpl` (`lib/msg.js`): the raw bytes and where the payload starts. */
interface RawMsg {
  _rdata?: Uint8Array;
  _msg?: { hdr?: number };
}

/**
 * True when `msg` is exactly the server's "message not found" status; false says nothing. The bytes are compared in
 * JS: `Buffer.equals` calls into C++ for 34 bytes, which cost about as much as the decode it saves.
 */
export function isNotFoundReply(msg: Msg): boolean {
  const { _rdata: raw, _msg: parsed } = msg as unknown as RawMsg;
  if (raw === undefined || parsed?.hdr !== NOT_FOUND.length || raw.length !== NOT_FOUND.length) return false;
  for (let i = 0; i < NOT_FOUND.length; i++) if (raw[i] !== NOT_FOUND[i]) return false;
  return true;
}
