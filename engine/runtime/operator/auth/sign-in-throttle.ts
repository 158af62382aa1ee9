/**
 * Failed sign-ins on the operator listener, throttled so that neither a token guesser nor the audit trail (kept 365
 * days, no byte limit) can grow without bound. A client address may fail `perAddress` times in a window that starts
 * at its first failure; past it a sign-in from that address is refused (429) without looking at what was sent, so a
 * refusal costs the same whatever the token. All addresses together have `global` failures per window audited one
 * by one; past that, sign-ins are still checked (refusing them would let anyone lock every operator out) and their
 * failures are only counted. A sign-in is counted as a failure when it is admitted and uncounted when it succeeds, so
 * requests running at once cannot pass a limit together. The refusals, and the failures past the global limit, are
 * written here as one summary entry per address (and one for all addresses) per window: nothing goes unrecorded.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { AuditActor, AuditLog } from '../../stores/audit-log.js';

export interface SignInThrottleOptions {
  /** Failed sign-ins one client address may make per window. @default 5 */
  perAddress?: number;
  /** Failed sign-ins from all addresses together audited one by one per window; the rest are counted. @default 50 */
  global?: number;
  /** @default 15 minutes */
  windowMs?: number;
  /** Client addresses tracked at once; past it the least recently seen is dropped (summary written). @default 10,000 */
  maxAddresses?: number;
  /** The clock, in epoch ms (tests). @default Date.now */
  now?: () => number;
}

export type ResolvedSignInThrottle = Required<SignInThrottleOptions>;

export const SIGN_IN_THROTTLE_DEFAULTS: ResolvedSignInThrottle = {
  perAddress: 5,
  global: 50,
  windowMs: 15 * 60_000,
  maxAddresses: 10_000,
  now: Date.now,
};

/**
 * Whether a sign-in may be checked: when it may, `succeeded()` uncounts it, and `audit` says whether its failure is
 * audited one by one (else this counts it in the summary for all addresses); when not, the 429's Retry-After and text.
 */
export type Admission =
  { refused: false; audit: boolean; succeeded(): void } | { refused: true; retryAfterSeconds: number; message: string };

interface Window {
  start: number;
  failures: number;
  /** Sign-ins refused (an address's window) or failures only counted (the window for all addresses). */
  summarised: number;
  /** The window for all addresses: refusals of addresses first refused after its limit was reached. */
  refused: number;
  firstSummarised: number;
  lastSummarised: number;
}

