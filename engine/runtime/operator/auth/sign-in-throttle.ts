/**
 * Failed sign-ins on the operator listener, throttled so that neither a token guesser nor the audit trail (kept 365
 * days, no byte limit) can grow without bound. A client address may fail `perAddress` times in a window that starts
 * at its first failure, and all addresses together `global` times in a window; past either limit a sign-in is
 * refused (429) without looking at what was sent, so a refusal costs the same whatever the token. A sign-in is
 * counted as a failure when it is admitted and uncounted when it succeeds, so requests running at once cannot pass
 * the limit either: each admitted failure is audited one by one by the sign-in route, and the refusals are written
 * here as one summary entry per address (and one for the global limit) per window, so nothing goes unrecorded.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { AuditActor, AuditLog } from '../../stores/audit-log.js';

export interface SignInThrottleOptions {
  /** Failed sign-ins one client address may make per window. @default 5 */
  perAddress?: number;
  /** Failed sign-ins from all addresses together per window. @default 50 */
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

/** Whether a sign-in may be checked: when it may, `succeeded()` uncounts it; else the 429's Retry-After and text. */
export type Admission =
  { refused: false; succeeded(): void } | { refused: true; retryAfterSeconds: number; message: string };

interface Window {
  start: number;
  failures: number;
  refused: number;
  firstRefused: number;
  lastRefused: number;
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
    if (own && own.failures >= this.options.perAddress)
      return this.refuse(own, now, `from your address (${address})`, this.options.perAddress);
    if (this.global && this.global.failures >= this.options.global)
      return this.refuse(this.global, now, 'on this listener from all addresses', this.options.global);
    const mine = own ?? newWindow(now);
    this.addresses.delete(address); // re-inserted last: the map's order is least recently seen first
    this.addresses.set(address, mine);
    this.evictPast(this.options.maxAddresses);
    const all = (this.global ??= newWindow(now));
    mine.failures++;
    all.failures++;
    return {
      refused: false,
      succeeded: () => {
        mine.failures--;
        all.failures--;
        // A window with nothing in it is dropped, so the next failure starts a new one.
        if (mine.failures === 0 && mine.refused === 0 && this.addresses.get(address) === mine)
          this.addresses.delete(address);
        if (all.failures === 0 && all.refused === 0 && this.global === all) this.global = undefined;
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

  private refuse(window: Window, now: number, where: string, limit: number): Admission {
    if (window.refused++ === 0) window.firstRefused = now;
    window.lastRefused = now;
    const until = window.start + this.options.windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((until - now) / 1000));
    return {
      refused: true,
      retryAfterSeconds,
      message:
        `Too many failed sign-ins ${where}: ${limit} in ${minutes(this.options.windowMs)}. This one was not ` +
        `checked; try again in ${retryAfterSeconds} seconds (after ${new Date(until).toISOString()}).`,
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

  /** One audit entry for a window's refusals, if it had any. */
  private summarize(address: string | undefined, window: Window): void {
    if (window.refused === 0) return;
    const [from, to] = [new Date(window.firstRefused).toISOString(), new Date(window.lastRefused).toISOString()];
    const reason =
      `${window.refused} more denied sign-ins ${address ? `from ${address}` : 'from all addresses'} between ` +
      `${from} and ${to} (answered 429 unchecked: the ${address ? 'per-address' : 'global'} limit of failed ` +
      `sign-ins was reached)`;
    const write = this.audit
      .record({
        ...this.subject,
        action: 'auth.sign-in',
        result: 'denied',
        reason,
        detail: { ...(address ? { address } : {}), refused: window.refused, from, to },
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
  return { start: now, failures: 0, refused: 0, firstRefused: now, lastRefused: now };
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms / 1000} seconds`;
}
