/**
 * API tokens for tools (the CLI, Prometheus, scripts): `jct_<id>_<secret>`, shown once at creation. The KV bucket
 * holds only a salted SHA-256 of the secret (256 random bits, so a slow hash adds nothing), keyed by the public id;
 * verification is one KV read and a constant-time compare, and revoking deletes the entry, effective at once on
 * every engine.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { StorageType } from '@nats-io/jetstream';
import type { KV, Kvm } from '@nats-io/kv';
import { createBucket } from '../../broker/create-bucket.js';
import { listLiveEntries, readLiveEntry } from '../../broker/kv-listing.js';
import type { Role } from '../principal.js';

export const TOKENS_BUCKET = 'junction_tokens';
const TOKEN_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const TOKEN = /^jct_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** What may be shown about a token: never its secret or hash. */
interface ApiTokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  /** ISO time after which the token is refused; none = until revoked. */
  expiresAt?: string;
}

interface StoredToken extends ApiTokenInfo {
  salt: string;
  sha256: string;
}

export class ApiTokens {
  private constructor(private readonly kv: KV) {}

  /** Opens the token bucket, creating it when missing (the CLI may create the first token before any engine ran). */
  static async open(kvm: Kvm, replicas = 1): Promise<ApiTokens> {
    return new ApiTokens(await createBucket(kvm, TOKENS_BUCKET, { history: 1, replicas, storage: StorageType.File }));
  }

  /** Creates a token; the returned `token` is the only copy of its secret. */
  async create(
    name: string,
    role: Role,
    meta: { createdBy: string; expiresAt?: Date },
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    if (!TOKEN_NAME.test(name)) throw new RangeError(`a token name must match ${TOKEN_NAME.source}, got ${name}`);
    if ((await this.list()).some((t) => t.name === name))
      throw new RangeError(`a token named ${name} exists; revoke it first or pick another name`);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('base64url');
    const info: ApiTokenInfo = {
      id,
      name,
      role,
      createdAt: new Date().toISOString(),
      createdBy: meta.createdBy,
      ...(meta.expiresAt ? { expiresAt: meta.expiresAt.toISOString() } : {}),
    };
    const stored: StoredToken = { ...info, salt, sha256: digest(salt, secret) };
    await this.kv.create(id, JSON.stringify(stored));
    return { token: `jct_${id}_${secret}`, info };
  }

  async list(): Promise<ApiTokenInfo[]> {
    const entries = await listLiveEntries(this.kv);
    return entries.map((e) => publicInfo(e.json<StoredToken>())).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Revokes a token by name; false when there is none. */
  async revoke(name: string): Promise<ApiTokenInfo | undefined> {
    const found = (await this.list()).find((t) => t.name === name);
    if (found) await this.kv.purge(found.id);
    return found;
  }

  /** Whether the token with this public id is still in force (not revoked, not expired): sessions it started end. */
  async live(id: string, now = new Date()): Promise<boolean> {
    const entry = await readLiveEntry(this.kv, id);
    const expiresAt = entry?.json<StoredToken>().expiresAt;
    return entry !== undefined && (!expiresAt || Date.parse(expiresAt) > now.getTime());
  }

  /** The token's info when it is genuine, not revoked and not expired. */
  async verify(token: string, now = new Date()): Promise<ApiTokenInfo | undefined> {
    const parts = TOKEN.exec(token);
    if (!parts) return undefined;
    const entry = await readLiveEntry(this.kv, parts[1]);
    if (!entry) return undefined;
    const stored = entry.json<StoredToken>();
    const expected = Buffer.from(stored.sha256, 'hex');
    const actual = Buffer.from(digest(stored.salt, parts[2]), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= now.getTime()) return undefined;
    return publicInfo(stored);
  }
}

function digest(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update(':').update(secret).digest('hex');
}

function publicInfo(stored: StoredToken): ApiTokenInfo {
  const { salt: _salt, sha256: _sha256, ...info } = stored;
  return info;
}
