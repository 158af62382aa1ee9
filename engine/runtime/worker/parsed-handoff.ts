/**
 * Webhook events this process just stored, as ingest parsed them, for this process's own worker: ingest must parse a
 * body to find its key, and without this the worker parses the same bytes again (each parse about 5 % of the
 * engine's CPU on the engine bench).
 *
 * An entry is keyed by where the broker stored the bytes (stream name and sequence from the PubAck) and given only to
 * a message with exactly those bytes: a broker whose state was rewound (a crash that lost the stream's tail, a
 * stream deleted and made again) stores other messages at sequences it already gave, possibly events of another
 * integration, so the place alone does not prove the bytes. The object is then what the worker's own parse would
 * give, provided nothing changed it. Ingest only parses, measures depth, hashes and evaluates the key and dedup
 * expressions between the parse and the publish; of those, only an expression can write to its input (`[]` flags an
 * array of the event, a transform with a rebound `$clone` changes it, `$eval` can do either), so integrations whose
 * expressions may do that are not handed on (`handsOffEvents`).
 *
 * Only a first delivery takes its entry, and only once: a redelivery, a retry, a parked event or an event stored by
 * another process is parsed from its bytes. Entries are bounded in number and age, so a backlog, or another process
 * consuming what this one stores, never makes this grow; a missed entry only costs the parse. An event stored more
 * than MAX_ENTRIES places after the last message the worker had from its stream is not kept at all: a worker that far
 * behind (a backlog) would reach it only after the entries had aged out, so keeping it only held a parsed event
 * through the young generation's collections, copied at each (on the engine bench's backlog, 256 orders were kept
 * throughout, and about 9 % of the deliveries found theirs).
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { CompiledExpression } from '../../transform/transform-engine.js';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';

/** Entries kept at most, their bytes (as received) at most, and for how long. */
const MAX_ENTRIES = 256;
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_AGE_MS = 2_000;

interface Entry {
  event: unknown;
  /** The body as received and stored: kept to compare with the delivered message's bytes. */
  data: Buffer;
  at: number;
}

export class ParsedHandoff {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  /** By stream: the highest sequence of a message of it the worker had (first delivery or not). */
  readonly #reached = new Map<string, number>();
  /** The place of the last event ingest stored (whether it was parsed whole or not). */
  #lastStream: string | undefined;
  #lastSeq = 0;

  constructor(private readonly now: () => number = performance.now.bind(performance)) {}

  /**
   * Ingest, after the PubAck of a new (not duplicate) message: `event` was parsed from the bytes stored there. When
   * full, the new event is not kept (rather than the oldest dropped): a full handoff means the worker is behind, and
   * it takes the oldest entries first. Nor is it kept when the worker is more than MAX_ENTRIES places behind it.
   */
  put(stream: string, seq: number, event: unknown, data: Buffer): void {
    this.stored(stream, seq);
    const at = this.now();
    this.#evictAged(at);
    const id = `${stream}:${seq}`;
    // An entry still at this place is from before a rewind of the broker: its message is gone.
    const stale = this.#entries.get(id);
    if (stale) this.#drop(id, stale);
    if (this.#behind(stream, seq)) return;
    if (this.#entries.size >= MAX_ENTRIES || this.#bytes + data.length > MAX_BYTES) return;
    this.#entries.set(id, { event, data, at });
    this.#bytes += data.length;
  }

  /** Ingest, after the PubAck of a new message it did not parse whole (so it puts nothing): where it was stored. */
  stored(stream: string, seq: number): void {
    this.#lastStream = stream;
    this.#lastSeq = seq;
  }

  /**
   * Ingest, before it parses a body whole for the worker: whether an event stored next would be kept, judged by the
   * place after the last one stored (other ingests may store meanwhile, and then it is later and may not be kept).
   * No while the worker is more than MAX_ENTRIES places behind that place, or the handoff is full: `put` would drop
   * the parsed event, and ingest's parse (about three times its scan of the same bytes) would be for nothing. At
   * saturation that is most of the time: the worker is thousands of places behind (docs/performance.md, "CPU cuts,
   * session 17").
   */
  keepsNext(bytes: number): boolean {
    if (this.#lastStream !== undefined && this.#behind(this.#lastStream, this.#lastSeq + 1)) return false;
    this.#evictAged(this.now());
    return this.#entries.size < MAX_ENTRIES && this.#bytes + bytes <= MAX_BYTES;
  }

  /** Worker, for a message of a partition: its parsed event when this is its first delivery, once; else undefined. */
  take(msg: JsMsg): unknown {
    const stream = msg.info.stream;
    const reached = this.#reached.get(stream);
    if (reached === undefined || msg.seq > reached) this.#reached.set(stream, msg.seq);
    if (this.#entries.size === 0) return undefined;
    const id = `${stream}:${msg.seq}`;
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#drop(id, entry);
    const first = msg.info.deliveryCount === 1 && this.now() - entry.at <= MAX_AGE_MS;
    return first && entry.data.equals(msg.data) ? entry.event : undefined;
  }

  /** Whether the worker is more than MAX_ENTRIES places behind `seq` of `stream` (known once it had a message). */
  #behind(stream: string, seq: number): boolean {
    const reached = this.#reached.get(stream);
    return reached !== undefined && seq - reached > MAX_ENTRIES;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops the entries past their age (the map is in insertion order, so the oldest come first). */
  #evictAged(now: number): void {
    for (const [id, entry] of this.#entries) {
      if (now - entry.at <= MAX_AGE_MS) return;
      this.#drop(id, entry);
    }
  }

  #drop(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#bytes -= entry.data.length;
  }
}

const SAFE = new WeakMap<CompiledIntegration, boolean>();

/**
 * Whether ingest may hand this integration's events on: its key and dedup expressions can be shown not to write to
 * the event. Decided from their syntax trees; an expression without one is not trusted.
 */
export function handsOffEvents(integration: CompiledIntegration): boolean {
  let safe = SAFE.get(integration);
  if (safe === undefined) {
    safe = readsOnly(integration.key) && (!integration.dedupId || readsOnly(integration.dedupId));
    SAFE.set(integration, safe);
  }
  return safe;
}

function readsOnly(expression: CompiledExpression): boolean {
  const ast = expression.ast?.();
  if (ast === undefined) return false;
  const stack: unknown[] = [ast];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const n = node as Record<string, unknown>;
    if (n.keepArray === true || n.keepSingletonArray === true || n.type === 'transform') return false;
    if (n.type === 'variable' && n.value === 'eval') return false;
    stack.push(...Object.values(n));
  }
  return true;
}
