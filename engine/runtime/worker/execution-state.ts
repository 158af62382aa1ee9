/**
 * The executor's state (ExecutionState) for one event, on NATS KV: xref from the shared replica, last-written
 * hashes per target record (echo suppression), the creator of records owned as `records: created`, and checkpoints
 * of completed step calls (a retry resumes after them instead of writing twice).
 */
import type { KV, KvEntry } from '@nats-io/kv';
import type { CallCheckpoint, ExecutionState } from '../../execute/execution-types.js';
import { isSentCall } from '../../execute/execution-types.js';
import { keyDigest } from '../broker/subjects.js';
import type { XrefReplica } from '../stores/xref-replica.js';
import type { AttemptLeases } from './call-leases.js';

export interface EventStateOptions {
  written: KV;
  checkpoints: KV;
  xref: XrefReplica;
  integration: string;
  /** Digest of the event id: scopes the checkpoints. */
  eventDigest: string;
  /** Keep last-written hashes (echo suppression): only integrations with a reverse partner (echo-partners.ts). */
  echoState: boolean;
  /** Sent marks as leases across processes (call-leases.ts); without it a mark is a plain checkpoint. */
  leases?: AttemptLeases;
}

export function eventExecutionState(options: EventStateOptions): ExecutionState {
  const { written, checkpoints, integration, eventDigest, leases } = options;
  // The checkpoint entries this attempt read, so a claim is a compare-and-set against what the attempt saw.
  const seen = leases && new Map<string, KvEntry | null>();
  // A write reads the record's last hash and then sets it: digest the record key once.
  const digests = new RecordDigest();
  // Method shorthand, not arrow properties: tsx names every arrow it assigns (a defineProperty per event).
  return {
    xref: options.xref.xref,
    lastWritten: options.echoState
      ? {
          async get(recordKey) {
            return (await written.get(digests.of(recordKey)))?.string() || undefined;
          },
          async set(recordKey, hash) {
            await written.put(digests.of(recordKey), hash);
          },
        }
      : undefined, // every write is sent, nothing is hashed, read or stored
    // In the same bucket as the hashes, under a key of its own (`created/` is part of what is digested).
    createdBy: {
      async get(recordKey) {
        return (await written.get(keyDigest(`created/${recordKey}`)))?.string() || undefined;
      },
      async set(recordKey, creator) {
        await written.put(keyDigest(`created/${recordKey}`), creator);
      },
    },
    checkpoint: {
      async get(callKey) {
        const entry = await checkpoints.get(checkpointKey(integration, eventDigest, callKey));
        seen?.set(callKey, entry);
        return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<CallCheckpoint>() : undefined;
      },
      async set(callKey, value) {
        const key = checkpointKey(integration, eventDigest, callKey);
        await checkpoints.put(key, checkpointJson(value));
        leases?.settled(key);
      },
      async clear(callKey) {
        const key = checkpointKey(integration, eventDigest, callKey);
        await checkpoints.delete(key);
        leases?.settled(key);
      },
      ...(leases && {
        async claim(callKey: string) {
          await leases.claim(checkpointKey(integration, eventDigest, callKey), seen?.get(callKey));
        },
        holds(callKey: string) {
          return leases.holdsForCall(checkpointKey(integration, eventDigest, callKey));
        },
      }),
    },
  };
}

function checkpointKey(integration: string, eventDigest: string, callKey: string): string {
  return `${integration}.${eventDigest}.${callKey}`;
}

/** The KV key of a target record, remembered for the last record asked about. */
class RecordDigest {
  #recordKey: string | undefined;
  #digest = '';
  of(recordKey: string): string {
    if (recordKey !== this.#recordKey) {
      this.#recordKey = recordKey;
      this.#digest = keyDigest(recordKey);
    }
    return this.#digest;
  }
}

/**
 * A checkpoint as stored: the call's result (later steps read it) and its request without the body. A resumed call
 * only counts as a request sent (ledger entry), and the body can be large, so it is not written to KV a second time.
 * A sent marker is stored as it is.
 */
export function checkpointJson(value: CallCheckpoint): string {
  if (isSentCall(value)) return JSON.stringify(value);
  const { body: _body, ...request } = value.request;
  return JSON.stringify({ result: value.result, request });
}

/** Spec commit an event's first attempt ran with, so its retries keep that version. */
export async function pinnedCommit(
  checkpoints: KV,
  integration: string,
  eventDigest: string,
): Promise<string | undefined> {
  const entry = await checkpoints.get(`${integration}.${eventDigest}._pin`);
  return entry?.operation === 'PUT' ? entry.string() || undefined : undefined;
}

export async function pinCommit(
  checkpoints: KV,
  integration: string,
  eventDigest: string,
  commit: string,
): Promise<void> {
  await checkpoints.create(`${integration}.${eventDigest}._pin`, commit).catch(() => undefined);
}
