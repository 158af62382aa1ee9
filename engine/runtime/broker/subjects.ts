/**
 * Names on the broker: event subjects, partitions, consumer names and KV keys. One place, so ingest, workers,
 * replay and the CLI always agree.
 */
import { hash } from 'node:crypto';

/** Stream holding every ingested event, one subject per integration and partition. */
export const EVENTS_STREAM = 'JUNCTION_EVENTS';
export const EVENTS_PREFIX = 'junction.events';

/** Message headers the engine sets on events. */
export const HEADER = {
  /**
   * The event's unique id (dedup id): idempotency keys, ledger and checkpoints derive from it. Set only when the
   * broker's dedup id (`msgId`) is not `<integration>:<event id>` (replays); otherwise read from that (`eventIdOf`).
   */
  eventId: 'Junction-Event-Id',
  /** The broker's dedup id, `<integration>:<event id>` unless the publish gave its own (replays). */
  msgId: 'Nats-Msg-Id',
  /** The record key (for logs and the DLQ). */
  key: 'Junction-Key',
  /** Set on replays: the dead-letter entry being replayed. */
  replayOf: 'Junction-Replay-Of',
  /** Spec commit the event was ingested under. */
  commit: 'Junction-Commit',
  /** Set by `junction reconcile --fix`: send every write, even one equal to the last written (no echo suppression). */
  force: 'Junction-Force',
} as const;

/**
 * A delivered event's id as the worker keys it, `<integration>:<event id>`, from its headers: `Junction-Event-Id` when
 * the event has one (a replay, or an event stored before 2026-12-05 session 15, which carried both), else its
 * `Nats-Msg-Id`, which ingest sets to `<integration>:<event id>` and no longer repeats in `Junction-Event-Id` (about
 * 50 bytes less per event, stored and delivered: docs/performance.md, "Ingest CPU cuts, session 15"); `seq-<n>` for a
 * message with neither.
 */
export function eventIdOf(integration: string, eventIdHeader: string, msgIdHeader: string, seq: number): string {
  if (eventIdHeader) return `${integration}:${eventIdHeader}`;
  if (msgIdHeader.length > integration.length + 1 && msgIdHeader.startsWith(`${integration}:`)) return msgIdHeader;
  return `${integration}:seq-${seq}`;
}

/** `junction.events.<integration>.<partition>` */
export function eventSubject(integration: string, partition: number): string {
  return `${EVENTS_PREFIX}.${integration}.${partition}`;
}

/** `junction.events.<integration>.retry`: the tickets of the integration's parked keys (worker/key-parking.ts). */
export function retrySubject(integration: string): string {
  return `${EVENTS_PREFIX}.${integration}.retry`;
}

/** Durable consumer of an integration's retry tickets: `<integration>-retry`. */
export function retryConsumerName(integration: string): string {
  return `${integration}-retry`;
}

type EventSubject = Readonly<{ integration: string; partition: number } | { integration: string; retry: true }>;

/**
 * Event subjects parsed before. Every delivery parses its subject, and a deployment has few (each integration's
 * partitions and retry subject), so each is parsed once and its answer shared (frozen). Forgotten all at once past
 * 10,000, so subjects of integrations long gone are not kept forever.
 */
const PARSED_SUBJECTS = new Map<string, EventSubject>();
const PARSED_SUBJECTS_KEPT = 10_000;

/** Parses an event subject back into integration and partition. */
export function parseEventSubject(subject: string): EventSubject | undefined {
  let parsed = PARSED_SUBJECTS.get(subject);
  if (parsed) return parsed;
  parsed = parseSubject(subject);
  if (!parsed) return undefined;
  if (PARSED_SUBJECTS.size >= PARSED_SUBJECTS_KEPT) PARSED_SUBJECTS.clear();
  PARSED_SUBJECTS.set(subject, Object.freeze(parsed));
  return parsed;
}

function parseSubject(
  subject: string,
): { integration: string; partition: number } | { integration: string; retry: true } | undefined {
  const parts = subject.split('.');
  if (parts.length !== 4 || `${parts[0]}.${parts[1]}` !== EVENTS_PREFIX) return undefined;
  if (parts[3] === 'retry') return { integration: parts[2], retry: true };
  const partition = Number(parts[3]);
  return Number.isInteger(partition) ? { integration: parts[2], partition } : undefined;
}

/** Durable consumer of one partition: `<integration>-p<n>` (consumer names cannot contain dots). */
export function consumerName(integration: string, partition: number): string {
  return `${integration}-p${partition}`;
}

/**
 * The partition of a record key: FNV-1a 32-bit mod N. Stable across processes and versions, so every process
 * routes a key to the same ordered consumer.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/**
 * A KV-key-safe digest of an arbitrary id (KV keys allow only `[-/_=.a-zA-Z0-9]`): sha256, base64url, 32 characters.
 * One-shot `hash`, not a `Hash` object: the worker digests every event's id and key (about 1 µs less each).
 */
export function keyDigest(value: string): string {
  return hash('sha256', value, 'base64url').slice(0, 32);
}

/** Base64url of a value's UTF-8: reversible, and safe inside one KV key token (`_` for the empty string). */
export function keyToken(value: string): string {
  return asciiBase64url(value) ?? (Buffer.from(value).toString('base64url') || '_');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Base64url of a short ASCII string (whose UTF-8 bytes are its character codes), without padding as Node writes
 * it; undefined for anything else. Every delivered event names its trace subject by its record key, and
 * `Buffer.from(key).toString('base64url')` (two calls into C++ and a pooled buffer for a key of a few bytes) made
 * the trace subject 0.36 % of the engine's busy samples, 0.11 % this way (docs/performance.md, "Delivery CPU cuts,
 * session 13").
 */
function asciiBase64url(value: string): string | undefined {
  const n = value.length;
  if (n === 0 || n > 96) return undefined;
  let out = '';
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const a = value.charCodeAt(i);
    const b = value.charCodeAt(i + 1);
    const c = value.charCodeAt(i + 2);
    if ((a | b | c) > 0x7f) return undefined;
    out += BASE64URL[a >> 2]! + BASE64URL[((a & 3) << 4) | (b >> 4)]! + BASE64URL[((b & 15) << 2) | (c >> 6)]!;
    out += BASE64URL[c & 63]!;
  }
  if (i + 1 === n) {
    const a = value.charCodeAt(i);
    if (a > 0x7f) return undefined;
    out += BASE64URL[a >> 2]! + BASE64URL[(a & 3) << 4]!;
  } else if (i + 2 === n) {
    const a = value.charCodeAt(i);
    const b = value.charCodeAt(i + 1);
    if ((a | b) > 0x7f) return undefined;
    out += BASE64URL[a >> 2]! + BASE64URL[((a & 3) << 4) | (b >> 4)]! + BASE64URL[(b & 15) << 2]!;
  }
  return out;
}

export function fromKeyToken(token: string): string {
  return token === '_' ? '' : Buffer.from(token, 'base64url').toString();
}
