/**
 * The executor's state (ExecutionState) for one event, on NATS KV: xref from the shared replica, last-written
 * hashes per target record (echo suppression), and checkpoints of completed step calls (a retry resumes after
 * them instead of writing twice).
 */
import type { KV } from '@nats-io/kv';
import type { ExecutionState, PlannedRequest } from '../plan/execution-types.js';
import { keyDigest } from './subjects.js';
import type { XrefReplica } from './xref-replica.js';

export interface EventStateOptions {
  written: KV;
  checkpoints: KV;
  xref: XrefReplica;
  integration: string;
  /** Digest of the event id: scopes the checkpoints. */
  eventDigest: string;
  /** On a first delivery there can be no checkpoint yet: skip the reads. */
  firstAttempt: boolean;
}

type Checkpoint = { result: unknown; request: PlannedRequest };

export function eventExecutionState(options: EventStateOptions): ExecutionState {
  const { written, checkpoints } = options;
  const checkpointKey = (callKey: string) => `${options.integration}.${options.eventDigest}.${callKey}`;
  return {
    xref: options.xref.xref,
    lastWritten: {
      get: async (recordKey) => (await written.get(keyDigest(recordKey)))?.string() || undefined,
      set: async (recordKey, hash) => void (await written.put(keyDigest(recordKey), hash)),
    },
    checkpoint: {
      get: async (callKey) => {
        if (options.firstAttempt) return undefined;
        const entry = await checkpoints.get(checkpointKey(callKey));
        return entry && entry.operation === 'PUT' && entry.length > 0 ? (entry.json<Checkpoint>()) : undefined;
      },
      set: async (callKey, value) => void (await checkpoints.put(checkpointKey(callKey), JSON.stringify(value))),
    },
  };
}

/** Spec commit an event's first attempt ran with, so its retries keep that version. */
export async function pinnedCommit(checkpoints: KV, integration: string, eventDigest: string): Promise<string | undefined> {
  const entry = await checkpoints.get(`${integration}.${eventDigest}._pin`);
  return entry?.operation === 'PUT' ? entry.string() || undefined : undefined;
}

export async function pinCommit(checkpoints: KV, integration: string, eventDigest: string, commit: string): Promise<void> {
  await checkpoints.create(`${integration}.${eventDigest}._pin`, commit).catch(() => undefined);
}
