/**
 * Adobe's webhook signature schemes, both public-key (RSA with SHA-256, signatures base64):
 * - Adobe I/O Events (Adobe Commerce eventing): `x-adobe-digital-signature-1` and `-2` sign the raw body; the keys
 *   are PEM files at `x-adobe-public-key1-path` / `key2-path` under https://static.adobeioevents.com (fetched once
 *   per path and cached); either signature verifying is enough; the payload's `recipient_client_id` must be ours
 *   (Adobe "Signature Verification for Events"; the logic of adobe/aio-lib-events signatureUtils).
 * - Adobe Commerce webhooks: `x-adobe-commerce-webhook-signature` signs the base64 encoding of the body, checked
 *   with the key pair's public key from the Commerce Admin (Adobe "Webhooks signature verification" examples).
 */
import { createPublicKey, createVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AdobeVerification } from '../../compiler/compiled-spec.js';
import { resolveRefs } from '../../compiler/secret-ref.js';
import type { SecretPolicy } from '../../compiler/secret-ref.js';
import { guardedFetch } from '../../http/guarded-fetch.js';
import type { OutboundPolicy } from '../../http/outbound-guard.js';

/** Why a request was refused (401), or undefined when it verifies. */
export type AdobeRefusal = string | undefined;

/** A scheme with its environment references resolved. */
export type ResolvedAdobe =
  { scheme: 'commerce_webhook'; publicKey: string } | { scheme: 'io_events'; clientId: string; keyBaseUrl: string };

/**
 * Resolves the scheme's references before any byte of the body is read; throws MissingSecretError (an empty or
 * unset variable) or SecretNotAllowedError, which ingest answers like an unusable HMAC secret.
 */
export function resolveAdobe(
  verify: AdobeVerification,
  env: NodeJS.ProcessEnv | undefined,
  policy: SecretPolicy | undefined,
  integration: string,
): ResolvedAdobe {
  const resolve = (value: string) => resolveRefs(value, env, policy, integration);
  return verify.scheme === 'commerce_webhook'
    ? { scheme: 'commerce_webhook', publicKey: resolve(verify.publicKey) }
    : { scheme: 'io_events', clientId: resolve(verify.clientId), keyBaseUrl: resolve(verify.keyBaseUrl) };
}

const keys = new Map<string, Promise<KeyObject>>();
const KEY_PATH = /^\/[A-Za-z0-9_/.-]+\.pem$/;

/**
 * The I/O Events public key at `path` (cached; a failed fetch is not cached). The key URL comes from a spec and
 * the path from the request, so the fetch goes through the outbound guard like a connection's calls.
 */
function publicKeyAt(baseUrl: string, path: string, outbound?: OutboundPolicy): Promise<KeyObject> {
  const url = baseUrl.replace(/\/$/, '') + path;
  let key = keys.get(url);
  if (!key) {
    key = (async () => {
      const res = await guardedFetch(new URL(url), { timeoutMs: 5000 }, outbound);
      if (res.status < 200 || res.status >= 300) throw new Error(`public key ${url} answered ${res.status}`);
      return createPublicKey(res.text);
    })();
    keys.set(url, key);
    key.catch(() => keys.delete(url));
  }
  return key;
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const verifies = (data: Buffer | string, key: KeyObject | string, signature: string | undefined) => {
  if (!signature) return false;
  try {
    return createVerify('RSA-SHA256').update(data).verify(key, signature, 'base64');
  } catch {
    return false;
  }
};

export async function verifyAdobe(
  verify: ResolvedAdobe,
  headers: IncomingHttpHeaders,
  raw: Buffer,
  outbound?: OutboundPolicy,
): Promise<AdobeRefusal> {
  if (verify.scheme === 'commerce_webhook') {
    const signature = header(headers, 'x-adobe-commerce-webhook-signature');
    return verifies(raw.toString('base64'), verify.publicKey, signature)
      ? undefined
      : 'missing or invalid x-adobe-commerce-webhook-signature';
  }
  let verified = false;
  for (const n of [1, 2]) {
    const signature =
      header(headers, `x-adobe-digital-signature-${n}`) ?? header(headers, `x-adobe-digital-signature${n}`);
    const path = header(headers, `x-adobe-public-key${n}-path`);
    if (!signature || !path || !KEY_PATH.test(path) || path.includes('..')) continue;
    const key = await publicKeyAt(verify.keyBaseUrl, path, outbound).catch(() => undefined);
    if (key && verifies(raw, key, signature)) {
      verified = true;
      break;
    }
  }
  if (!verified) return 'missing or invalid x-adobe-digital-signature-1/-2';
  let recipient: unknown;
  try {
    recipient = (JSON.parse(raw.toString('utf8')) as { recipient_client_id?: unknown }).recipient_client_id;
  } catch {
    return undefined; // signed but not JSON: the body check that follows answers 400
  }
  return recipient === verify.clientId ? undefined : 'the event is for another recipient_client_id';
}
