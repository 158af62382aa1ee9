/**
 * plainPubAck (engine/runtime/broker/pub-ack.ts): the PubAck read from its bytes. It reads the replies a real
 * nats-server writes for a stored and a duplicate publish, and for any other text it gives exactly what JSON.parse
 * gives (stream, seq, duplicate) or nothing, so that nats.js parses it instead.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { plainPubAck } from '../../engine/runtime/broker/pub-ack.js';
import { natsForFile } from '../helpers/nats-for-file.js';

const nats = natsForFile();

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** What nats.js's parse and publishForAck make of a reply without an error: its stream, seq and duplicate. */
function asParsed(text: string): unknown {
  const v = JSON.parse(text) as { stream: unknown; seq: unknown; duplicate?: unknown };
  return { stream: v.stream, seq: v.seq, duplicate: v.duplicate ? v.duplicate : false };
}

describe('plainPubAck', () => {
  it('reads the PubAcks nats-server writes: stored, duplicate, stored, each as JSON.parse reads them', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: 'JUNCTION_EVENTS', subjects: ['acks.>'] });
    const replies: string[] = [];
    for (const id of ['orders:1', 'orders:1', 'orders:2']) {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', id);
      const reply = await nats.nc.request('acks.orders.3', bytes('{"id":1}'), { headers: h, timeout: 5_000 });
      replies.push(Buffer.from(reply.data).toString('utf8'));
      expect(plainPubAck(reply.data)).toEqual(asParsed(replies.at(-1)!));
    }
    expect(replies.map((r) => plainPubAck(bytes(r)))).toEqual([
      { stream: 'JUNCTION_EVENTS', seq: 1, duplicate: false },
      { stream: 'JUNCTION_EVENTS', seq: 1, duplicate: true },
      { stream: 'JUNCTION_EVENTS', seq: 2, duplicate: false },
    ]);
  });

  it('reads every stream name of printable ASCII and sequences up to 15 digits, with or without the blanks', () => {
    const names = [
      '',
      'S',
      'JUNCTION_EVENTS',
      'a b',
      ...Array.from({ length: 95 }, (_, i) => `n${String.fromCharCode(32 + i)}x`),
    ];
    const seqs = ['0', '1', '9', '10', '42', '123456789012345', '999999999999999'];
    let read = 0;
    for (const name of names)
      for (const seq of seqs)
        for (const [sep, dup] of [
          [', ', ''],
          [',', ''],
          [', ', ',"duplicate": true'],
          [',', ',"duplicate":true'],
        ]) {
          const text = `{"stream":${JSON.stringify(name)}${sep}"seq":${seq}${dup}}`;
          const got = plainPubAck(bytes(text));
          if (name.includes('"') || name.includes('\\')) {
            expect(got, text).toBeUndefined();
            continue;
          }
          expect(got, text).toEqual(asParsed(text));
          read++;
        }
    expect(read).toBe((names.length - 2) * seqs.length * 4);
  });

  it('leaves every other reply to nats.js: errors, a domain, other blanks, escapes, non-ASCII, long numbers', () => {
    const others = [
      '',
      '{',
      '{}',
      'NATS/1.0 408',
      '{"error":{"code":503,"err_code":10077,"description":"maximum bytes exceeded"},"stream":"S","seq":0}',
      '{"stream":"S", "seq":1,"error":{"code":500}}',
      '{"stream":"S", "domain":"hub", "seq":7}',
      '{"stream":"S","seq":7,"domain":"hub"}',
      '{"stream":"S","seq":7,"duplicate":false}',
      '{"stream":"S","seq":7,"duplicate":true,"domain":"hub"}',
      '{"stream":"S","seq":7,"duplicate": true }',
      '{"stream":"S",  "seq":1}',
      '{"stream":"S" ,"seq":1}',
      '{ "stream":"S","seq":1}',
      '{"stream":"S","seq": 1}',
      '{"stream":"S","seq":1 }',
      '{"stream":"S","seq":1}\n',
      '{"stream":"S","seq":01}',
      '{"stream":"S","seq":-1}',
      '{"stream":"S","seq":1.5}',
      '{"stream":"S","seq":1e3}',
      '{"stream":"S","seq":1234567890123456}',
      '{"stream":"S","seq":}',
      '{"stream":"S","seq":"1"}',
      '{"stream":"\\u0053","seq":1}',
      '{"stream":"S\\"","seq":1}',
      '{"stream":"Å","seq":1}',
      '{"stream":"S\u007f","seq":1}',
      '{"stream":"S\t","seq":1}',
      '{"stream":"S","seq":1,"duplicate":true}}',
      '{"stream":"S","seq":1,"duplicate":tru}',
      '{"stream":"S","seq":1',
      '{"stream":"S"',
      '{"stream":"S',
      '\ufeff{"stream":"S","seq":1}',
      '{"seq":1,"stream":"S"}',
      '{"stream":1,"seq":1}',
    ];
    for (const text of others) expect(plainPubAck(bytes(text)), text).toBeUndefined();
  });

  it('names each stream by its own name when acks of several streams alternate', () => {
    const names = ['A', 'B', 'A', 'AB', 'A', 'B', 'C', 'B', 'A', 'C', 'C', 'AB'];
    const got = names.map((name, i) => plainPubAck(bytes(`{"stream":"${name}", "seq":${i}}`)));
    expect(got.map((a) => a?.stream)).toEqual(names);
    // The bytes the name was read from may be reused by the connection for the next reply.
    const reused = bytes('{"stream":"X", "seq":1}');
    expect(plainPubAck(reused)?.stream).toBe('X');
    reused[11] = 0x59; // 'Y'
    expect(plainPubAck(reused)?.stream).toBe('Y');
  });
});
