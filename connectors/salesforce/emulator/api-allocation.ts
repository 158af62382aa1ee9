/**
 * The org's API request allocation: a rolling window (24 hours in Salesforce) in which at most `limit` REST calls are
 * counted. Every REST answer reports the usage in `Sforce-Limit-Info: api-usage=<used>/<limit>`; past the limit a
 * call is refused with 403 REQUEST_LIMIT_EXCEEDED and no Retry-After, until calls age out of the window.
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import { sfError } from './field-rules.js';

/** The allocation's settings. */
export interface ApiAllocationOptions {
  /** Calls allowed in the window. @default 100000 */
  limit?: number;
  /** Length of the rolling window. @default 24 hours */
  windowMs?: number;
}

/** A rolling-window API allocation. */
export class ApiAllocation {
  private calls: number[] = [];
  limit: number;
  readonly windowMs: number;

  constructor(options: ApiAllocationOptions = {}) {
    this.limit = options.limit ?? 100_000;
    this.windowMs = options.windowMs ?? 24 * 3600_000;
  }

  /** Calls counted in the current window. */
  used(now = Date.now()): number {
    while (this.calls.length && this.calls[0] <= now - this.windowMs) this.calls.shift();
    return this.calls.length;
  }

  /** Counts a call, or answers REQUEST_LIMIT_EXCEEDED when the allocation is spent. */
  take(now = Date.now()): EmulatorReply | undefined {
    if (this.used(now) >= this.limit) return sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    this.calls.push(now);
    return undefined;
  }

  /** The `Sforce-Limit-Info` header value. */
  header(now = Date.now()): string {
    return `api-usage=${this.used(now)}/${this.limit}`;
  }

  /** Sets how many calls the window has used (tests and the demo), as if made just now. */
  setUsed(used: number, now = Date.now()): void {
    this.calls = Array.from({ length: Math.min(used, this.limit) }, () => now);
  }
}
