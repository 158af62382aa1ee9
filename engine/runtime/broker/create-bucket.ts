/**
 * `kvm.create` that is safe from many processes at once. Two engines starting together both find a bucket missing
 * and both add its stream; nats-server may refuse the loser with "subjects overlap with an existing stream" (10065,
 * seen on 2.9.10, about 1 in 400 racing creates) instead of answering with the stream the winner made. Its
 * maintainers fixed other parallel-create races one by one (nats-server PR #4600), so we do not rely on any one of
 * them: asked again, `create` finds the stream by name and opens it. A refusal that persists is a real one.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV, KvOptions, Kvm } from '@nats-io/kv';
import { setTimeout as sleep } from 'node:timers/promises';

const ATTEMPTS = 4;
const BACKOFF_MS = 100;

export async function createBucket(kvm: Pick<Kvm, 'create'>, name: string, options: Partial<KvOptions>): Promise<KV> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kvm.create(name, options);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || attempt === ATTEMPTS) throw error;
      await sleep(BACKOFF_MS * attempt);
    }
  }
}
