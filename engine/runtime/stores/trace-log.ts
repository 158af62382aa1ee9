/**
 * The trace of every record: one compact JetStream message per finished attempt of an event (delivered, skipped,
 * echo-suppressed, retrying, waiting, dead-lettered), on a subject per integration and record key, so `junction
 * trace <integration> <key>` reads exactly that record's history. Kept as long as the ledger (7 days by default).
 * Written without waiting for the broker's answer: the trace is for people, and must never slow delivery.
 */
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { addStreamUnlessThere } from '../broker/add-stream.js';
import { keyToken } from '../broker/subjects.js';
import { publishBuilt, subjectSafe } from '../broker/built-subject-publish.js';
import { jsonOf } from '../../http/sent-json.js';
import { redactJsonText, redactSecretValues } from '../../http/redact.js';
import type { EngineSecrets } from '../engine-secrets.js';

const TRACE_STREAM = 'JUNCTION_TRACE';
const TRACE_PREFIX = 'junction.trace';

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
  /** Writes whose event was stale: they sent what the source held when re-read, or nothing (an echo). */
  superseded?: { step: string; index?: number }[];
}

function traceSubject(integration: string, key: string): string {
  return `${TRACE_PREFIX}.${integration}.${keyToken(key)}`;
}

export async function provisionTraceStream(
  jsm: JetStreamManager,
  options: { replicas: number; maxAgeMs: number },
): Promise<void> {
  await addStreamUnlessThere(jsm, {
    name: TRACE_STREAM,
    subjects: [`${TRACE_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    storage: StorageType.File,
    num_replicas: options.replicas,
    max_age: nanos(options.maxAgeMs),
    allow_direct: true,
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
  let text = '';
  for (const part of traceParts(record, secrets)) text += typeof part === 'string' ? part : cutTextJson(part.text);
  return text;
}

/**
 * `traceJson(record)` as UTF-8, the bytes published: its pieces are written one after the other, so the record's
 * text is never joined into one string first (a copy of its bodies per attempt), and a record under 4 KB takes its
 * bytes from Node's buffer pool rather than an ArrayBuffer of its own (issue #16). No piece holds half of a
 * surrogate pair (each is JSON, which escapes a lone one), so the bytes are those of the whole text. The 2 KB of a
 * cut value are escaped as JSON in their UTF-8 bytes (escapedCut), not by `JSON.stringify` of the text.
 */
export function traceBytes(record: TraceRecord, secrets?: EngineSecrets): Uint8Array {
  const parts = traceParts(record, secrets);
  let length = 0;
  let escaped = 0;
  const cuts: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i]!;
    if (typeof part !== 'string') {
      const end = escapedCut(part.text, escaped);
      if (end >= 0) {
        cuts.push(escaped, end);
        length += end - escaped;
        escaped = end;
        continue;
      }
      part = parts[i] = cutTextJson(part.text);
    }
    length += Buffer.byteLength(part);
  }
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  let cut = 0;
  for (const part of parts) {
    if (typeof part === 'string') at += bytes.write(part, at);
    else {
      at += ESCAPED.bytes.copy(bytes, at, cuts[cut]!, cuts[cut + 1]!);
      cut += 2;
    }
  }
  return bytes;
}

/** The first 2 KB of a value's JSON text, cut there: written as a JSON string without its closing quote. */
class CutText {
  constructor(readonly text: string) {}
}

/** A cut text as `JSON.stringify` writes it, without the closing quote (the mark after it ends the string). */
function cutTextJson(text: string): string {
  return JSON.stringify(text).slice(0, -1);
}

/** The cut text's UTF-8 (at most 3 bytes a UTF-16 unit). */
const RAW = Buffer.allocUnsafe(3 * 2048);
/** The escaped cut texts of the record being written, one after the other; grown as a record needs. */
const ESCAPED = { bytes: Buffer.allocUnsafe(4 * 6 * 2048) };
/** What a byte becomes in a JSON string: 0 kept, else the character after the backslash (`u` for `\u00XX`). */
const ESCAPE = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) ESCAPE[b] = 0x75;
ESCAPE[0x08] = 0x62; // \b
ESCAPE[0x09] = 0x74; // \t
ESCAPE[0x0a] = 0x6e; // \n
ESCAPE[0x0c] = 0x66; // \f
ESCAPE[0x0d] = 0x72; // \r
ESCAPE[0x22] = 0x22;
ESCAPE[0x5c] = 0x5c;
const HEX = Buffer.from('0123456789abcdef');

/**
 * Writes `cutTextJson(text)` as UTF-8 into ESCAPED from `from`; returns where it ends, or -1 when `text` is not
 * well-formed UTF-16 (the cut kept half of a surrogate pair), which `JSON.stringify` writes as an escape and UTF-8
 * cannot hold. Escaping the bytes is about a third of `JSON.stringify`'s work on this text (callgrind, a bench record's
 * 2 KB: docs/performance.md, "Delivery CPU cuts, session 15"): JSON escapes only `"`, `\` and controls, all single
 * bytes, and every other character is written as its UTF-8 either way.
 */
function escapedCut(text: string, from: number): number {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return -1;
  const length = RAW.write(text, 0);
  if (ESCAPED.bytes.length < from + 1 + 6 * length) {
    const grown = Buffer.allocUnsafe(2 * (from + 1 + 6 * length));
    ESCAPED.bytes.copy(grown, 0, 0, from);
    ESCAPED.bytes = grown;
  }
  const out = ESCAPED.bytes;
  let at = from;
  out[at++] = 0x22;
  for (let i = 0; i < length; i++) {
    const b = RAW[i]!;
    const escape = ESCAPE[b]!;
    if (escape === 0) out[at++] = b;
    else if (escape !== 0x75) {
      out[at++] = 0x5c;
      out[at++] = escape;
    } else {
      out[at++] = 0x5c;
      out[at++] = 0x75;
      out[at++] = 0x30;
      out[at++] = 0x30;
      out[at++] = HEX[b >> 4]!;
      out[at++] = HEX[b & 15]!;
    }
  }
  return at;
}

/**
 * The record's JSON text in pieces, in order, with `secrets`' values masked: in the texts (paths, the error) as they
 * are, and in bodies and results in their JSON text, before the 2 KB cut (so a secret across the cut leaves nothing).
 * Written field by field in the order `traceAttempt` builds a record (the same text as `JSON.stringify` of it, with
 * requests and results last): no copy of the record without its requests and of each request without its body
 * (object rest copies, about a fifth of the record's cost on Node 20), and a cut body is two pieces written as they
 * are rather than a third string joining them (issue #16; docs/performance.md, "Delivery CPU cuts, session 15").
 */
function traceParts(record: TraceRecord, secrets?: EngineSecrets): (string | CutText)[] {
  const values = secrets?.values() ?? [];
  const forms = values.length > 0 ? secrets!.jsonForms() : values;
  const masking: MaskedSecrets = values.length > 0 ? { values, forms } : NO_SECRETS;
  const r = values.length > 0 ? maskedTexts(record, values) : record;
  let head =
    `{"integration":${JSON.stringify(r.integration)},"key":${JSON.stringify(r.key)},` +
    `"eventId":${JSON.stringify(r.eventId)},"attempt":${numberJson(r.attempt)},"outcome":${JSON.stringify(r.outcome)},` +
    `"commit":${JSON.stringify(r.commit)},"storedAt":${JSON.stringify(r.storedAt)},"at":${JSON.stringify(r.at)}`;
  const { error } = r;
  if (error !== undefined) head += `,"error":${errorJson(error)}`;
  if (r.replayOf !== undefined) head += `,"replayOf":${JSON.stringify(r.replayOf)}`;
  if (r.dlqId !== undefined) head += `,"dlqId":${JSON.stringify(r.dlqId)}`;
  if (r.nextInMs !== undefined) head += `,"nextInMs":${numberJson(r.nextInMs)}`;
  if (r.superseded !== undefined) head += `,"superseded":${JSON.stringify(r.superseded)}`;
  const parts: (string | CutText)[] = [head, ',"requests":['];
  const { requests, results } = r;
  for (let i = 0; i < requests.length; i++) {
    const q = requests[i]!;
    let request = `${i > 0 ? ',' : ''}{"step":${JSON.stringify(q.step)}`;
    if (q.index !== undefined) request += `,"index":${numberJson(q.index)}`;
    request += `,"method":${JSON.stringify(q.method)},"path":${JSON.stringify(q.path)}`;
    if (q.body === undefined) {
      parts.push(request, '}');
      continue;
    }
    const before = parts.length;
    parts.push(request, ',"body":');
    if (!pushCutJson(parts, q.body, masking)) parts.length = before + 1;
    parts.push('}');
  }
  parts.push(']');
  if (results !== undefined) {
    parts.push(',"results":');
    if (!pushCutJson(parts, results, masking)) parts.pop();
  }
  parts.push('}');
  return parts;
}

/** A number as `JSON.stringify` writes it (`null` when not finite). */
function numberJson(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

/** The error as `JSON.stringify` writes the one `traceAttempt` builds: fields in its order, undefined ones left out. */
function errorJson(error: NonNullable<TraceRecord['error']>): string {
  let text = `{"code":${JSON.stringify(error.code)},"message":${JSON.stringify(error.message)}`;
  if (error.status !== undefined) text += `,"status":${numberJson(error.status)}`;
  if (error.step !== undefined) text += `,"step":${JSON.stringify(error.step)}`;
  if (error.response !== undefined) text += `,"response":${JSON.stringify(error.response)}`;
  return `${text}}`;
}

/**
 * Pushes a value's JSON onto `parts` when 2 KB or less, else two pieces: its first 2 KB (a CutText, written as a JSON
 * string without its closing quote) and the mark. False, pushing nothing, when the value has no JSON (a function,
 * undefined), which the record leaves out.
 */
function pushCutJson(parts: (string | CutText)[], value: unknown, secrets: MaskedSecrets): boolean {
  const text = maskedJson(jsonOf(value), secrets);
  if (text === undefined) return false;
  if (text.length <= 2048) parts.push(text);
  else parts.push(new CutText(text.slice(0, 2048)), cutMark(text.length));
  return true;
}

/**
 * The end of a cut value's string: the mark's `…` as its JSON escape (the same string when read, but a record of
 * ASCII JSON stays a one-byte string, which encodes for its publish about three times faster than a two-byte one,
 * issue #16), the whole length, and the closing quote.
 */
function cutMark(length: number): string {
  return `\\u2026 (${length} bytes)"`;
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
 * JSON text with the secrets masked (redactJsonText): the text is searched for their JSON forms, and only when one is
 * there is it parsed and masked value by value, so a numeric secret in a number or a form matched across an escape
 * leaves valid JSON.
 */
function maskedJson(text: string | undefined, secrets: MaskedSecrets): string | undefined {
  if (text === undefined || secrets.forms.length === 0) return text;
  return redactJsonText(text, secrets.values, secrets.forms);
}

/** The engine's secret values, and their JSON forms. */
interface MaskedSecrets {
  values: readonly string[];
  forms: readonly string[];
}

const NO_SECRETS: MaskedSecrets = { values: [], forms: [] };
