/** Webhooks to the engine signed as each seed system signs them (connectors/seed-systems.ts HOOK_SECRETS). */
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { HOOK_SECRETS } from '../../connectors/seed-systems.js';

/** Which system signs a webhook. */
export type Sender = keyof typeof HOOK_SECRETS;

/** How each system signs: its header and encoding (Magento base64, the others `sha256=` + hex). */
const SIGNING: Record<Sender, string> = {
  magento: 'X-Magento-Signature',
  ff: 'X-FF-Signature',
  app: 'X-App-Signature',
  bng: 'X-BNG-Signature',
};

function signature(sender: Sender, raw: string): string {
  const hmac = createHmac('sha256', HOOK_SECRETS[sender]).update(raw);
  return sender === 'magento' ? hmac.digest('base64') : 'sha256=' + hmac.digest('hex');
}

/** Sends a webhook signed as `sender` signs it to `<engineUrl>/hooks/<integration>`; the engine's answer. */
export async function sendSigned(engineUrl: string, integration: string, body: unknown, sender: Sender) {
  const raw = JSON.stringify(body);
  return fetch(`${engineUrl}/hooks/${integration}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNING[sender]]: signature(sender, raw) },
    body: raw,
  });
}

/** Sends a webhook signed as `sender` signs it; expects 202. */
export async function postSigned(engineUrl: string, integration: string, body: unknown, sender: Sender) {
  const res = await sendSigned(engineUrl, integration, body, sender);
  expect(res.status, await res.text()).toBe(202);
}
