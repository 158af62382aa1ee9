/**
 * Two operators give up on the same retrying event at once, each through another engine's operator API. One order
 * wins the parking marker's compare-and-set and is carried out; the other finds it there. Each must get the truth:
 * the winner the dead letter's id, the other that it was given up already, by whom, and the same id (before, it was
 * told the event "is dead-lettered as soon as an engine takes its turn", with no id, when it already was).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawRequest } from '../security/helpers/raw-request.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';
import { retryingListed } from './helpers/retrying-listed.js';

let h: RuntimeHarness;
let other: Engine;

beforeAll(async () => {
  // A backoff no test waits out: only an operator's order moves the key on.
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 10, initial: '10m', max: '10m' })] });
  other = await h.startEngine();
});

afterAll(async () => {
  await h?.dispose();
});

const giveUp = (engine: Engine, body: Record<string, unknown>) =>
  rawRequest(`${engine.operatorUrl}/api/retrying/give-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('two give-ups of one event at once: one dead-letters it, the other is told who did and the same dead letter', async () => {
  h.target.fault = (req) => (req.key === '7' && req.body?.seq === 1 ? { respond: { status: 503 } } : undefined);
  for (const seq of [1, 2]) expect((await h.post('orders', { id: 7, seq })).status).toBe(202);
  const listed = await retryingListed(h.engine.operatorUrl!, '7');
  await waitFor(
    async () => (await retryingListed(h.engine.operatorUrl!, '7')).queued === 1,
    'event 2 queued behind event 1',
  );
  const target = { integration: 'orders', key: '7', eventId: listed.eventId };

  const answers = await Promise.all([
    giveUp(h.engine, { ...target, reason: 'first' }),
    giveUp(other, { ...target, reason: 'second' }),
  ]);

  const won = answers.find((a) => a.status === 200)!;
  const lost = answers.find((a) => a.status !== 200)!;
  expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
  const dlqId = won.json?.dlqId as string;
  expect(won.json).toMatchObject({ gaveUp: listed.eventId, dlqId, queued: 1 });
  expect(lost.json).toEqual({
    error: 'giving-up',
    dlqId,
    message: expect.stringMatching(
      new RegExp(
        `^user:anonymous gave up on event ${listed.eventId} of key "7" of integration orders at \\S+ already: ` +
          `it is dead-lettered as ${dlqId}$`,
      ),
    ),
  });
  // One dead letter: the event's, with the winner's reason.
  const letters = (await h.engine.deadLetters.list()).filter((l) => l.key === '7');
  expect(letters.map((l) => [l.id, l.eventId, l.reason])).toEqual([[dlqId, listed.eventId, 'operator-gave-up']]);
  const winner = answers.indexOf(won) === 0 ? 'first' : 'second';
  expect((await h.engine.deadLetters.get(dlqId))!.entry.gaveUp).toMatchObject({ reason: winner });
  // The key's next event runs after it, once.
  await waitFor(() => h.target.records.get('7')?.seq === 2, 'event 2 delivered');
  await expectDrained(h.nats.url);
}, 60_000);
