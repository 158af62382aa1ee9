/**
 * The trace of every record: one compact JetStream message per finished attempt of an event (delivered, skipped,
 * echo-suppressed, retrying, waiting, dead-lettered), on a subject per integration and record key, so `junction
 * trace <integration> <key>` reads exactly that record's history. Kept as long as the ledger (7 days by default).
 * Written without waiting for the broker's answer: the trace is for people, and must never slow delivery.
 */
import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { keyToken } from '../broker/subjects.js';
import { publishBuilt, subjectSafe } from '../broker/built-subject-publish.js';
import { jsonOf } from '../../http/sent-json.js';
import { REDACTED, redactSecretValues } from '../../http/redact.js';
import type { EngineSecrets } from '../engine-secrets.js';

export const TRACE_STREAM = 'JUNCTION_TRACE';
export const TRACE_PREFIX = 'junction.trace';

/** One attempt of one event, as the trace keeps it. */
export interface TraceRecord {
  integration: string;
  key: string;
  eventId: string;
  attempt: number;
  outcome: 'delivered' | 'skipped' | 'echo_suppressed' | 'dead_lettered' | 'retrying' | 'waiting';
  /** Spec commit the attempt ran with. */
  commit: string;
  /** When the event was stored (ingest), and when this attempt ended. */
  storedAt: string;
  at: string;
  /** The requests sent (bodies cut at 2 KB). */
  requests: { step: string; index?: number; method: string; path: string; body?: unknown }[];
  /** Step results, as later steps read them (the vendors' answers; cut at 2 KB). */
  results?: unknown;
  error?: { code: string; message: string; status?: number; step?: string; response?: string };
  replayOf?: string;
  dlqId?: string;
  /** Retrying or waiting: the delay before the next attempt. */
  nextInMs?: number;
}

export function traceSubject(integration: string, key: string): string {
  return `${TRACE_PREFIX}.${integration}.${keyToken(key)}`;
}

export async function provisionTraceStream(
  jsm: JetStreamManager,
  options: { replicas: number; maxAgeMs: number },
): Promise<void> {
  const exists = await jsm.streams.info(TRACE_STREAM).then(
    () => true,
    (error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return false;
      throw error;
    },
  );
  if (exists) return;
  await jsm.streams
    .add({
      name: TRACE_STREAM,
      subjects: [`${TRACE_PREFIX}.>`],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: StorageType.File,
      num_replicas: options.replicas,
      max_age: nanos(options.maxAgeMs),
      allow_direct: true,
    })
    .catch(async (error) => {
      if (!(await jsm.streams.info(TRACE_STREAM).catch(() => undefined))) throw error;
    });
}

export class TraceLog {
  /**
   * With `nc`, records are published as core NATS messages (the stream stores them; no PubAck to wait for, which is
   * a request/reply per attempt otherwise): the trace is a diagnostic, not a guarantee.
   */
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly nc?: NatsConnection,
    /** Secret values masked wherever the record holds them (a vendor echoed a token back in a step's result). */
    private readonly secrets?: EngineSecrets,
  ) {}

  /** Appends a record; never throws and never waits for the broker. */
  record(record: TraceRecord): void {
    const subject = traceSubject(record.integration, record.key);
    const bytes = traceBytes(record, this.secrets);
    if (!this.nc) {
      void this.js.publish(subject, bytes).catch(() => undefined);
      return;
    }
    try {
      // The prefix and the key's base64url token hold no whitespace: only the integration's name is scanned.
      publishBuilt(this.nc, subject, bytes, undefined, subjectSafe(record.integration) ? 'none' : 'subject');
    } catch {
      // closed connection: the record is lost, the event is not
    }
  }

  /** Every trace record of one record key, oldest first. */
  async read(integration: string, key: string): Promise<TraceRecord[]> {
    const subject = traceSubject(integration, key);
    const info = await this.jsm.streams.info(TRACE_STREAM, { subjects_filter: subject }).catch(() => undefined);
    const count = info?.state.subjects?.[subject] ?? 0;
    if (count === 0) return [];
    // Direct gets by subject (next_by_subj; allow_direct is on): no consumer, and fine on nats-server 2.9.
    const out: TraceRecord[] = [];
    for (let seq = 1; out.length < count;) {
      const message = await this.jsm.direct.getMessage(TRACE_STREAM, { seq, next_by_subj: subject }).catch(() => null);
      if (!message) break;
      out.push(message.json<TraceRecord>());
      seq = message.seq + 1;
    }
    return out;
  }
}

