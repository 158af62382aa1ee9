/**
 * A dead letter shows its event and request with secret-looking fields masked (`password: [redacted]`), but the
 * target's answer and the error message were shown as the target wrote them: a vendor that quotes the value it
 * refused (`rejected password hunter2…`, or the whole request body back) put the password the entry masked one
 * line above into `GET /api/dlq/<id>`, the listing, the dashboard, `junction dlq show`, the trace and the log.
 * And an event kept as text (nested deeper than 64 levels, through a NATS source) was shown as that text, its
 * secret fields unmasked.
 * Now the values of the secret-looking fields are masked wherever the entry quotes them, and a text event that is
 * JSON is masked like a parsed one. The stored entry keeps the exact event: a replay sends it.
 */
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { capturedLogger, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const SECRET = 'hunter2-correct-horse';
const getJson = async (path: string) => (await rawRequest(`${h!.engine.operatorUrl}${path}`)).json!;

it("masks a secret field's value wherever the target's answer or the error quotes it", async () => {
  const { logger, lines: logLines } = capturedLogger();
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({ maxAttempts: 1, body: '{ "key": $string(id), "seq": seq, "password": password }' }),
    ],
    engine: { logger },
  });
  // The vendor quotes the refused value in its message, and echoes the request body back.
  h.target.fault = (req) => ({
    respond: { status: 422, body: { message: `rejected password ${String(req.body?.password)}`, request: req.body } },
  });
  await h.post('orders', { id: 71, seq: 1, status: 'new', password: SECRET });
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'dead-lettered');
  const [stored] = await h.engine.deadLetters.list();
  // Kept exact for the replay.
  expect(stored.event).toEqual({ id: 71, seq: 1, status: 'new', password: SECRET });

  const shown = await getJson(`/api/dlq/${stored.id}`);
  expect(shown).toMatchObject({
    event: { password: '[redacted]' },
    request: { body: { password: '[redacted]' } },
    error: {
      message:
        'target answered 422: {"message":"rejected password [redacted]","request":{"key":"71","seq":1,"password":"[redacted]"}}',
    },
    responseExcerpt:
      '{"message":"rejected password [redacted]","request":{"key":"71","seq":1,"password":"[redacted]"}}',
  });
  expect(JSON.stringify(await getJson('/api/dlq'))).not.toContain(SECRET);
  expect(logLines.filter((l) => l.includes('rejected password [redacted]')).map((l) => JSON.parse(l).msg)).toEqual([
    expect.stringMatching(/^dead-lettered: target answered 422/),
  ]);
  expect(logLines.filter((l) => l.includes(SECRET))).toEqual([]);
  // The record's trace holds the same failure.
  const trace = await getJson('/api/trace?integration=orders&key=71');
  expect(trace).toMatchObject({ attempts: [{ error: { message: expect.stringContaining('password [redacted]') } }] });
  expect(JSON.stringify(trace)).not.toContain(SECRET);
  const cli = await junction(['dlq', 'show', stored.id, '--nats', h.nats.url]);
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain('rejected password [redacted]');
  expect(cli.stdout).not.toContain(SECRET);
  const listed = await junction(['dlq', 'list', '--json', '--nats', h.nats.url]);
  expect(listed.stdout).toContain('rejected password [redacted]');
  expect(listed.stdout).not.toContain(SECRET);
});

it('masks the secret fields of an event kept as text (nested too deep to store parsed)', async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'deep', maxAttempts: 1, source: '{ nats: { subject: app.deep } }' })],
  });
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'rejected' } } });
  const deep = `{"id":81,"seq":1,"status":"new","password":"${SECRET}","n":${'['.repeat(99)}${']'.repeat(99)}}`;
  const nc = await connect({ servers: h.nats.url });
  try {
    expect((await nc.request('app.deep', deep, { timeout: 5000 })).json()).toMatchObject({ ok: true });
  } finally {
    await nc.close();
  }
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'dead-lettered');
  const [stored] = await h.engine.deadLetters.list();
  expect(stored.event).toBe(deep);

  const shown = (await getJson(`/api/dlq/${stored.id}`)) as { event: string };
  expect(shown.event).toBe(deep.replace(SECRET, '[redacted]'));
  const cli = await junction(['dlq', 'show', stored.id, '--nats', h.nats.url]);
  expect(cli.stdout).toContain('\\"password\\":\\"[redacted]\\"');
  expect(cli.stdout).not.toContain(SECRET);
});
