/**
 * Webhook signature checks: HMAC-SHA256 over the raw body bytes, compared in constant time. With replay protection
 * the sender signs `<timestamp>.<body>` (Stripe's signed payload) and a timestamp outside the tolerance is refused;
 * when the timestamp header is the signature header itself it is read Stripe's way, `t=<unix>,v1=<hex>[,v1=…]`.
 * The headers are checked before the body is read, and the digest is computed while the body streams in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookVerification } from '../../compiler/compiled-spec.js';

/** What the headers claim: the signatures to compare with, and the text signed before the body. */
export interface ClaimedSignature {
  candidates: Buffer[];
  signedPrefix: string;
}

/** The headers' claim, or why the request is refused without reading its body. */
export function claimedSignature(
  verify: WebhookVerification,
  headers: IncomingHttpHeaders,
  nowMs = Date.now(),
): ClaimedSignature | { refused: string } {
  const header = first(headers[verify.header.toLowerCase()]);
  const missing = { refused: `missing or invalid ${verify.header} signature` };
  if (!header) return missing;
  const stripeStyle = verify.timestamp?.header.toLowerCase() === verify.header.toLowerCase();
  const parts = stripeStyle ? stripeParts(header) : undefined;
  const signatures = parts ? parts.v1 : [header];
  const candidates = signatures.flatMap((s) => decodeSignature(verify, s));
  if (candidates.length === 0) return missing;
  if (!verify.timestamp) return { candidates, signedPrefix: '' };
  const timestamp = parts ? parts.t : first(headers[verify.timestamp.header.toLowerCase()])?.trim();
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { refused: `missing or invalid ${verify.timestamp.header} timestamp` };
  const skewMs = Math.abs(nowMs - Number(timestamp) * 1000);
  if (skewMs > verify.timestamp.toleranceMs)
    return { refused: `the signed timestamp is outside the ${verify.timestamp.toleranceMs / 1000} s tolerance` };
  return { candidates, signedPrefix: `${timestamp}.` };
}

/** The HMAC to feed the body into, chunk by chunk, as it arrives. */
export function startDigest(secret: string, claim: ClaimedSignature): Hmac {
  return createHmac('sha256', secret).update(claim.signedPrefix);
}

/** True when the computed digest equals one of the claimed signatures (constant time each). */
export function digestMatches(claim: ClaimedSignature, digest: Buffer): boolean {
  // timingSafeEqual needs equal lengths; a length mismatch is a mismatch, and the length is not secret.
  let ok = false;
  for (const c of claim.candidates) if (c.length === digest.length && timingSafeEqual(c, digest)) ok = true;
  return ok;
}

/**
 * The signature header a sender would put on `body` (tests, the demo and `curl` walkthroughs); with `timestamp`
 * (Unix seconds) the signed payload is `<timestamp>.<body>`, and the Stripe-style header carries both.
 */
export function signBody(
  verify: Pick<WebhookVerification, 'encoding' | 'prefix'> & Partial<Pick<WebhookVerification, 'header' | 'timestamp'>>,
  secret: string,
  body: string | Buffer,
  timestamp?: number,
): string {
  const signed = timestamp === undefined ? '' : `${timestamp}.`;
  const digest = createHmac('sha256', secret).update(signed).update(body).digest(verify.encoding);
  const stripeStyle = verify.timestamp && verify.timestamp.header.toLowerCase() === verify.header?.toLowerCase();
  return stripeStyle ? `t=${timestamp},v1=${digest}` : verify.prefix + digest;
}

function decodeSignature(verify: WebhookVerification, value: string): Buffer[] {
  if (!value.startsWith(verify.prefix)) return [];
  const given = value.slice(verify.prefix.length).trim();
  if (verify.encoding === 'base64') return given ? [Buffer.from(given, 'base64')] : [];
  return /^([0-9a-fA-F]{2})+$/.test(given) ? [Buffer.from(given, 'hex')] : [];
}

/** `t=1492774577,v1=5257a8…,v1=…,v0=…`: the timestamp and every v1 signature (others are ignored, as Stripe says). */
function stripeParts(header: string): { t?: string; v1: string[] } {
  const out: { t?: string; v1: string[] } = { v1: [] };
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') out.t = value;
    else if (key === 'v1') out.v1.push(value);
  }
  return out;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
