/**
 * A parked key's queued events (engine/runtime/worker/key-parking.ts) belong to one parking: no step of another
 * parking of the key, before or after it, removes or writes over them. A release moves the marker on, after which the
 * key can be parked again; and a park can lose to a parking that began meanwhile (an event that outlived its ack wait,
 * its redelivery processed by another process). Against a real nats-server and KV bucket.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PREFIX, EVENTS_STREAM, keyDigest } from '../../engine/runtime/broker/subjects.js';
import type { EventDelivery } from '../../engine/runtime/worker/event-delivery.js';
import { KeyParking } from '../../engine/runtime/worker/key-parking.js';
import type { ParkTicket } from '../../engine/runtime/worker/key-parking.js';
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
    const other = new KeyParking(kv, js);
    // The next event of the key finds it unparked the moment the marker is gone, fails, and parks it again.
    const parking = new KeyParking(
      pausingAfterDelete(kv, () => other.park(delivery('e2'), kd, 'g2', 2, 10)),
      js,
    );
    expect(await parking.park(delivery('e1'), kd, 'g1', 1, 10)).toBe(true);
    await parking.release(head('g1'));
    expect((await other.marker('orders', kd))?.marker).toEqual({ gen: 'g2', next: 0, tail: 0, seq: 2 });
    expect(await other.event(head('g2'), 1)).toMatchObject({ eventId: 'orders:e2' });
  });

  it("a release leaves the next parking's head when a second delivery of a released head's ticket finishes late", async () => {
    const kv = await new Kvm(nats.nc).create('parked_late', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    expect(await parking.park(delivery('e1'), kd, 'g1', 1, 10)).toBe(true);
    // Two processes ran the head (a broker restart delivered its ticket again): the first one releases it...
    await parking.release(head('g1'));
    expect(await parking.park(delivery('e2'), kd, 'g2', 2, 10)).toBe(true);
    // ...and the second one finishes after the key was parked again.
    await parking.release(head('g1'));
    expect(await parking.event(head('g2'), 1)).toMatchObject({ eventId: 'orders:e2' });
    expect(await parking.current(head('g2'))).toBe(true);
  });

  it("a park that loses to a live parking of the key leaves that parking's head", async () => {
    const kv = await new Kvm(nats.nc).create('parked_lost', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    expect(await parking.park(delivery('e2'), kd, 'g2', 2, 10)).toBe(true);
    // The process that ran e1 past its ack wait parks after e1's redelivery went on and e2 parked the key.
    expect(await parking.park(delivery('e1'), kd, 'g1', 1, 10)).toBe(false);
    expect((await parking.marker('orders', kd))?.marker).toEqual({ gen: 'g2', next: 0, tail: 0, seq: 2 });
    expect(await parking.event(head('g2'), 1)).toMatchObject({ eventId: 'orders:e2' });
  });

  it('a park cut short after its marker is completed by the redelivery of its message', async () => {
    const kv = await new Kvm(nats.nc).create('parked_cut', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    // The marker is written first; the process died before it stored the event.
    const marker = { gen: 'g1', next: 0, tail: 0, seq: 1 };
    await kv.create(`orders.${kd}`, JSON.stringify(marker));
    expect(await parking.event(head('g1'), 1)).toBeUndefined();
    await parking.resumeHead({ ...delivery('e1'), attempt: 2 }, kd, marker);
    expect(await parking.event(head('g1'), 2)).toMatchObject({ eventId: 'orders:e1', attempt: 2 });
  });

  it("a marker that landed after its message was processed elsewhere does not hold the key's next event", async () => {
    const kv = await new Kvm(nats.nc).create('parked_stray', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    // Its process was cut off from NATS as it parked e1; the write went out once it reconnected, after e1's
    // redelivery was delivered by another process. No event stored, no ticket: nothing would ever release it.
    await kv.create(`orders.${kd}`, JSON.stringify({ gen: 'g1', next: 0, tail: 0, seq: 1 }));
    expect(await parking.append(delivery('e2'), kd, (await parking.marker('orders', kd))!)).toBe(false);
    expect(await parking.marker('orders', kd)).toBeUndefined();
    expect(await kv.get(`orders.${kd}.1`)).toBeNull();
  });

  it('a release removes its head and leaves the queue behind it; repeated, it removes nothing', async () => {
    const kv = await new Kvm(nats.nc).create('parked_queue', { history: 1 });
    const parking = new KeyParking(kv, jetstream(nats.nc));
    expect(await parking.park(delivery('e1'), kd, 'g1', 1, 10)).toBe(true);
    expect(await parking.append(delivery('e2'), kd, (await parking.marker('orders', kd))!)).toBe(true);
    await parking.release(head('g1'));
    expect(await parking.event(head('g1'), 1)).toBeUndefined();
    expect(await parking.event({ ...head('g1'), idx: 1 }, 1)).toMatchObject({ eventId: 'orders:e2' });
    expect((await parking.marker('orders', kd))?.marker).toEqual({ gen: 'g1', next: 1, tail: 1, seq: 1 });
    await parking.release(head('g1'));
    expect(await parking.event({ ...head('g1'), idx: 1 }, 1)).toMatchObject({ eventId: 'orders:e2' });
  });
});
