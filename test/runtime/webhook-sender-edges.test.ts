/**
 * What real senders do to a webhook request besides a plain JSON POST, each answered with a clear status and what
 * to change: `Expect: 100-continue` (curl, with larger bodies), a charset other than UTF-8, a byte order
 * mark, an empty body, a form-encoded body (GitHub's default content type), HEAD and GET on the webhook path, and a
 * trailing slash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../engine/runtime/ingest/verify-signature.js';
import { brokerBacklog, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';
import { rawWebhookRequest } from './helpers/raw-webhook-request.js';

const SECRET = 'hook-secret-for-tests';
const sign = (body: string | Buffer) => signBody({ encoding: 'hex', prefix: 'sha256=' }, SECRET, body);

let h: RuntimeHarness;
let url: string;
beforeAll(async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ hmacEnv: 'HOOK_SECRET', maxBodyBytes: 4096 })],
    env: { HOOK_SECRET: SECRET },
  });
  url = `${h.engine.url}/hooks/orders`;
});
afterAll(() => h?.dispose());

/** A signed POST of `body` with these headers. */
function post(body: string | Buffer, headers: Record<string, string> = {}, target = url) {
  return rawWebhookRequest(target, {
    headers: { 'content-type': 'application/json', 'x-signature': sign(body), ...headers },
    body,
  });
}

async function stored(): Promise<number> {
  return (await brokerBacklog(h.nats.url)).stored + h.target.requests.length;
}

describe('Expect: 100-continue', () => {
  it('goes ahead for a body that fits, and the event is stored', async () => {
    const body = JSON.stringify({ id: 'continue-1', seq: 1, status: 'new' });
    const answer = await post(body, { expect: '100-continue' });
    expect({ status: answer.status, continued: answer.continued }).toEqual({ status: 202, continued: true });
    await waitFor(() => h.target.records.has('continue-1'), 'continue-1 delivered');
  });

  it('refuses a body announced over max_body_bytes with 413 before the sender sends it', async () => {
    const body = JSON.stringify({ id: 'continue-2', pad: 'x'.repeat(5000) });
    const answer = await post(body, { expect: '100-continue' });
    expect({ status: answer.status, continued: answer.continued, body: JSON.parse(answer.body) }).toEqual({
      status: 413,
      continued: false,
      body: { error: 'body-too-large', message: 'body exceeds 4096 bytes' },
    });
  });
});

describe('character sets', () => {
  it('takes a body in a declared charset other than UTF-8 and stores it as UTF-8, verified over the bytes sent', async () => {
    const body = Buffer.from(JSON.stringify({ id: 'latin-1', seq: 1, status: 'reçu' }), 'latin1');
    const answer = await post(body, { 'content-type': 'application/json; charset=ISO-8859-1' });
    expect(answer.status).toBe(202);
    await waitFor(() => h.target.records.has('latin-1'), 'latin-1 delivered');
    expect(h.target.records.get('latin-1')).toEqual({ key: 'latin-1', seq: 1, status: 'reçu' });
  });

  it('refuses a charset it cannot decode with 415 naming it', async () => {
    const body = JSON.stringify({ id: 'klingon-1', seq: 1, status: 'new' });
    const answer = await post(body, { 'content-type': 'application/json; charset=x-klingon' });
    expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({
      status: 415,
      body: {
        error: 'unsupported-charset',
        message: 'charset "x-klingon" is not one this engine can decode: send the body as UTF-8 (RFC 8259 §8.1)',
      },
    });
  });

  it('refuses bytes that are not in the declared charset with 400 naming it', async () => {
    const body = Buffer.concat([
      Buffer.from('{"id":"bad-utf8","status":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const answer = await post(body, { 'content-type': 'application/json; charset=utf-8' });
    expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({
      status: 400,
      body: {
        error: 'bad-encoding',
        message:
          'the body is not valid UTF-8, which JSON text is (RFC 8259 §8.1): a sender using another charset names it ' +
          'in Content-Type',
      },
    });
  });

  it('takes a UTF-8 byte order mark (signed with the body) and stores the event without it', async () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify({ id: 'bom-1', seq: 1, status: 'new' })),
    ]);
    const answer = await post(body);
    expect(answer.status).toBe(202);
    await waitFor(() => h.target.records.has('bom-1'), 'bom-1 delivered');
    expect(h.target.records.get('bom-1')).toEqual({ key: 'bom-1', seq: 1, status: 'new' });
  });
});

describe('bodies that are not a JSON event', () => {
  it('answers an empty body 400 empty-body', async () => {
    const before = await stored();
    const answer = await post('');
    expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({
      status: 400,
      body: { error: 'empty-body', message: 'the body is empty: a webhook carries one JSON object or array' },
    });
    expect(await stored()).toBe(before);
  });

  it('answers a form-encoded body (GitHub’s default content type) 415 saying to send JSON', async () => {
    const body = `payload=${encodeURIComponent(JSON.stringify({ id: 'form-1' }))}`;
    const answer = await post(body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect({ status: answer.status, accept: answer.headers['accept'], body: JSON.parse(answer.body) }).toEqual({
      status: 415,
      accept: 'application/json',
      body: {
        error: 'unsupported-media-type',
        message:
          'Content-Type application/x-www-form-urlencoded is not accepted: send the event as JSON ' +
          '(a GitHub webhook: set its content type to application/json)',
      },
    });
  });
});

describe('the webhook path', () => {
  it('answers HEAD and GET 405 with Allow: POST', async () => {
    const head = await rawWebhookRequest(url, { method: 'HEAD' });
    expect({ status: head.status, allow: head.headers.allow, body: head.body }).toEqual({
      status: 405,
      allow: 'POST',
      body: '',
    });
    const get = await rawWebhookRequest(url, { method: 'GET' });
    expect({ status: get.status, allow: get.headers.allow, body: JSON.parse(get.body) }).toEqual({
      status: 405,
      allow: 'POST',
      body: { error: 'method-not-allowed', message: 'webhooks are POSTed' },
    });
  });

  it('takes a trailing slash', async () => {
    const body = JSON.stringify({ id: 'slash-1', seq: 1, status: 'new' });
    expect((await post(body, {}, `${url}/`)).status).toBe(202);
    await waitFor(() => h.target.records.has('slash-1'), 'slash-1 delivered');
  });
});
