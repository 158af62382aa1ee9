/**
 * `kvm.create` that is safe from many processes at once. Two engines starting together both find a bucket missing
 * and both add its stream; nats-server may refuse the loser with "subjects overlap with an existing stream" (10065,
 * seen on 2.9.10, about 1 in 400 racing creates) instead of answering with the stream the winner made. Its
 * maintainers fixed other parallel-create races one by one (nats-server PR #4600), so we do not rely on any one of
 * them: asked again, `create` finds the stream by name and opens it. A refusal that persists is a real one.
 *
 * A create that timed out is asked again too: the broker may have carried it out or still be at it (an engine creates
 * its ten buckets at once, and on a three-node cluster each is a raft group to place and elect; the runtime's R3 test
 * once failed to start under load with a request of the engine timing out, most likely one of these, the heaviest
 * requests of a start), and asked again, `create` opens what is there or adds it.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV, KvOptions, Kvm } from '@nats-io/kv';
import { errors } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';

const ATTEMPTS = 4;
const BACKOFF_MS = 100;

export async function createBucket(kvm: Pick<Kvm, 'create'>, name: string, options: Partial<KvOptions>): Promise<KV> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kvm.create(name, options);
    } catch (error) {
      const askAgain = error instanceof JetStreamApiError || error instanceof errors.TimeoutError;
      if (!askAgain || attempt === ATTEMPTS) throw error;
      await sleep(BACKOFF_MS * attempt);
    }
  }
}
