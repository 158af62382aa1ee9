/** GitHub push webhooks: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time. */
import { verifySignature } from '../runtime/ingest/verify-signature.js';

/** True when `header` is the signature of `body` under `secret`. */
export function verifyPushSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  return verifySignature(
    { header: 'X-Hub-Signature-256', secret: '', encoding: 'hex', prefix: 'sha256=' },
    secret,
    body,
    header,
  );
}
