/**
 * The allocation layer: follows the usage a vendor reports on its responses (Salesforce's daily API allocation) and
 * slows down before it runs out. Above the reserve, calls go at once; inside it, calls are spaced by the time the
 * rolling window takes to free one (window / allocation), so the reserve is left for the org's other users; when the
 * allocation is spent, calls fail as retryable with the time the window takes to free the reserve. After that time one
 * call goes out to learn the usage again: no other call would, since the usage is read from answers.
 */
import type { InboundResponse, UsageAllocation } from '../sdk/connector.js';
import { ConnectorError } from '../sdk/errors.js';

/** Inside the reserve, a call waits in process up to this long for its slot; a longer wait is a retry later. */
const MAX_PACING_WAIT_MS = 2000;
/** The shortest wait after the allocation is spent. */
const MIN_EXHAUSTED_WAIT_MS = 60_000;

export class AllocationGuard {
  #used?: number;
  #max?: number;
  #nextSlot = 0;
  /** While the allocation is spent: until when no call goes out (epoch ms). */
  #spentUntil?: number;

  constructor(
    private readonly connection: string,
    private readonly allocation: UsageAllocation,
    private readonly reserve: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the usage a response reports. */
  observe(response: InboundResponse): void {
    const usage = this.allocation.read(response);
    if (!usage) return;
    this.#used = usage.used;
    this.#max = usage.max;
    if (usage.used < usage.max) this.#spentUntil = undefined;
    else this.#spentUntil ??= this.now() + this.exhaustedWaitMs();
  }

  /** Waits for the call's slot, or throws a retryable error when it would wait too long or nothing is left. */
  async admit(): Promise<void> {
    if (this.#used === undefined || this.#max === undefined || this.#max <= 0) return;
    const remaining = this.#max - this.#used;
    if (remaining > this.reserveCalls()) return;
    const now = this.now();
    if (remaining <= 0) {
      if (this.#spentUntil !== undefined && now < this.#spentUntil) throw this.exhausted(this.#spentUntil - now);
      // The window has had the time to free calls: this one goes and its answer says; the others wait as before.
      this.#spentUntil = now + this.exhaustedWaitMs();
      return;
    }
    const interval = this.allocation.windowMs / this.#max;
    const wait = Math.max(0, this.#nextSlot - now);
    if (wait > MAX_PACING_WAIT_MS)
      throw new ConnectorError(
        'rate-limited',
        `${this.connection}: ${this.usage()} of the API allocation used, inside the ${this.percent()} reserve: pacing to one call every ${seconds(interval)}`,
        'retryable',
        { retryAfterMs: wait },
      );
    this.#nextSlot = Math.max(now, this.#nextSlot) + interval;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** The vendor refused a call for its limit (Salesforce REQUEST_LIMIT_EXCEEDED): that error, with when to retry. */
  explain(error: ConnectorError): ConnectorError {
    const spent = this.#used !== undefined && this.#max !== undefined && this.#used >= this.#max;
    if (error.code !== 'rate-limited' || error.retryAfterMs !== undefined || !spent) return error;
    const exhausted = this.exhausted(Math.max(0, (this.#spentUntil ?? 0) - this.now()));
    return new ConnectorError(error.code, `${error.message} (${exhausted.message})`, 'retryable', {
      status: error.status,
      vendorCode: error.vendorCode,
      field: error.field,
      responseExcerpt: error.responseExcerpt,
      retryAfterMs: exhausted.retryAfterMs,
    });
  }

  /** How long a spent allocation takes to free the reserve: the reserve's share of the window, at least a minute. */
  private exhaustedWaitMs(): number {
    return Math.max(MIN_EXHAUSTED_WAIT_MS, Math.round(this.allocation.windowMs * this.reserve));
  }

  private exhausted(waitMs: number): ConnectorError {
    return new ConnectorError(
      'rate-limited',
      `${this.connection}: the API allocation is spent (${this.usage()}); calls free up as the window rolls: retrying in ${seconds(waitMs)}, when the ${this.percent()} reserve is free again`,
      'retryable',
      { retryAfterMs: waitMs },
    );
  }

  private reserveCalls = () => Math.ceil((this.#max ?? 0) * this.reserve);
  private usage = () => `${this.#used}/${this.#max}`;
  private percent = () => `${Math.round(this.reserve * 100)} %`;
}

const seconds = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 1000).toFixed(1)} s`);
