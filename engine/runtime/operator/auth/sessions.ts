/**
 * Dashboard sessions, server-side in KV so that every engine behind a load balancer knows them and a sign-out ends
 * one everywhere. The browser holds only an opaque 256-bit random id in an HttpOnly, SameSite=Lax cookie (Secure and
 * `__Host-` prefixed when the operator URL is https); the bucket is keyed by its SHA-256, so reading the bucket does
 * not yield a usable cookie. Pending OIDC sign-ins (state, nonce, PKCE verifier) live here for ten minutes too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { StorageType } from '@nats-io/jetstream';
import type { KV, Kvm } from '@nats-io/kv';
import { createBucket } from '../../broker/create-bucket.js';
import { readLiveEntry } from '../../broker/kv-listing.js';
import type { Principal } from '../principal.js';

const SESSIONS_BUCKET = 'junction_sessions';
const LOGIN_TTL_MS = 10 * 60_000;

interface StoredSession {
  actor: Principal['actor'];
  role: Principal['role'];
  expiresAt: string;
  /** The API token signed in with: the session lasts only as long as the token does. */
  tokenId?: string;
}

interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  /** Where to go after signing in (a path on this listener). */
  next: string;
}

export class Sessions {
  private constructor(
    private readonly kv: KV,
    private readonly ttlMs: number,
    /** `__Host-junction_session` over https, `junction_session` otherwise. */
    readonly cookieName: string,
    private readonly secure: boolean,
  ) {}

  static async open(kvm: Kvm, options: { ttlMs: number; secure: boolean; replicas?: number }): Promise<Sessions> {
    const kv = await createBucket(kvm, SESSIONS_BUCKET, {
      history: 1,
      replicas: options.replicas ?? 1,
      storage: StorageType.File,
      ttl: Math.max(options.ttlMs, LOGIN_TTL_MS),
    });
    const name = options.secure ? '__Host-junction_session' : 'junction_session';
    return new Sessions(kv, options.ttlMs, name, options.secure);
  }

  /**
   * Starts a session; returns the Set-Cookie header value. Signed in with an API token (`token`), it ends when the
   * token does: at its expiry at the latest, and at once when it is revoked (see `principal`).
   */
  async create(who: Pick<Principal, 'actor' | 'role'>, token?: { id: string; expiresAt?: string }): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    const lastsMs = Math.max(0, Math.min(this.ttlMs, token?.expiresAt ? Date.parse(token.expiresAt) - now : Infinity));
    const stored: StoredSession = {
      actor: who.actor,
      role: who.role,
      expiresAt: new Date(now + lastsMs).toISOString(),
      ...(token ? { tokenId: token.id } : {}),
    };
    await this.kv.put(`s.${digest(id)}`, JSON.stringify(stored));
    return this.#cookie(id, Math.floor(lastsMs / 1000));
  }

  /** The principal of a request's session cookie, when it is live (and its API token, if any, still in force). */
  async principal(
    cookieHeader: string | undefined,
    tokenLive: (id: string) => Promise<boolean>,
  ): Promise<Principal | undefined> {
    const id = this.#idFrom(cookieHeader);
    if (!id) return undefined;
    const entry = await readLiveEntry(this.kv, `s.${digest(id)}`);
    const stored = entry?.json<StoredSession>();
    if (!stored || Date.parse(stored.expiresAt) <= Date.now()) return undefined;
    if (stored.tokenId !== undefined && !(await tokenLive(stored.tokenId))) {
      await this.kv.purge(`s.${digest(id)}`);
      return undefined;
    }
    return { actor: stored.actor, role: stored.role, via: 'session' };
  }

  /** Ends the request's session; returns the Set-Cookie header value that clears the cookie. */
  async end(cookieHeader: string | undefined): Promise<string> {
    const id = this.#idFrom(cookieHeader);
    if (id) await this.kv.purge(`s.${digest(id)}`);
    return this.#cookie('', 0);
  }

  async savePending(state: string, login: PendingLogin): Promise<void> {
    await this.kv.put(`l.${digest(state)}`, JSON.stringify({ ...login, expiresAt: Date.now() + LOGIN_TTL_MS }));
  }

  /** Takes (and deletes) a pending sign-in: a state works once. */
  async takePending(state: string): Promise<PendingLogin | undefined> {
    const key = `l.${digest(state)}`;
    const entry = await readLiveEntry(this.kv, key);
    if (!entry) return undefined;
    await this.kv.purge(key);
    const login = entry.json<PendingLogin & { expiresAt: number }>();
    return login.expiresAt > Date.now() ? login : undefined;
  }

  #idFrom(cookieHeader: string | undefined): string | undefined {
    for (const part of (cookieHeader ?? '').split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === this.cookieName && /^[A-Za-z0-9_-]{43}$/.test(value ?? '')) return value;
    }
    return undefined;
  }

  #cookie(value: string, maxAgeS: number): string {
    return [
      `${this.cookieName}=${value}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Lax',
      `Max-Age=${maxAgeS}`,
      ...(this.secure ? ['Secure'] : []),
    ].join('; ');
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
