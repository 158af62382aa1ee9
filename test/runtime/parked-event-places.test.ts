/**
 * A parked key's queued events (engine/runtime/worker/key-parking.ts) belong to one parking: no step of another
 * parking of the key, before or after it, removes or writes over them. A release moves the marker on, after which
 * the key can be parked again; and a park can lose to a parking that began meanwhile (an event that outlived its ack
 * wait in a process cut off from NATS, whose writes may land once it reconnects). Against a real nats-server and KV
 * bucket.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PREFIX, EVENTS_STREAM, keyDigest } from '../../engine/runtime/broker/subjects.js';
import type { EventDelivery } from '../../engine/runtime/worker/event-delivery.js';
import { KeyParking } from '../../engine/runtime/worker/key-parking.js';
import type { ParkMarker, ParkTicket } from '../../engine/runtime/worker/key-parking.js';
import { natsForFile } from '../helpers/nats-for-file.js';

const nats = natsForFile();
const kd = keyDigest('k');

beforeAll(async () => {
  // Where the tickets go.
  await (await jetstreamManager(nats.nc)).streams.add({ name: EVENTS_STREAM, subjects: [`${EVENTS_PREFIX}.>`] });
});

function delivery(id: string): EventDelivery {
  return {
    integration: 'orders',
    subject: `${EVENTS_PREFIX}.orders.0`,
    eventId: `orders:${id}`,
    key: 'k',
    attempt: 1,
    storedAtMs: 0,
    data: Buffer.from(`{"id":"${id}"}`),
  };
}

/** The ticket of queued event 0 of the parking `gen`. */
function head(gen: string): ParkTicket {
  return { integration: 'orders', kd, gen, idx: 0, attempts: 1 };
}

/** The marker of a parking of this version (what `event` needs of it: its name and layout). */
function parkingOf(gen: string): ParkMarker {
  return { gen, next: 0, tail: 0, layout: 2 };
}

/** A parking as the version before wrote it: marker without layout, its events at `<integration>.<kd>.<n>`. */
async function legacyPark(kv: KV, id: string, gen: string): Promise<ParkMarker> {
  const { data, attempt: _attempt, ...rest } = delivery(id);
  await kv.put(`orders.${kd}.0`, JSON.stringify({ ...rest, data: Buffer.from(data).toString('base64') }));
  const marker = { gen, next: 0, tail: 0 };
  await kv.create(`orders.${kd}`, JSON.stringify(marker));
  return marker;
}

/** `kv` whose next `delete` runs `then` after the broker deleted, before the caller goes on (a slow process). */
function pausingAfterDelete(kv: KV, then: () => Promise<unknown>): KV {
  let pending: (() => Promise<unknown>) | undefined = then;
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (property === 'delete')
        return async (...args: Parameters<KV['delete']>) => {
          await target.delete(...args);
          const run = pending;
          pending = undefined;
          await run?.();
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe("a parking's queued events", () => {
  it("a release leaves the next parking's head when the key is parked again before the release has finished", async () => {
    const kv = await new Kvm(nats.nc).create('parked_slow', { history: 1 });
    const js = jetstream(nats.nc);
    // Parkings of the version before, whose events share their places: the next event of the key finds it unparked
    // the moment the marker is gone, fails, and parks it again.
    let next: ParkMarker | undefined;
    const parking = new KeyParking(
      pausingAfterDelete(kv, async () => (next = await legacyPark(kv, 'e2', 'g2'))),
      js,
    );
    await legacyPark(kv, 'e1', 'g1');
    await parking.release(head('g1'));
    expect((await parking.marker('orders', kd))?.marker).toEqual({ gen: 'g2', next: 0, tail: 0 });
    expect(await parking.event(head('g2'), next!, 1)).toMatchObject({ eventId: 'orders:e2' });
  });

  it("a release leaves the next parking's head when a second delivery of a released head's ticket finishes late", async () => {
    const kv = await new Kvm(nats.nc).create('parked_late', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    await legacyPark(kv, 'e1', 'g1');
    // Two processes ran the head (a broker restart delivered its ticket again): the first one releases it...
    await parking.release(head('g1'));
    const next = await legacyPark(kv, 'e2', 'g2');
    // ...and the second one finishes after the key was parked again.
    await parking.release(head('g1'));
    expect(await parking.event(head('g2'), next, 1)).toMatchObject({ eventId: 'orders:e2' });
    expect((await parking.current(head('g2')))?.marker).toEqual(next);
  });

  it("a park that loses to a live parking of the key leaves that parking's head", async () => {
    const kv = await new Kvm(nats.nc).create('parked_lost', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    expect(await parking.park(delivery('e2'), kd, 'g2', 2, 10)).toBe(true);
    // The process that ran e1 past its ack wait parks after e1's redelivery went on and e2 parked the key.
    expect(await parking.park(delivery('e1'), kd, 'g1', 1, 10)).toBe(false);
    const parked = (await parking.current(head('g2')))!;
    expect(parked.marker).toEqual({ gen: 'g2', next: 0, tail: 0, seq: 2, layout: 2 });
    expect(await parking.event(head('g2'), parked.marker, 1)).toMatchObject({ eventId: 'orders:e2' });
  });

  it('a release removes its head and leaves the queue behind it; repeated, it removes nothing', async () => {
    const kv = await new Kvm(nats.nc).create('parked_queue', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    expect(await parking.park(delivery('e1'), kd, 'g1', 1, 10)).toBe(true);
    expect(await parking.append(delivery('e2'), kd, (await parking.marker('orders', kd))!)).toBe(true);
    await parking.release(head('g1'));
    expect(await parking.event(head('g1'), parkingOf('g1'), 1)).toBeUndefined();
    expect(await parking.event({ ...head('g1'), idx: 1 }, parkingOf('g1'), 1)).toMatchObject({ eventId: 'orders:e2' });
    expect((await parking.marker('orders', kd))?.marker).toEqual({ gen: 'g1', next: 1, tail: 1, seq: 1, layout: 2 });
    await parking.release(head('g1'));
    expect(await parking.event({ ...head('g1'), idx: 1 }, parkingOf('g1'), 1)).toMatchObject({ eventId: 'orders:e2' });
  });

  it('a parking of the version before keeps its events where it put them: queued, read and released there', async () => {
    const kv = await new Kvm(nats.nc).create('parked_legacy', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    const marker = await legacyPark(kv, 'e1', 'g1');
    expect(await parking.append(delivery('e2'), kd, (await parking.marker('orders', kd))!)).toBe(true);
    expect((await kv.get(`orders.${kd}.1`))?.json()).toMatchObject({ eventId: 'orders:e2' });
    expect(await parking.event(head('g1'), marker, 1)).toMatchObject({ eventId: 'orders:e1', attempt: 1 });
    await parking.release(head('g1'));
    expect(await kv.get(`orders.${kd}.0`)).toBeNull();
    const parked = (await parking.current({ ...head('g1'), idx: 1 }))!;
    expect(parked.marker).toEqual({ gen: 'g1', next: 1, tail: 1 });
    expect(await parking.event({ ...head('g1'), idx: 1 }, parked.marker, 1)).toMatchObject({ eventId: 'orders:e2' });
  });
});
