/**
 * Where the engine bench's latency goes. While the latency phase runs, this records for each order the moments it
 * passes in the engine (bench) process, on one clock (wall ms, `performance.timeOrigin + performance.now()`, as the
 * load generator and the fake ERP stamp theirs):
 *   POST sent (load generator) -> webhook accepted (`http.server.request.start`) -> stored in the stream (its
 *   timestamp, by nats-server's clock: the PubAck leaves then) -> delivered to the worker -> its ledger entry and
 *   key's parking read -> transform done (the engine's `junction:event-stage` marks) -> HTTP sent
 *   (`undici:client:sendHeaders`) -> ERP receipt (fake ERP).
 * It also records the engine's GC pauses (`PerformanceObserver` 'gc'), event-loop stalls (a 2 ms timer that notes
 * how late it fires, and how much of the stall the main thread spent waiting for a CPU, from the kernel's
 * /proc/thread-self/schedstat on Linux: then the engine was not slow, it was not running), and for each event
 * whether the previous event of its partition was still unsettled when it was stored (max_ack_pending 1 per
 * partition). The summary says where the slowest 1 % spent their time.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { STAGE_CHANNEL } from '../../engine/execute/stage-marks.js';
import type { StageMark } from '../../engine/execute/stage-marks.js';
import { wallMs } from './bench-child.js';

/** The load generator names each POST's order number in this header. */
export const ORDER_HEADER = 'x-bench-order';
/** Order n has the increment id (and ERP key number) ORDER_BASE + n. */
const ORDER_BASE = 100000000;

const STAGES = ['post', 'ingest', 'queue', 'reads', 'worker', 'http', 'erp'] as const;
type Stage = (typeof STAGES)[number];
const STAGE_NAMES: Record<Stage, string> = {
  post: 'POST -> accepted',
  ingest: 'accepted -> stored',
  queue: 'stored -> delivered',
  reads: 'delivered -> checked (ledger and parking read)',
  worker: 'checked -> transformed',
  http: 'transformed -> HTTP sent',
  erp: 'HTTP sent -> ERP receipt',
};

interface Moments {
  accepted?: number;
  stored?: number;
  delivered?: number;
  checked?: number;
  transformed?: number;
  sent?: number;
  seq?: number;
  subject?: string;
}

interface Span {
  start: number;
  end: number;
}

/** ms the calling thread has run on a CPU and waited in a run queue so far (Linux schedstat); undefined elsewhere. */
class ThreadSchedule {
  readonly #fd: number | undefined;
  readonly #buffer = Buffer.alloc(128);
  constructor() {
    try {
      this.#fd = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      this.#fd = undefined;
    }
  }
  read(): { ranMs: number; waitedMs: number } | undefined {
    if (this.#fd === undefined) return undefined;
    const n = readSync(this.#fd, this.#buffer, 0, this.#buffer.length, 0);
    const [ran, waited] = this.#buffer.toString('latin1', 0, n).split(' ');
    return { ranMs: Number(ran) / 1e6, waitedMs: Number(waited) / 1e6 };
  }
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
  }
}

/** CPU ms run by the threads of this process other than the main thread (V8's GC and compiler threads, libuv). */
function helperThreadsCpuMs(): number | undefined {
  try {
    return readdirSync('/proc/self/task')
      .filter((tid) => Number(tid) !== process.pid)
      .reduce(
        (sum, tid) => sum + Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]) / 1e6,
        0,
      );
  } catch {
    return undefined;
  }
}

const LOOP_TICK_MS = 2;
/** A tick this much later than due counts as a stall of the event loop. */
const STALL_MS = 3;

export interface TailSummary {
  /** Lines for the bench's output. */
  lines: string[];
  /** The stage the slowest 1 % spent most of their time in. */
  dominant: string;
}

