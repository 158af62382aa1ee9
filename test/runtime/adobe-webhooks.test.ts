/**
 * Adobe's signed webhooks at ingest: Adobe I/O Events (RSA-SHA256 over the raw body, keys fetched from a key URL and
 * cached, the recipient client id checked, the registration challenge answered) and Adobe Commerce webhooks
 * (RSA-SHA256 over the base64 body with the Admin's public key). The test signs with a key pair it generates. The
 * key URL passes the outbound guard like any connection: a private key host needs `--allow-private-host`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
let keyServer: Server | undefined;
afterEach(async () => {
  await h?.dispose();
  await new Promise((r) => (keyServer ? keyServer.close(r) : r(undefined)));
  h = keyServer = undefined;
});

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const KEY_PATH = '/prod/keys/pub-key-0b3a3b8e-5f7c-4d36-9f0a-2f1c1a7e9d11.pem';
const sign = (data: string) => createSign('RSA-SHA256').update(data).sign(privateKey, 'base64');

async function serveKey(): Promise<{ url: string; fetched: string[] }> {
  const fetched: string[] = [];
  keyServer = createServer((req, res) => {
    fetched.push(req.url ?? '');
    if (req.url === KEY_PATH) res.end(PEM);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => keyServer!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`, fetched };
}

/** An engine with the integration `commerce-events` verified by keys at `keysUrl`, a host it may reach or not. */
function startIoEvents(keysUrl: string, keyHostAllowed: boolean): Promise<RuntimeHarness> {
  return startRuntimeHarness({
    integrations: [
      integrationYaml({
        name: 'commerce-events',
        source: `{ webhook: { verify: { adobe_io_events: { client_id: "\${env:ADOBE_CLIENT_ID}", public_key_base_url: "\${env:ADOBE_KEYS}" } } } }`,
        body: '{ "key": $string(data.value.id), "seq": data.value.seq, "status": data.value.status }',
      }).replace('key: $string(id)', 'key: $string(data.value.id)'),
    ],
    env: { ADOBE_CLIENT_ID: 'junction-client', ADOBE_KEYS: keysUrl },
    // the key server is a private host: reached only when the engine allows it, as a connection's target
    engine: keyHostAllowed
      ? { security: { outbound: { allowPrivateNetwork: false, allowedHosts: [new URL(keysUrl).host] } } }
      : {},
  });
}

const ioEvent = (id: number, recipient = 'junction-client') =>
  JSON.stringify({
    specversion: '1.0',
    id: `evt-${id}`,
    source: 'urn:uuid:3b4d…',
    type: 'com.adobe.commerce.observer.sales_order_save_after',
    datacontenttype: 'application/json',
    recipient_client_id: recipient,
    data: { key: `k-${id}`, value: { id, seq: 1, status: 'processing' } },
  });

it('accepts an Adobe I/O Events delivery signed with the published key, refuses a tampered one, answers the challenge', async () => {
  const keys = await serveKey();
  h = await startIoEvents(keys.url, true);
  const challenge = await fetch(`${h.engine.url}/hooks/commerce-events?challenge=abc123`);
  expect(challenge.status).toBe(200);
  expect(await challenge.json()).toEqual({ challenge: 'abc123' });

  const body = ioEvent(7);
  const headers = (signature: string) => ({
    'content-type': 'application/json',
    'x-adobe-digital-signature-1': 'bm90IGEgc2lnbmF0dXJl',
    'x-adobe-digital-signature-2': signature,
    'x-adobe-public-key1-path': KEY_PATH,
    'x-adobe-public-key2-path': KEY_PATH,
  });
  const post = (text: string, signature: string) =>
    fetch(`${h!.engine.url}/hooks/commerce-events`, { method: 'POST', headers: headers(signature), body: text });
  expect((await post(body, sign(body))).status).toBe(202);
  const tampered = body.replace('"processing"', '"complete"');
  const refused = await post(tampered, sign(body));
  expect(refused.status).toBe(401);
  expect(await refused.json()).toEqual({
    error: 'bad-signature',
    message: 'missing or invalid x-adobe-digital-signature-1/-2',
  });
  const other = ioEvent(8, 'someone-else');
  expect(await (await post(other, sign(other))).json()).toEqual({
    error: 'bad-signature',
    message: 'the event is for another recipient_client_id',
  });
  await waitFor(() => h!.target.records.has('7'), 'the signed event delivered');
  await expectDrained(h.nats.url);
  expect([...h.target.records.keys()]).toEqual(['7']);
  expect(keys.fetched).toEqual([KEY_PATH]); // fetched once, then cached
});

it('fetches Adobe I/O Events keys only from a host the engine may reach: a private one needs --allow-private-host', async () => {
  const keys = await serveKey();
  h = await startIoEvents(keys.url, false);
  const body = ioEvent(9);
  const signature = sign(body);
  const res = await h.post('commerce-events', body, {
    'x-adobe-digital-signature-1': signature,
    'x-adobe-public-key1-path': KEY_PATH,
  });
  expect(res.status).toBe(401);
  expect(keys.fetched).toEqual([]);
});

it('accepts an Adobe Commerce webhook signed over its base64 body and refuses a tampered one', async () => {
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({
        name: 'commerce-hook',
        source: '{ webhook: { verify: { adobe_commerce_webhook: { public_key: "${env:COMMERCE_KEY}" } } } }',
        body: '{ "key": $string(data.order.entity_id), "seq": 1, "status": data.order.status }',
      }).replace('key: $string(id)', 'key: $string(data.order.entity_id)'),
    ],
    env: { COMMERCE_KEY: PEM },
  });
  const body = JSON.stringify({
    eventName: 'plugin.magento.sales.api.order_management.place',
    data: { order: { entity_id: 31, status: 'pending' } },
  });
  const post = (text: string, signature: string) =>
    fetch(`${h!.engine.url}/hooks/commerce-hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-adobe-commerce-webhook-signature': signature },
      body: text,
    });
  const signature = sign(Buffer.from(body).toString('base64'));
  expect((await post(body, signature)).status).toBe(202);
  expect((await post(body.replace('pending', 'complete'), signature)).status).toBe(401);
  expect((await post(body, sign(body))).status).toBe(401); // signed over the raw body, not its base64: refused
  await waitFor(() => h!.target.records.has('31'), 'delivered');
  expect(h.target.records.get('31')).toEqual({ key: '31', seq: 1, status: 'pending' });
});