export class SignInThrottle {
  private readonly addresses = new Map<string, Window>();
  private global: Window | undefined;
  private readonly writes = new Set<Promise<void>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly options: ResolvedSignInThrottle,
    private readonly audit: AuditLog,
    /** Who the summaries name (`token`/`unknown` for the token form, `user`/`unknown` for OIDC) and their target. */
    private readonly subject: { actor: AuditActor; target: string },
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    // Writes the summaries of windows nobody touches again.
    this.sweeper = setInterval(() => this.expire(), Math.min(options.windowMs, 60_000)).unref();
  }

  admit(address: string): Admission {
    const now = this.options.now();
    this.expire(now, address);
    const own = this.addresses.get(address);
    if (own && own.failures >= this.options.perAddress) return this.refuse(own, now, address);
    const mine = own ?? newWindow(now);
    this.addresses.delete(address); // re-inserted last: the map's order is least recently seen first
    this.addresses.set(address, mine);
    this.evictPast(this.options.maxAddresses);
    const all = (this.global ??= newWindow(now));
    mine.failures++;
    const audit = all.failures < this.options.global;
    if (audit) all.failures++;
    else {
      stamp(all, now);
      all.summarised++;
    }
    return {
      refused: false,
      audit,
      succeeded: () => {
        mine.failures--;
        if (audit) all.failures--;
        else all.summarised--;
        // A window with nothing in it is dropped, so the next failure starts a new one.
        if (mine.failures === 0 && mine.summarised === 0 && this.addresses.get(address) === mine)
          this.addresses.delete(address);
        if (all.failures === 0 && all.summarised === 0 && all.refused === 0 && this.global === all)
          this.global = undefined;
      },
    };
  }

  /** Writes every pending summary (the listener is closing). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.evictPast(0);
    if (this.global) this.summarize(undefined, this.global);
    this.global = undefined;
    await Promise.all([...this.writes]);
  }

  private refuse(window: Window, now: number, address: string): Admission {
    // Past the limit for all addresses, an address not refused before is counted in that window's summary: else an
    // attacker with many addresses (an IPv6 /48 holds 65,536 /64s) would write one summary per address.
    const all = this.global;
    if (window.summarised === 0 && all && all.failures >= this.options.global) {
      stamp(all, now);
      all.refused++;
    } else {
      stamp(window, now);
      window.summarised++;
    }
    const until = window.start + this.options.windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((until - now) / 1000));
    return {
      refused: true,
      retryAfterSeconds,
      message:
        `Too many failed sign-ins from your address (${address}): ${this.options.perAddress} in ` +
        `${minutes(this.options.windowMs)}. This one was not checked; try again in ${retryAfterSeconds} seconds ` +
        `(after ${new Date(until).toISOString()}).`,
    };
  }

  /** Closes the windows that ended: the global one, and `address`'s (or, without one, every address's). */
  private expire(now = this.options.now(), address?: string): void {
    const ended = (w: Window) => now >= w.start + this.options.windowMs;
    for (const key of address === undefined ? [...this.addresses.keys()] : [address]) {
      const window = this.addresses.get(key);
      if (!window || !ended(window)) continue;
      this.addresses.delete(key);
      this.summarize(key, window);
    }
    if (this.global && ended(this.global)) {
      this.summarize(undefined, this.global);
      this.global = undefined;
    }
  }

  private evictPast(size: number): void {
    for (const [key, window] of this.addresses) {
      if (this.addresses.size <= size) break;
      this.addresses.delete(key);
      this.summarize(key, window);
    }
  }

  /** One audit entry for what a window counted without auditing it one by one, if anything. */
  private summarize(address: string | undefined, window: Window): void {
    if (window.summarised === 0 && window.refused === 0) return;
    const [from, to] = [new Date(window.firstSummarised).toISOString(), new Date(window.lastSummarised).toISOString()];
    const reason = address
      ? `${window.summarised} more denied sign-ins from ${address} between ${from} and ${to} (answered 429 ` +
        'unchecked: the per-address limit of failed sign-ins was reached)'
      : `${window.summarised} more failed sign-ins from all addresses${window.refused ? ` and ${window.refused} refused` : ''} ` +
        `between ${from} and ${to} (past the limit of ${this.options.global} audited failures per window: failures ` +
        `checked and counted${window.refused ? ', refusals answered 429 unchecked' : ''})`;
    const write = this.audit
      .record({
        ...this.subject,
        action: 'auth.sign-in',
        result: 'denied',
        reason,
        detail: address
          ? { address, refused: window.summarised, from, to }
          : { failed: window.summarised, refused: window.refused, from, to },
      })
      .then(
        () => undefined,
        (error: unknown) => this.onError(new Error(`audit summary not written: ${reason}`, { cause: error })),
      )
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }
}

/**
 * The address a sign-in is counted against: the connection's peer (the listener trusts no forwarding header, so
 * behind a proxy every client shares the proxy's address); an IPv4-mapped address as IPv4, and an IPv6 address as
 * its /64, which one host usually holds whole.
 */
export function clientAddress(req: IncomingMessage): string {
  const peer = (req.socket.remoteAddress ?? 'unknown').replace(/%.*$/, '');
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(peer)) return peer.slice(7);
  if (isIP(peer) !== 6) return peer;
  const [head, tail] = peer.includes('::') ? peer.split('::') : [peer, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const full = [...groups(head), ...Array<string>(Math.max(0, missing)).fill('0'), ...groups(tail)];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

function newWindow(now: number): Window {
  return { start: now, failures: 0, summarised: 0, refused: 0, firstSummarised: now, lastSummarised: now };
}

/** Marks the time of a sign-in a window's summary will count. */
function stamp(window: Window, now: number): void {
  if (window.summarised + window.refused === 0) window.firstSummarised = now;
  window.lastSummarised = now;
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms / 1000} seconds`;
}