export class LatencyStages {
  readonly #orders = new Map<number, Moments>();
  readonly #settled = new Map<number, number>();
  readonly #gc: (Span & { kind: string })[] = [];
  /** Stalls of the event loop, with the ms the main thread waited for a CPU meanwhile (undefined off Linux). */
  readonly #stalls: (Span & { waitedMs?: number })[] = [];
  #schedule: ThreadSchedule | undefined;
  /** CPU ms of the engine's helper threads over the phase (they share the engine's pinned CPU with its main thread). */
  #helperCpu: { start?: number; ms?: number; wallMs?: number } = {};
  /** How late each tick of the loop timer fired, and when (wall ms). */
  readonly #lateness: { at: number; late: number }[] = [];
  #observer: PerformanceObserver | undefined;
  #tick: NodeJS.Timeout | undefined;
  /** The main thread's CPU ms (schedstat) and the events settled so far, at each tick (wall ms). */
  readonly #cpuTicks: { at: number; ranMs: number; settled: number }[] = [];
  #attached = false;
  #recording = false;
  readonly #handlers: [string, (message: unknown) => void][] = [
    ['http.server.request.start', (m) => this.#recording && this.#at(orderOfRequest(m), 'accepted')],
    [
      'undici:client:sendHeaders',
      (m) => this.#recording && this.#at(orderOfPath((m as { request: { path: string } }).request.path), 'sent'),
    ],
    [STAGE_CHANNEL, (m) => this.#recording && this.#mark(m as StageMark)],
  ];

  /**
   * Subscribes the recorder's handlers, recording nothing until start(). Call it before the engine serves its first
   * event: a channel's first subscriber (and any new handler) makes V8 throw away the optimised code of every
   * function that publishes to it (node's HTTP server, undici, the engine's workers), so subscribing as the phase
   * starts slowed the engine for its first second or two (docs/performance.md, "Latency, session 17").
   */
  attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    for (const [name, handler] of this.#handlers) subscribe(name, handler);
  }

  start(): void {
    this.attach();
    this.#recording = true;
    this.#observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const start = performance.timeOrigin + e.startTime;
        this.#gc.push({
          start,
          end: start + e.duration,
          kind: gcKind((e as { detail?: { kind?: number } }).detail?.kind),
        });
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
    this.#helperCpu = { start: helperThreadsCpuMs(), wallMs: performance.now() };
    const schedule = (this.#schedule = new ThreadSchedule());
    let due = performance.now() + LOOP_TICK_MS;
    let before = schedule.read();
    this.#tick = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - due);
      const after = schedule.read();
      this.#lateness.push({ at: performance.timeOrigin + now, late });
      if (after)
        this.#cpuTicks.push({ at: performance.timeOrigin + now, ranMs: after.ranMs, settled: this.#settled.size });
      if (late >= STALL_MS)
        this.#stalls.push({
          start: performance.timeOrigin + due,
          end: performance.timeOrigin + now,
          waitedMs: after && before && Math.min(late, after.waitedMs - before.waitedMs),
        });
      due = now + LOOP_TICK_MS;
      before = after;
    }, LOOP_TICK_MS);
  }

  stop(): void {
    this.#recording = false;
    if (this.#attached) for (const [name, handler] of this.#handlers) unsubscribe(name, handler);
    this.#attached = false;
    this.#observer?.disconnect();
    clearInterval(this.#tick);
    this.#schedule?.close();
    const end = helperThreadsCpuMs();
    const { start, wallMs: began } = this.#helperCpu;
    if (start !== undefined && end !== undefined && began !== undefined)
      this.#helperCpu = { ms: end - start, wallMs: performance.now() - began };
  }

  #at(order: number | undefined, moment: 'accepted' | 'sent'): void {
    if (order === undefined) return;
    const m = this.#moments(order);
    // The first time counts (a retried call is sent again).
    m[moment] ??= wallMs();
  }

  #mark(mark: StageMark): void {
    if (mark.stage === 'settled') {
      if (mark.seq !== undefined && !this.#settled.has(mark.seq)) this.#settled.set(mark.seq, mark.at);
      return;
    }
    const order = orderOfEventId(mark.eventId);
    if (order === undefined) return;
    const m = this.#moments(order);
    if (mark.stage === 'delivered' && m.delivered === undefined) {
      m.delivered = mark.at;
      m.stored = mark.storedAt;
      m.seq = mark.seq;
      m.subject = mark.subject;
    } else if (mark.stage === 'checked') m.checked ??= mark.at;
    else if (mark.stage === 'transformed') m.transformed ??= mark.at;
  }

  #moments(order: number): Moments {
    let m = this.#orders.get(order);
    if (!m) this.#orders.set(order, (m = {}));
    return m;
  }

  /**
   * The slowest 1 % of `events` (order number, POST time, ERP receipt) by end-to-end latency: their stages, GC pauses
   * and loop stalls that overlapped them, and how many waited for the previous event of their partition. GC pauses and
   * loop delays count from the first of `events`' POSTs on, partition turns for `events` only (a lead-in recorded
   * before them is left out); the helper threads' CPU is over all the recording.
   */
  summarise(events: { order: number; postedAt: number; receivedAt: number }[]): TailSummary {
    const from = Math.min(...events.map((e) => e.postedAt));
    const counted = new Set(events.map((e) => e.order));
    const gcs = this.#gc.filter((g) => g.start >= from);
    const stalls = this.#stalls.filter((x) => x.start >= from);
    const lateness = this.#lateness.filter((l) => l.at >= from).map((l) => l.late);
    const rows = events
      .map((e) => ({ ...e, total: e.receivedAt - e.postedAt, stages: this.#stages(e) }))
      .filter((r) => r.stages !== undefined)
      .sort((a, b) => b.total - a.total);
    if (rows.length === 0) return { lines: ['latency stages: no event was traced'], dominant: 'unknown' };
    const tail = rows.slice(0, Math.max(1, Math.ceil(rows.length / 100)));
    const sum = (stage: Stage, of: typeof rows) => of.reduce((s, r) => s + r.stages![stage], 0);
    const tailTotal = tail.reduce((s, r) => s + r.total, 0);
    const byShare = STAGES.map((stage) => ({ stage, ms: sum(stage, tail) })).sort((a, b) => b.ms - a.ms);
    const dominant = byShare[0].stage;
    const largestIn = tail.filter((r) => largestStage(r.stages!) === dominant).length;
    const median = (stage: Stage, of: typeof rows) =>
      percentile(
        of.map((r) => r.stages![stage]),
        50,
      );
    const fmt = (n: number) => n.toFixed(1);
    const gcHit = tail.filter((r) => overlap(gcs, r.postedAt, r.receivedAt) > 0);
    const gcInTail = tail.reduce((s, r) => s + overlap(gcs, r.postedAt, r.receivedAt), 0);
    const stallHit = tail.filter((r) => overlap(stalls, r.postedAt, r.receivedAt) > 0);
    const stalled = stalls.reduce((s, x) => s + (x.end - x.start), 0);
    const waited = stalls.reduce((s, x) => s + (x.waitedMs ?? 0), 0);
    const longest = [...stalls].sort((a, b) => b.end - b.start - (a.end - a.start))[0];
    const cpuWait =
      stalls.length === 0 || stalls[0].waitedMs === undefined
        ? ''
        : `; in the stalls (${fmt(stalled)} ms) the engine's main thread waited ${fmt(waited)} ms for a CPU` +
          (longest ? ` (the longest, ${fmt(longest.end - longest.start)} ms: ${fmt(longest.waitedMs ?? 0)} ms)` : '') +
          (this.#helperCpu.ms === undefined
            ? ''
            : `; the engine's other threads (GC, compiler, libuv) ran ${fmt(this.#helperCpu.ms)} ms in the ${fmt(this.#helperCpu.wallMs! / 1000)} s recorded`);
    const blocked = tail.filter((r) => this.#waitedForPartition(r.order)).length;
    const blockedAll = rows.filter((r) => this.#waitedForPartition(r.order)).length;
    const pauses = gcs.map((g) => g.end - g.start);
    const spells = incidents(tail).map((i) => `${fmt((i.start - from) / 1000)} s (${i.events})`);
    const majors = gcs.filter((g) => g.kind === 'major');
    return {
      dominant: STAGE_NAMES[dominant],
      lines: [
        `slowest 1 %: ${tail.length} of ${rows.length} events, ${fmt(tail[tail.length - 1].total)}-${fmt(tail[0].total)} ms; ` +
          `most of their time in ${STAGE_NAMES[dominant]} (${Math.round((byShare[0].ms / tailTotal) * 100)} %, the largest stage of ${largestIn} of ${tail.length})`,
        `  stage medians, slowest 1 % (all events): ${STAGES.map((s) => `${STAGE_NAMES[s]} ${fmt(median(s, tail))} (${fmt(median(s, rows))})`).join(', ')} ms`,
        `  engine GC: ${gcs.length} pauses in the phase (${majors.length} major), max ${fmt(Math.max(0, ...pauses))} ms; ` +
          `${gcHit.length} of the slowest overlap one (${fmt(gcInTail)} ms of GC in their ${fmt(tailTotal)} ms)`,
        `  engine event loop: delay p99 ${fmt(percentile(lateness, 99))} ms, max ${fmt(Math.max(0, ...lateness))} ms; ` +
          `${stalls.length} stalls >= ${STALL_MS} ms, ${stallHit.length} of the slowest overlap one${cpuWait}`,
        `  partition waits (stored while the previous event of its partition was unsettled): ${blocked} of the slowest, ${blockedAll} of all`,
        this.#partitionTurns(counted),
        `  the slowest came in ${spells.length} spell${spells.length === 1 ? '' : 's'} (POSTed at, into the phase): ${spells.join(', ')}`,
      ],
    };
  }

  /**
   * The engine main thread's CPU ms per settled event in each `binMs` of wall time from `from` to `to`: a measure of
   * how fast its code ran that a busy machine changes little (CPU time, not wall time), to tell slow code (V8 running
   * deoptimised or not yet optimised code) from waits. `a/b/c` per bin; empty off Linux.
   */
  cpuPerEvent(from: number, to: number, binMs: number): number[] {
    const ticks = this.#cpuTicks;
    const at = (t: number) => ticks.find((k) => k.at >= t) ?? ticks[ticks.length - 1];
    const bins: number[] = [];
    for (let start = from; start + binMs <= to + 1; start += binMs) {
      const [a, b] = [at(start), at(start + binMs)];
      if (!a || !b || b.settled === a.settled) continue;
      bins.push((b.ranMs - a.ranMs) / (b.settled - a.settled));
    }
    return bins;
  }

  #stages(e: { order: number; postedAt: number; receivedAt: number }): Record<Stage, number> | undefined {
    const m = this.#orders.get(e.order);
    if (!m || [m.accepted, m.stored, m.delivered, m.transformed, m.sent].some((t) => t === undefined)) return;
    // An engine built before the `checked` mark: its reads count in checked -> transformed.
    const checked = m.checked ?? m.delivered!;
    return {
      post: m.accepted! - e.postedAt,
      ingest: m.stored! - m.accepted!,
      queue: m.delivered! - m.stored!,
      reads: checked - m.delivered!,
      worker: m.transformed! - checked,
      http: m.sent! - m.transformed!,
      erp: e.receivedAt - m.sent!,
    };
  }

  /**
   * How long each event held its partition (delivered -> settled), and for the events that waited for the previous
   * one, the hand-over: the previous event's settle (its ack) -> this one delivered to the worker. With
   * `max_ack_pending` 1 a queued event waits for the sum of both over the events ahead of it.
   */
  #partitionTurns(counted: Set<number>): string {
    const held: number[] = [];
    const handOver: number[] = [];
    const byPartition = new Map<string, (Moments & { order: number })[]>();
    for (const [order, m] of this.#orders) {
      if (m.subject === undefined || m.seq === undefined) continue;
      const list = byPartition.get(m.subject) ?? [];
      byPartition.set(m.subject, list);
      list.push({ ...m, order });
    }
    for (const list of byPartition.values()) {
      list.sort((a, b) => a.seq! - b.seq!);
      list.forEach((m, i) => {
        if (!counted.has(m.order)) return;
        const settled = this.#settled.get(m.seq!);
        if (settled !== undefined) held.push(settled - m.delivered!);
        const before = i > 0 ? this.#settled.get(list[i - 1].seq!) : undefined;
        if (before !== undefined && before > m.stored!) handOver.push(m.delivered! - before);
      });
    }
    const fmt = (values: number[]) =>
      `median ${percentile(values, 50).toFixed(1)}, p99 ${percentile(values, 99).toFixed(1)} ms`;
    return `  partition turns: delivered -> settled ${fmt(held)} (${held.length} events); hand-over to a waiting event (the previous one's ack -> delivered) ${fmt(handOver)} (${handOver.length} events)`;
  }

  /** Whether the previous message of this order's partition was delivered but not yet settled when it was stored. */
  #waitedForPartition(order: number): boolean {
    const m = this.#orders.get(order);
    if (!m?.subject || m.seq === undefined || m.stored === undefined) return false;
    let previous: Moments | undefined;
    for (const other of this.#orders.values())
      if (other.subject === m.subject && other.seq !== undefined && other.seq < m.seq)
        if (!previous || other.seq > previous.seq!) previous = other;
    if (!previous) return false;
    const settled = this.#settled.get(previous.seq!);
    return settled !== undefined && settled > m.stored;
  }
}

function orderOfRequest(message: unknown): number | undefined {
  const value = (message as { request: IncomingMessage }).request.headers[ORDER_HEADER];
  return typeof value === 'string' ? Number(value) : undefined;
}

/** `/orders/order-100000123` -> 123. */
function orderOfPath(path: string): number | undefined {
  const match = /order-(\d+)$/.exec(path);
  return match ? Number(match[1]) - ORDER_BASE : undefined;
}

/** `magento-orders-to-erp:100000123-2026-11-21 14:06:02` (the bench's dedup id) -> 123. */
function orderOfEventId(eventId: string | undefined): number | undefined {
  const match = eventId === undefined ? null : /:(\d+)-/.exec(eventId);
  return match ? Number(match[1]) - ORDER_BASE : undefined;
}

/** Groups events whose spans (POST to receipt) overlap: one spell of trouble each. */
function incidents(events: { postedAt: number; receivedAt: number }[]): { start: number; events: number }[] {
  const sorted = [...events].sort((a, b) => a.postedAt - b.postedAt);
  const spells: { start: number; end: number; events: number }[] = [];
  for (const e of sorted) {
    const last = spells[spells.length - 1];
    if (last && e.postedAt <= last.end) {
      last.end = Math.max(last.end, e.receivedAt);
      last.events++;
    } else spells.push({ start: e.postedAt, end: e.receivedAt, events: 1 });
  }
  return spells;
}

function largestStage(stages: Record<Stage, number>): Stage {
  return STAGES.reduce((best, s) => (stages[s] > stages[best] ? s : best), STAGES[0]);
}

function overlap(spans: Span[], start: number, end: number): number {
  let total = 0;
  for (const s of spans) total += Math.max(0, Math.min(end, s.end) - Math.max(start, s.start));
  return total;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function gcKind(kind: number | undefined): string {
  if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) return 'major';
  if (kind === constants.NODE_PERFORMANCE_GC_MINOR) return 'minor';
  if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) return 'incremental';
  return 'weak callbacks';
}
