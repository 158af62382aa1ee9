/** GitHub push webhooks: `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`, compared in constant time. */
import { verifySignature } from '../runtime/verify-signature.js';

export function verifyPushSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  return verifySignature({ header: 'X-Hub-Signature-256', secret: '', encoding: 'hex', prefix: 'sha256=' }, secret, body, header);
}
