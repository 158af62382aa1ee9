/** GitHub push webhooks: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` under the engine's secret. */
import type { WebhookVerification } from '../compiler/compiled-spec.js';

export const PUSH_SIGNATURE: WebhookVerification = {
  header: 'X-Hub-Signature-256',
  secret: '',
  encoding: 'hex',
  prefix: 'sha256=',
};
