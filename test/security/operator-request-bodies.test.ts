/**
 * Request bodies of the operator API's actions (resolve, discard, purge) beyond their 16 KiB limit: answered 413
 * with the limit, on a connection that is closed after the answer, so the next request (the CLI's next id) gets its
 * own answer. The body was read up to the limit and then abandoned with a 400 "give a reason", and the next request
 * sent on that keep-alive connection got no answer at all.
 *
 * The reason itself is bounded (500 characters): the API answers 400 saying the limit, and the CLI refuses it before
 * sending anything, over the API or NATS (and so do pause, resume and alert silence/unsilence). Before, any reason
 * under the body limit was taken into the audit trail and the entry, and over NATS one of any length was sent,
 * failing the resolve on the store's value size.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;
const ids: string[] = [];

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 1 })] });
  h.target.fault = () => ({ respond: { status: 422 } });
  for (const id of [51, 52]) await h.post('orders', { id, seq: 1, status: 'new' });
  await waitFor(async () => {
    ids.splice(0, ids.length, ...(await h.engine.deadLetters.list()).map((e) => e.id));
    return ids.length === 2;
  }, 'both dead-lettered');
});

afterAll(async () => {
  await h?.dispose();
});

const TOO_LARGE = {
  error: 'body-too-large',
  message: 'the request body is larger than 16384 bytes: send {"reason": "…"} with a reason of at most 500 characters',
};
const TOO_LONG = (n: number) =>
  `the reason is ${n} characters, more than 500: shorten it (put the details in a ticket and give its link)`;

it('answers 413 to a body over the limit, and the next request on that connection its own answer', async () => {
  const big = JSON.stringify({ reason: 'x'.repeat(100_000) });
  const post = (body: string) =>
    rawRequest(`${h.engine.operatorUrl}/api/dlq/${ids[0]}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const refused = await post(big);
  expect({ status: refused.status, body: refused.json, connection: refused.headers.connection }).toEqual({
    status: 413,
    body: TOO_LARGE,
    connection: 'close',
  });
  const resolved = await post(JSON.stringify({ reason: 'fixed by hand' }));
  expect({ status: resolved.status, body: resolved.json }).toEqual({ status: 200, body: { resolved: ids[0] } });
});

it('answers 400 to a reason over 500 characters, saying the limit; one of 500 is kept whole', async () => {
  const post = (id: string, reason: string) =>
    rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/discard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason }),
    });
  const refused = await post(ids[1], 'r'.repeat(501));
  expect({ status: refused.status, body: refused.json }).toEqual({
    status: 400,
    body: { error: 'bad-request', message: TOO_LONG(501) },
  });
  const purge = await rawRequest(`${h.engine.operatorUrl}/api/dlq/purge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'p'.repeat(2_000), integration: 'orders' }),
  });
  expect({ status: purge.status, body: purge.json }).toEqual({
    status: 400,
    body: { error: 'bad-request', message: TOO_LONG(2_000) },
  });
  expect((await h.engine.deadLetters.get(ids[1]))?.entry.status).toBe('open');
  const longest = `<b>${'q'.repeat(490)}</b>\u001b`;
  const kept = await post(ids[1], longest);
  expect({ status: kept.status, body: kept.json }).toEqual({ status: 200, body: { discarded: ids[1] } });
  expect((await h.engine.actions.audit.recent({ limit: 1 }))[0].entry).toMatchObject({
    action: 'dlq.discard',
    target: ids[1],
    reason: longest,
  });
});

it('the CLI refuses a reason over 500 characters before it sends anything, over the API and over NATS', async () => {
  const fresh = await h.post('orders', { id: 53, seq: 1, status: 'new' }).then(async () => {
    let id: string | undefined;
    await waitFor(async () => {
      id = (await h.engine.deadLetters.list()).find((e) => e.key === '53')?.id;
      return id !== undefined;
    }, 'dead-lettered');
    return id!;
  });
  for (const where of [
    ['--url', h.engine.operatorUrl!],
    ['--nats', h.nats.url],
  ])
    for (const verb of ['resolve', 'discard']) {
      const cli = await junction(['dlq', verb, fresh, '--reason', 'y'.repeat(20_000), ...where]);
      expect(cli).toEqual({ code: 2, stdout: '', stderr: `junction: --reason: ${TOO_LONG(20_000)}\n` });
    }
  const purge = await junction(['dlq', 'purge', '--integration', 'orders', '--reason', 'z'.repeat(501)]);
  expect(purge).toEqual({ code: 2, stdout: '', stderr: `junction: --reason: ${TOO_LONG(501)}\n` });
  const blank = await junction(['dlq', 'resolve', fresh, '--reason', ' ', '--nats', h.nats.url]);
  expect(blank).toEqual({
    code: 2,
    stdout: '',
    stderr: 'junction: --reason must say why (it is kept in the audit trail)\n',
  });
  expect((await h.engine.deadLetters.get(fresh))?.entry.status).toBe('open');
});

it('pause, resume and alert silence/unsilence refuse a reason over 500 characters the same way', async () => {
  const nats = ['--nats', h.nats.url];
  for (const args of [
    ['pause', 'orders'],
    ['resume', 'orders'],
    ['alert', 'silence', 'orders-lag', '--for', '1h'],
    ['alert', 'unsilence', 'orders-lag'],
  ])
    expect(await junction([...args, '--reason', 'w'.repeat(600), ...nats])).toEqual({
      code: 2,
      stdout: '',
      stderr: `junction: --reason: ${TOO_LONG(600)}\n`,
    });
  const status = await junction(['status', '--url', h.engine.operatorUrl!, '--format', 'json']);
  expect(JSON.parse(status.stdout).integrations[0]).not.toHaveProperty('problems');
});
