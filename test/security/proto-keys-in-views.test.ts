/**
 * An event may have a key named `__proto__` (JSON.parse makes it an ordinary own key). The views of a dead letter
 * and of a trace copy the event to mask it; a copy made with `copy[key] = value` sets the copy's prototype for that
 * key instead, so the key vanished from what operators see (found in the session-18 review against the demo), a
 * viewer's masked copy lost it too, and a `redact` path through it (`*.email`) masked the prototype and left the own
 * key's value as it was. The stored entry always kept the exact bytes, so replay was never affected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../engine/runtime/stores/dead-letter-store.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

/** As a sender wrote it: written as text, since a JS object literal would take `__proto__` as its prototype. */
const EVENT =
  '{"id":7,"seq":1,"status":"new",' +
  '"__proto__":{"note":"from the sender","password":"hunter2-hunter2","email":"ada@example.com"},' +
  '"customer":{"__proto__":{"name":"Ada"},"city":"Leeds"}}';

let h: RuntimeHarness;
let viewer: string;
let operator: string;
let id: string;

beforeAll(async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ maxAttempts: 1 }) + 'redact: ["*.email"]\n'],
    engine: { operator: { auth: 'token' } },
  });
  viewer = (await junction(['token', 'create', 'wall', '--role', 'viewer', '--nats', h.nats.url])).stdout.trim();
  operator = (await junction(['token', 'create', 'ops', '--role', 'operator', '--nats', h.nats.url])).stdout.trim();
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'refused' } } });
  expect((await h.post('orders', EVENT)).status).toBe(202);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered');
  id = (await h.engine.deadLetters.list())[0].id;
});

afterAll(async () => {
  await h?.dispose();
});

/** The answer's JSON text, re-read: `__proto__` keys stay own keys, as JSON.parse makes them. */
const api = async (path: string, token: string): Promise<unknown> => {
  const headers = { authorization: `Bearer ${token}` };
  return JSON.parse((await rawRequest(`${h.engine.operatorUrl}${path}`, { headers })).text);
};

describe('`__proto__` keys of an event', () => {
  it('show in the dead letter an operator sees, secret-looking fields and redact paths masked in them', async () => {
    const seen = (await api(`/api/dlq/${id}`, operator)) as DeadLetter;
    expect(JSON.stringify(seen.event)).toBe(
      '{"id":7,"seq":1,"status":"new",' +
        '"__proto__":{"note":"from the sender","password":"[redacted]","email":"[redacted]"},' +
        '"customer":{"__proto__":{"name":"Ada"},"city":"Leeds"}}',
    );
  });

  it('show, masked, in the dead letter a viewer sees', async () => {
    const seen = (await api(`/api/dlq/${id}`, viewer)) as DeadLetter;
    expect(JSON.stringify(seen.event)).toBe(
      '{"id":"[masked]","seq":"[masked]","status":"[masked]",' +
        '"__proto__":{"note":"[masked]","password":"[masked]","email":"[masked]"},' +
        '"customer":{"__proto__":{"name":"[masked]"},"city":"[masked]"}}',
    );
  });

  it('show in the record trace, and the stored entry keeps the exact event', async () => {
    const trace = (await api('/api/trace?integration=orders&key=7', operator)) as { deadLetters: DeadLetter[] };
    expect(JSON.stringify(trace.deadLetters[0].event)).toContain('"__proto__":{"note":"from the sender"');
    const [stored] = await h.engine.deadLetters.list();
    expect(JSON.stringify(stored.event)).toBe(EVENT);
  });
});
