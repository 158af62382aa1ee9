/**
 * A webhook body with a Content-Encoding (gzip, deflate, br, or one nobody knows) is refused with 415 and
 * `Accept-Encoding: identity` (RFC 9110 §15.5.16): none of the senders Junction supports compresses a webhook
 * (docs/connectors.md), and decoding would open the body-size limit to zip bombs. Before, such a body was parsed as
 * JSON and answered 400 `malformed-json`, which points the sender at its JSON instead of its compression.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../engine/runtime/ingest/verify-signature.js';
import { brokerBacklog, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';
import { rawWebhookRequest } from './helpers/raw-webhook-request.js';

const SECRET = 'hook-secret-for-tests';
const sign = (body: string | Buffer) => signBody({ encoding: 'hex', prefix: 'sha256=' }, SECRET, body);

let h: RuntimeHarness;
beforeAll(async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ hmacEnv: 'HOOK_SECRET' })],
    env: { HOOK_SECRET: SECRET },
  });
});
afterAll(() => h?.dispose());

const json = JSON.stringify({ id: 1, seq: 1, status: 'new' });

function post(body: Buffer | string, encoding: string) {
  return rawWebhookRequest(`${h.engine.url}/hooks/orders`, {
    headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'x-signature': sign(body) },
    body,
  });
}

describe('a webhook body with a Content-Encoding', () => {
  it.each([
    ['gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
    ['br', brotliCompressSync(json)],
    ['x-zip-bomb', Buffer.from(json)],
    ['gzip, identity', gzipSync(json)],
  ])('%s: 415 naming the encodings accepted, nothing stored', async (encoding, body) => {
    const answer = await post(body, encoding);
    expect({ status: answer.status, accept: answer.headers['accept-encoding'], body: JSON.parse(answer.body) }).toEqual(
      {
        status: 415,
        accept: 'identity',
        body: {
          error: 'unsupported-content-encoding',
          message:
            `Content-Encoding ${JSON.stringify(encoding)} is not accepted: ` +
            'send the body uncompressed (no Content-Encoding, or identity)',
        },
      },
    );
    expect(answer.headers.connection).toBe('close');
    expect(await brokerBacklog(h.nats.url)).toMatchObject({ stored: 0 });
    expect(h.target.requests).toEqual([]);
  });

  it('identity (any case) is the body as sent: stored and delivered', async () => {
    const answer = await post(json, 'Identity');
    expect(answer.status).toBe(202);
    await waitFor(() => h.target.records.has('1'), 'record 1 delivered');
    expect(h.target.records.get('1')).toEqual({ key: '1', seq: 1, status: 'new' });
  });
});
