/**
 * Engines that start together race to create the same KV buckets. nats-server 2.9.10 refuses some of the losing
 * creates with "subjects overlap with an existing stream" (CI saw a second worker fail to start on it);
 * engine/runtime/broker/create-bucket.ts asks again, and the second ask opens the winner's bucket.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { connect, errors } from '@nats-io/transport-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBucket } from '../../engine/runtime/broker/create-bucket.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';

const overlap = () =>
  new JetStreamApiError({ code: 400, err_code: 10065, description: 'subjects overlap with an existing stream' });

describe('createBucket', () => {
  let nats: TestNatsServer | undefined;
  afterEach(async () => {
    await nats?.dispose();
    nats = undefined;
  });

  it('opens the bucket another process created while this one was creating it', async () => {
    const bucket = {} as KV;
    const create = vi.fn().mockRejectedValueOnce(overlap()).mockResolvedValueOnce(bucket);
    await expect(createBucket({ create }, 'junction_ledger', { history: 1 })).resolves.toBe(bucket);
    expect(create).toHaveBeenCalledTimes(2);
    expect(create).toHaveBeenLastCalledWith('junction_ledger', { history: 1 });
  });

  it('asks again after a create that timed out: the broker may have carried it out, or still be at it', async () => {
    const bucket = {} as KV;
    const create = vi.fn().mockRejectedValueOnce(new errors.TimeoutError()).mockResolvedValueOnce(bucket);
    await expect(createBucket({ create }, 'junction_ledger', { history: 1 })).resolves.toBe(bucket);
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('gives up with the server refusal when it persists, and at once on an error that is neither', async () => {
    const refused = vi.fn().mockRejectedValue(overlap());
    await expect(createBucket({ create: refused }, 'b', {})).rejects.toThrow(
      'subjects overlap with an existing stream',
    );
    expect(refused).toHaveBeenCalledTimes(4);

    const invalid = vi.fn().mockRejectedValue(new Error('invalid bucket name'));
    await expect(createBucket({ create: invalid }, 'b', {})).rejects.toThrow('invalid bucket name');
    expect(invalid).toHaveBeenCalledTimes(1);
  });

  it('lets four connections create the same 10 buckets at once, 40 times over, on a real nats-server', async () => {
    nats = await startTestNatsServer();
    const connections = await Promise.all([1, 2, 3, 4].map(() => connect({ servers: nats!.url, noAsyncTraces: true })));
    try {
      for (let round = 0; round < 40; round++) {
        const names = Array.from({ length: 10 }, (_, i) => `race_${round}_${i}`);
        const opened = await Promise.allSettled(
          connections.flatMap((nc) => names.map((name) => createBucket(new Kvm(nc), name, { history: 1 }))),
        );
        expect(opened.filter((result) => result.status === 'rejected')).toEqual([]);
      }
      const buckets: string[] = [];
      for await (const status of new Kvm(connections[0]!).list()) buckets.push(status.bucket);
      expect(buckets).toHaveLength(400);
    } finally {
      await Promise.all(connections.map((nc) => nc.close()));
    }
  });
});
