/**
 * The per-event KV calls (engine/runtime/broker/hot-kv.ts: the ledger read and create, the parking marker read) do
 * once per bucket what nats.js redoes per call. Against a real nats-server, through the engine's reply inbox as in
 * the engine, they must answer exactly as nats.js's `get` and `create` on the same bucket (missing, deleted and
 * purged keys, revisions, a create over a taken, deleted or purged key, a bad key) and send the same messages.
 */
import { jetstream } from '@nats-io/jetstream';
import { Base64KeyCodec, Kvm, NoopKvCodecs } from '@nats-io/kv';
import type { Bucket, KV } from '@nats-io/kv';
import { MsgHdrsImpl, MsgImpl } from '@nats-io/nats-core/internal';
import type { Msg } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import { hotKv } from '../../engine/runtime/broker/hot-kv.js';
import { withReplyInbox } from '../../engine/runtime/broker/reply-inbox.js';
import { natsForFile } from '../helpers/nats-for-file.js';
import { outcome, seen } from './helpers/kv-outcomes.js';

// One server for the file: every test uses buckets of its own.
const nats = natsForFile();

/** A bucket as the engine opens it: on a JetStream client whose requests go through the reply inbox. */
function openBucket(name: string): Promise<KV> {
  return new Kvm(jetstream(withReplyInbox(nats.nc))).create(name, { history: 1 });
}

describe('hot KV calls', () => {
  it('read a missing key, a value, a deleted key and a purged key as nats.js does, with revisions', async () => {
    const kv = await openBucket('probe');
    const hot = hotKv(kv);
    const both = async (key: string) => {
      const [stock, fast] = [seen(await kv.get(key)), seen(await hot.get(key))];
      expect(fast).toEqual(stock);
      return fast;
    };
    expect(await both('a.missing')).toBeNull();
    // Through the engine's inbox: the subject is not scanned again, and the server's miss is not decoded.
    const scans = vi.spyOn(nats.nc as unknown as { _check: () => void }, '_check');
    const decode = vi.spyOn(MsgHdrsImpl, 'decode');
    expect(await hot.get('a.missing')).toBeNull();
    expect(scans).not.toHaveBeenCalled();
    expect(decode).not.toHaveBeenCalled();
    scans.mockRestore();
    decode.mockRestore();
    const revision = await kv.put('a.value', '{"status":"delivered"}');
    expect(await both('a.value')).toEqual({
      key: 'a.value',
      operation: 'PUT',
      revision,
      length: 22,
      value: '{"status":"delivered"}',
    });
    await kv.put('a.deleted', 'x');
    await kv.delete('a.deleted');
    expect((await both('a.deleted'))?.operation).toBe('DEL');
    await kv.put('a.purged', 'x');
    await kv.purge('a.purged');
    expect((await both('a.purged'))?.operation).toBe('PURGE');
    // A key that only shares a prefix with a stored one is missing.
    expect(await both('a')).toBeNull();
  });

  it('create a new key, refuse a taken one and write over a deleted or purged one as nats.js does', async () => {
    const kv = await openBucket('ledger');
    const hot = hotKv(kv);
    // The server's PubAck is read from its bytes (pub-ack.ts), not decoded and parsed by nats.js.
    const json = vi.spyOn(MsgImpl.prototype, 'json');
    const revision = await hot.create('orders.e1', 'first');
    expect(json).not.toHaveBeenCalled();
    json.mockRestore();
    expect(seen(await kv.get('orders.e1'))).toMatchObject({ operation: 'PUT', revision, value: 'first' });
    expect(revision).toBe((await kv.status()).values);

    // Taken: the same refusal as nats.js's (the ledger recognises "wrong last sequence"), and nothing written.
    const refused = await outcome(() => hot.create('orders.e1', 'second'));
    expect(refused).toEqual(await outcome(() => kv.create('orders.e1', 'second')));
    expect(refused).toMatch(/wrong last sequence/i);
    expect((await kv.get('orders.e1'))?.string()).toBe('first');

    for (const remove of ['delete', 'purge'] as const) {
      const key = `orders.${remove}d`;
      await kv.put(key, 'old');
      await kv[remove](key);
      const over = await hot.create(key, 'new');
      expect(seen(await kv.get(key))).toMatchObject({ operation: 'PUT', revision: over, value: 'new' });
    }
  });

  it('reject a bad key with nats.js’s error, before anything is sent', async () => {
    const kv = await openBucket('keys');
    const hot = hotKv(kv);
    for (const key of ['.a', 'a.', 'a b', 'a*']) {
      expect(await outcome(() => hot.get(key))).toEqual(await outcome(() => kv.get(key)));
      expect(await outcome(() => hot.create(key, 'v'))).toEqual(await outcome(() => kv.create(key, 'v')));
    }
  });

  it('send the messages nats.js sends, without its per-call key encoding', async () => {
    const kv = await openBucket('wire');
    const hot = hotKv(kv);
    const wire: { subject: string; headers: string[]; data: string }[] = [];
    const watch = (msg: Msg) => {
      wire.push({
        subject: msg.subject,
        headers: msg.headers ? [...msg.headers.keys()].map((k) => `${k}: ${msg.headers!.get(k)}`) : [],
        data: msg.string(),
      });
    };
    nats.nc.subscribe('$KV.wire.>', { callback: (_, m) => watch(m) });
    nats.nc.subscribe('$JS.API.DIRECT.GET.KV_wire.>', { callback: (_, m) => watch(m) });
    await nats.nc.flush();
    const encodeKey = vi.spyOn(kv as Bucket, 'encodeKey');

    // A value beyond ASCII: the create sends it as UTF-8 bytes of its own making (from Node's buffer pool).
    const value = '{"note":"é 😀 \u2028 中"}';
    await hot.create('i.k1', value);
    await hot.get('i.k1');
    expect(encodeKey).not.toHaveBeenCalled();
    await kv.create('i.k2', value);
    await kv.get('i.k2');
    expect(encodeKey).toHaveBeenCalledTimes(2);
    await nats.nc.flush();

    const [hotCreate, hotGet, stockCreate, stockGet] = wire;
    expect(hotCreate).toEqual({ ...stockCreate, subject: '$KV.wire.i.k1' });
    expect(stockCreate).toEqual({
      subject: '$KV.wire.i.k2',
      headers: ['Nats-Expected-Last-Subject-Sequence: 0'],
      data: value,
    });
    expect(hotGet).toEqual({ ...stockGet, subject: '$JS.API.DIRECT.GET.KV_wire.$KV.wire.i.k1' });
    expect(stockGet).toEqual({ subject: '$JS.API.DIRECT.GET.KV_wire.$KV.wire.i.k2', headers: [], data: '' });
  });

  it('leave a bucket with a key codec to nats.js', async () => {
    const js = jetstream(withReplyInbox(nats.nc));
    const kv = await new Kvm(js).create('coded', {
      history: 1,
      codec: { key: Base64KeyCodec(), value: NoopKvCodecs().value },
    });
    const hot = hotKv(kv);
    const revision = await hot.create('a.b', 'v');
    expect(seen(await hot.get('a.b'))).toEqual(seen(await kv.get('a.b')));
    expect(seen(await kv.get('a.b'))).toMatchObject({ key: 'a.b', revision, value: 'v' });
  });
});
