/**
 * The partition count every engine of a cluster shares (engine/runtime/broker/provision.ts, `agreePartitions`): the
 * first engine stores its own and the others adopt it. An engine must never go on with a count it neither stored nor
 * read: one whose create timed out without the broker carrying it out went on with its own count, unstored, and an
 * engine started with another count would then put the same key's events in another partition.
 */
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { errors } from '@nats-io/transport-node';
import { afterEach, expect, it, vi } from 'vitest';
import { agreePartitions } from '../../engine/runtime/broker/provision.js';
import { natsTestBed } from '../helpers/nats-server.js';

const bed = natsTestBed();
afterEach(() => bed.dispose());

/** A meta bucket whose creates fail with `failures` first, then store; `get` reads what was stored. */
function metaBucket(failures: Error[], stored?: string): KV & { create: ReturnType<typeof vi.fn> } {
  let value = stored;
  const create = vi.fn(async (_key: string, text: string) => {
    const failure = failures.shift();
    if (failure) throw failure;
    if (value !== undefined) throw new Error('wrong last sequence: 1');
    value = text;
    return 1;
  });
  const get = vi.fn(async () => (value === undefined ? null : { string: () => value }));
  return { create, get } as unknown as KV & { create: ReturnType<typeof vi.fn> };
}

it('asks again when the create failed and nothing is stored, and goes on only with the count it stored', async () => {
  const meta = metaBucket([new errors.TimeoutError()]);
  await expect(agreePartitions(meta, 8)).resolves.toBe(8);
  expect(meta.create).toHaveBeenCalledTimes(2);
  expect((await meta.get('partitions'))?.string()).toBe('8');
});

it('adopts the stored count, and says what to fix when the stored value is no count or nothing can be stored', async () => {
  await expect(agreePartitions(metaBucket([], '16'), 8)).resolves.toBe(16);
  await expect(agreePartitions(metaBucket([], 'sixteen'), 8)).rejects.toThrow(
    'KV junction_meta key partitions holds "sixteen", not a partition count: put the count every engine of this cluster uses (a positive integer) there, then start again',
  );
  const away = metaBucket(Array.from({ length: 4 }, () => new errors.TimeoutError()));
  await expect(agreePartitions(away, 8)).rejects.toThrow(
    'the partition count could be neither stored nor read in KV junction_meta (timeout): check that the NATS server answers JetStream requests, then start again',
  );
});

it('gives engines that start together with different counts one count, on a real nats-server', async () => {
  await bed.start();
  const connections = [await bed.connect(), await bed.connect(), await bed.connect(), await bed.connect()];
  for (let round = 0; round < 20; round++) {
    await new Kvm(connections[0]!).create(`meta_${round}`, { history: 1 });
    const metas = await Promise.all(connections.map((nc) => new Kvm(nc).open(`meta_${round}`)));
    const agreed = await Promise.all(metas.map((meta, i) => agreePartitions(meta, [4, 8, 16, 32][i]!)));
    expect(new Set(agreed).size).toBe(1);
    expect(Number((await metas[0]!.get('partitions'))?.string())).toBe(agreed[0]);
  }
});
