/**
 * An in-memory index of the dead letters' summaries (no event, request or response), kept current by a KV watch,
 * so that listing a page of the DLQ, counting open entries per integration and the dashboard's poll cost nothing
 * per entry. Full entries are read one at a time (`GET /api/dlq/<id>`). Entries the broker expired (retention) send
 * no watch event; they are dropped by age when read.
 */
import type { KV } from '@nats-io/kv';
import { FieldRedaction } from '../../http/redact.js';
import type { FieldPath } from '../../http/redact.js';
import type { DeadLetterStatus } from './dead-letter-statuses.js';
import { secretQuoteMask } from './dead-letter-store.js';
import type { DeadLetter } from './dead-letter-store.js';
import { parseDeadLetter } from './dead-letter-text.js';

export type DeadLetterSummary = Pick<
  DeadLetter,
  'id' | 'integration' | 'key' | 'status' | 'error' | 'step' | 'attempts' | 'createdAt' | 'reason'
>;

interface DeadLetterPage {
  entries: DeadLetterSummary[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next: string | null;
  /** Entries matching the filter, on all pages. */
  total: number;
}

export class DeadLetterIndex {
  readonly #entries = new Map<string, { summary: DeadLetterSummary; changedAt: number }>();
  #revision = 0;
  #stop?: () => void;

  constructor(
    private readonly kv: KV,
    private readonly retentionMs: number,
    /** An integration's `redact` paths: their values are masked wherever a summary's error message quotes them. */
    private readonly redactPaths: (integration: string) => readonly FieldPath[] = () => [],
  ) {}

  /** Starts the watch; resolves once the entries stored now are loaded. */
  async start(): Promise<void> {
    const watch = await this.kv.watch();
    this.#stop = () => watch.stop();
    const pending = (await this.kv.status()).values;
    let loaded = 0;
    let ready: () => void = () => undefined;
    const initial = new Promise<void>((resolve) => (ready = resolve));
    void (async () => {
      for await (const e of watch) {
        if (e.operation === 'PUT' && e.length > 0) {
          const full = parseDeadLetter(e.string());
          const summary = summarize(full, this.redactPaths(full.integration));
          this.#entries.set(e.key, { summary, changedAt: e.created.getTime() });
        } else this.#entries.delete(e.key);
        this.#revision = Math.max(this.#revision, e.revision);
        if (++loaded >= pending) ready();
      }
    })();
    if (pending === 0) ready();
    await initial;
  }

  /** Waits (briefly) until the index has seen every write the bucket holds now: a list reads its own writes. */
  async sync(timeoutMs = 2_000): Promise<void> {
    const last = (await this.kv.status()).streamInfo.state.last_seq;
    const deadline = Date.now() + timeoutMs;
    while (this.#revision < last && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  stop(): void {
    this.#stop?.();
  }

  /**
   * Newest first (`oldest`: oldest first), by creation time then id. `q` keeps the entries whose listed text contains
   * it, case-insensitive (see `listedText`): the dashboard's filter, over every entry rather than the page it shows.
   */
  page(filter: {
    integration?: string;
    status?: DeadLetterStatus;
    q?: string;
    limit: number;
    cursor?: string;
    oldest?: boolean;
  }): DeadLetterPage {
    const oldest = Date.now() - this.retentionMs;
    const q = filter.q?.toLowerCase();
    const all = [...this.#entries.values()]
      .filter((e) => e.changedAt >= oldest)
      .map((e) => e.summary)
      .filter(
        (s) =>
          (!filter.integration || s.integration === filter.integration) &&
          (!filter.status || s.status === filter.status) &&
          (!q || listedText(s).toLowerCase().includes(q)),
      )
      // Compared as the cursor compares (code units): localeCompare puts "a" before "B", which `<` does not, and a
      // page after a cursor among entries created in the same millisecond would repeat or skip some.
      .sort((a, b) => byCodeUnits(b.createdAt, a.createdAt) || byCodeUnits(b.id, a.id));
    if (filter.oldest) all.reverse();
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    // The first entry past the cursor's, in the page's order (an entry gone since does not lose the place).
    const past = (s: DeadLetterSummary, c: { createdAt: string; id: string }) =>
      filter.oldest
        ? s.createdAt > c.createdAt || (s.createdAt === c.createdAt && s.id > c.id)
        : s.createdAt < c.createdAt || (s.createdAt === c.createdAt && s.id < c.id);
    const start = after ? all.findIndex((s) => past(s, after)) : 0;
    const entries = start < 0 ? [] : all.slice(start, start + filter.limit);
    const last = entries[entries.length - 1];
    const more = start >= 0 && start + filter.limit < all.length;
    return { entries, next: more && last ? encodeCursor(last) : null, total: all.length };
  }

  /** Open entries per integration. */
  openCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    const oldest = Date.now() - this.retentionMs;
    for (const { summary, changedAt } of this.#entries.values())
      if (summary.status === 'open' && changedAt >= oldest)
        counts.set(summary.integration, (counts.get(summary.integration) ?? 0) + 1);
    return counts;
  }
}

/**
 * What `q` searches: the summary's fields as listed (its message redacted like the listing's), the same text the
 * dashboard's filter matches (engine/dashboard/dashboard.js `listedText`).
 */
function listedText(s: DeadLetterSummary): string {
  return [s.id, s.integration, s.key, s.status, s.error.code, s.error.message, s.step ?? ''].join(' ');
}

/**
 * The listed part of an entry. Its error message may quote the event (a vendor's refusal naming the e-mail address):
 * the values at the `redact` paths active when the entry is read are masked, as in the entry's own view.
 */
function summarize(entry: DeadLetter, paths: readonly FieldPath[]): DeadLetterSummary {
  const { id, integration, key, status, error, step, attempts, createdAt, reason } = entry;
  const quoted = secretQuoteMask(entry)(error.message);
  const message = new FieldRedaction(paths, [entry.event, entry.request?.body]).text(quoted);
  return { id, integration, key, status, error: { ...error, message }, step, attempts, createdAt, reason };
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeCursor(s: DeadLetterSummary): string {
  return Buffer.from(`${s.createdAt}|${s.id}`).toString('base64url');
}

/** A cursor from a previous page; undefined when it is not one (answered as 400 by the API). */
export function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  return createdAt && id && !Number.isNaN(Date.parse(createdAt)) ? { createdAt, id } : undefined;
}
