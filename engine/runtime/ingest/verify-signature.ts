/** Webhook signature check: HMAC-SHA256 over the raw body bytes, compared in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookVerification } from '../../compiler/compiled-spec.js';

/** True when `header` carries the HMAC of `body` under `secret`, in the spec's encoding and with its prefix. */
export function verifySignature(
  verify: WebhookVerification,
  secret: string,
  body: Buffer,
  header: string | undefined,
): boolean {
  if (!header || !header.startsWith(verify.prefix)) return false;
  const given = header.slice(verify.prefix.length).trim();
  const expected = createHmac('sha256', secret).update(body).digest();
  const decoded =
    verify.encoding === 'base64'
      ? Buffer.from(given, 'base64')
      : /^[0-9a-fA-F]+$/.test(given)
        ? Buffer.from(given, 'hex')
        : Buffer.alloc(0);
  // timingSafeEqual needs equal lengths; a length mismatch is a mismatch, and the length is not secret.
  return decoded.length === expected.length && timingSafeEqual(decoded, expected);
}

/** The header value a sender would put on `body` (tests, the demo and `curl` walkthroughs). */
export function signBody(
  verify: Pick<WebhookVerification, 'encoding' | 'prefix'>,
  secret: string,
  body: string | Buffer,
): string {
  return verify.prefix + createHmac('sha256', secret).update(body).digest(verify.encoding);
}