/**
 * The record as stored: each request body and the step results kept whole when their JSON is 2 KB or less, else that
 * JSON cut at 2 KB (marked). Built from the pieces' own JSON, so no body is serialised twice (once to measure it,
 * once in the record), and a request body as the HTTP client sent it is not serialised again (sent-json.ts).
 */
export function traceJson(record: TraceRecord, secrets?: EngineSecrets): string {
  return traceParts(record, secrets).join('');
}

/**
 * `traceJson(record)` as UTF-8, the bytes published: its pieces are written one after the other, so the record's
 * text is never joined into one string first (a copy of its bodies per attempt), and a record under 4 KB takes its
 * bytes from Node's buffer pool rather than an ArrayBuffer of its own (issue #16). No piece holds half of a
 * surrogate pair (each is JSON, which escapes a lone one), so the bytes are those of the whole text.
 */
export function traceBytes(record: TraceRecord, secrets?: EngineSecrets): Uint8Array {
  const parts = traceParts(record, secrets);
  let length = 0;
  for (const part of parts) length += Buffer.byteLength(part);
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const part of parts) at += bytes.write(part, at);
  return bytes;
}

/**
 * The record's JSON text in pieces, in order, with `secrets`' values masked: in the texts (paths, the error) as they
 * are, and in bodies and results in their JSON text, before the 2 KB cut (so a secret across the cut leaves nothing).
 */
function traceParts(record: TraceRecord, secrets?: EngineSecrets): string[] {
  const values = secrets?.values() ?? [];
  const forms = values.length > 0 ? secrets!.jsonForms() : values;
  const { requests, results, ...rest } = values.length > 0 ? maskedTexts(record, values) : record;
  // `rest` always holds the record's required fields, so its JSON is a non-empty object to extend.
  const parts = [JSON.stringify(rest).slice(0, -1), ',"requests":['];
  for (let i = 0; i < requests.length; i++) {
    const { body, ...request } = requests[i]!;
    if (i > 0) parts.push(',');
    const head = JSON.stringify(request);
    const cutBody = body === undefined ? undefined : cutJson(body, forms);
    if (cutBody === undefined) parts.push(head);
    else parts.push(head.slice(0, -1), ',"body":', cutBody, '}');
  }
  parts.push(']');
  const cutResults = results === undefined ? undefined : cutJson(results, forms);
  if (cutResults !== undefined) parts.push(',"results":', cutResults);
  parts.push('}');
  return parts;
}

/** A value's JSON when 2 KB or less, else the JSON of a string: that JSON cut at 2 KB, marked with its length. */
function cutJson(value: unknown, forms: readonly string[]): string | undefined {
  const text = maskedJson(jsonOf(value), forms);
  if (text === undefined || text.length <= 2048) return text;
  // The mark's `…` as its JSON escape: the same string when read, but a record of ASCII JSON stays a one-byte string,
  // which encodes for its publish about three times faster than a two-byte one (issue #16).
  return `${JSON.stringify(text.slice(0, 2048)).slice(0, -1)}\\u2026 (${text.length} bytes)"`;
}

/**
 * The record with secret values masked in its request paths and its error's message and response: `record` itself
 * when none holds one (every attempt is traced, so nothing is copied for nothing).
 */
function maskedTexts(record: TraceRecord, values: readonly string[]): TraceRecord {
  const { requests, error } = record;
  const mask = (text: string) => redactSecretValues(text, values);
  const paths = requests.map((q) => mask(q.path));
  const message = error && mask(error.message);
  const response = error?.response === undefined ? undefined : mask(error.response);
  if (paths.every((p, i) => p === requests[i]!.path) && message === error?.message && response === error?.response)
    return record;
  return {
    ...record,
    requests: requests.map((q, i) => ({ ...q, path: paths[i]! })),
    ...(error && { error: { ...error, message: message!, ...(response === undefined ? {} : { response }) } }),
  };
}

/**
 * JSON text with the secrets' JSON forms masked. A form can match across an escape (a secret starting with `"`
 * after an escaped backslash): JSON the mask broke is replaced whole by the mask, as a string.
 */
function maskedJson(text: string | undefined, forms: readonly string[]): string | undefined {
  if (text === undefined || forms.length === 0) return text;
  const masked = redactSecretValues(text, forms);
  if (masked === text) return text;
  try {
    JSON.parse(masked);
    return masked;
  } catch {
    return JSON.stringify(REDACTED);
  }
}
