/**
 * A field synced both ways (A's name to B's title by a-to-b, B's title to A's name by b-to-a, each reading its source
 * record back through `read.get`) that changes twice in A before the first change's echo is back from B. Before, B's
 * echo of the first value was written back to A over the second, and the pair flipped both records for as long as
 * the systems emitted change events. Now a stale echo is never written back, and a real later change in B still syncs.
 * The fake target keeps both systems' records (a:<n>, b:<n>) and emits a change event for every write, even a no-op
 * one, as Magento and Salesforce do; the test holds those events back to let the echoes come late.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { TraceLog } from '../../engine/runtime/stores/trace-log.js';
import type { TraceRecord } from '../../engine/runtime/stores/trace-log.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';

/** The field a system keeps the name in (one connection holds both systems, and a field has one owner). */
const FIELD = { a: 'name', b: 'title' } as const;

/** One direction: a webhook of `from`'s changes, the name written to `to`'s record of the same number. */
function direction(from: 'a' | 'b', to: 'a' | 'b'): string {
  return `apiVersion: junction/v1
kind: Integration
name: ${from}-to-${to}
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: write
    connection: target
    operation: records.upsert
    body: '{ "key": "${to}:" & $substringAfter(id, ":"), "${FIELD[to]}": ${FIELD[from]} }'
owns:
  - { connection: target, object: record, fields: [${FIELD[to]}] }
read:
  get:
    connection: target
    operation: records.find
    body: '{ "key": $key }'
    record: items[0]
retry: { max_attempts: 5, initial: 20ms, max: 200ms }
`;
}

/** Change events emitted past this many writes are dropped: a pair that flips stops, and the test can say so. */
const EVENT_CAP = 40;

interface World {
  h: RuntimeHarness;
  /** The engine webhooks go to (replaced by a restart). */
  url: string;
  /** Change events the target emitted and the test holds back. */
  held: { integration: string; body: Record<string, unknown> }[];
  /** Whether change events are sent at once (not held). */
  flowing: boolean;
  posts: Promise<unknown>[];
  emitted: number;
}

let world: World | undefined;
afterEach(async () => {
  await world?.h.dispose();
  world = undefined;
});

async function startWorld(): Promise<World> {
  const h = await startRuntimeHarness({ integrations: [direction('a', 'b'), direction('b', 'a')] });
  const w: World = { h, url: h.engine.url!, held: [], flowing: false, posts: [], emitted: 0 };
  const versions = new Map<string, number>();
  h.target.onWrite = (key, record) => {
    if (++w.emitted > EVENT_CAP) return;
    const version = (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    const system = key.startsWith('a:') ? 'a' : 'b';
    emit(w, `${system}-to-${system === 'a' ? 'b' : 'a'}`, { id: key, [FIELD[system]]: record[FIELD[system]], version });
  };
  h.target.records.set('a:1', record('a:1', 'Old'));
  h.target.records.set('b:1', record('b:1', 'Old'));
  world = w;
  return w;
}

/** A record of A or B with this name. */
function record(key: string, name: string): Record<string, unknown> {
  return { key, [FIELD[systemOf(key)]]: name };
}

function systemOf(key: string): 'a' | 'b' {
  return key.startsWith('a:') ? 'a' : 'b';
}

function emit(w: World, integration: string, body: Record<string, unknown>): void {
  if (w.flowing) w.posts.push(post(w, integration, body));
  else w.held.push({ integration, body });
}

async function post(w: World, integration: string, body: unknown): Promise<void> {
  const res = await fetch(`${w.url}/hooks/${integration}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
}

/** A user changes a record in A or B: the record, then its change event (sent at once). */
async function userChanges(w: World, key: string, name: string): Promise<void> {
  w.h.target.records.set(key, record(key, name));
  const system = systemOf(key);
  await post(w, `${system}-to-${system === 'a' ? 'b' : 'a'}`, {
    id: key,
    [FIELD[system]]: name,
    version: `user-${name}`,
  });
}

/** Sends the held change events (in `order`, by index; each stored before the next), and every new one at once. */
async function release(w: World, order?: number[]): Promise<void> {
  const held = w.held.splice(0);
  w.flowing = true;
  for (const i of order ?? held.keys()) {
    const sent = post(w, held[i].integration, held[i].body);
    w.posts.push(sent);
    await sent;
  }
}

/** Until no change event is on its way and the broker has nothing left to deliver. */
async function settle(w: World): Promise<void> {
  for (;;) {
    const sent = w.posts.length;
    await Promise.all(w.posts);
    await expectDrained(w.h.nats.url);
    if (w.posts.length === sent) return;
  }
}

async function nameIn(w: World, key: string, name: string): Promise<void> {
  await waitFor(() => w.h.target.records.get(key)?.[FIELD[systemOf(key)]] === name, `${key} has name ${name}`);
}

/** The writes the target received (PUTs), as [record, name]. */
function writes(w: World): [string | undefined, unknown][] {
  return w.h.target.requests
    .filter((r) => r.method === 'PUT')
    .map((r) => [r.key, r.body?.[FIELD[systemOf(r.key ?? '')]]]);
}

/** The records read again through `read.get` (GET /records?key=), in order. */
function reads(w: World): (string | undefined)[] {
  return w.h.target.requests
    .filter((r) => r.method === 'GET')
    .map((r) => new URL(r.path, 'http://x').searchParams.get('key') ?? undefined);
}

/** The trace records of an integration's events of one key, in the order they ran. */
async function traces(w: World, integration: string, key: string): Promise<TraceRecord[]> {
  const nc = await connect({ servers: w.h.nats.url, noAsyncTraces: true });
  try {
    return await new TraceLog(jetstream(nc), await jetstreamManager(nc)).read(integration, key);
  } finally {
    await nc.close();
  }
}

async function counts(w: World): Promise<Record<string, Record<string, number>>> {
  const status = (await (await fetch(`${w.h.engine.operatorUrl}/api/status`)).json()) as {
    integrations: { name: string; counts: Record<string, number> }[];
  };
  return Object.fromEntries(status.integrations.map((i) => [i.name, i.counts]));
}

/** A's name changes to X, then to Y; each change reaches B before any echo comes back from B. */
async function doubleChangeInA(w: World): Promise<void> {
  await userChanges(w, 'a:1', 'X');
  await nameIn(w, 'b:1', 'X');
  await userChanges(w, 'a:1', 'Y');
  await nameIn(w, 'b:1', 'Y');
}

it('a field changed twice before its first echo returns ends at the second value in both systems, with no flip', async () => {
  const w = await startWorld();
  await doubleChangeInA(w);
  expect(w.held.map((e) => [e.integration, e.body.title])).toEqual([
    ['b-to-a', 'X'],
    ['b-to-a', 'Y'],
  ]);
  await release(w);
  await settle(w);

  expect(w.h.target.records.get('a:1')).toEqual(record('a:1', 'Y'));
  expect(w.h.target.records.get('b:1')).toEqual(record('b:1', 'Y'));
  // Neither echo is written back to A: the first is stale (B holds Y now), the second is what A has.
  expect(writes(w)).toEqual([
    ['b:1', 'X'],
    ['b:1', 'Y'],
  ]);
  expect((await counts(w))['b-to-a']).toMatchObject({ in: 2, delivered: 0, echoSuppressed: 2 });
  // A was never written by us, so its events are used as they are; B's stale echo of X read B once, and the echo of
  // Y was known as one without a read.
  expect(reads(w)).toEqual(['b:1']);
  const echoes = await traces(w, 'b-to-a', 'b:1');
  expect(echoes.map((t) => [t.outcome, t.superseded])).toEqual([
    ['echo_suppressed', [{ step: 'write' }]],
    ['echo_suppressed', undefined],
  ]);
});

it('a later change in B back to the first value still syncs to A once the echoes have settled', async () => {
  const w = await startWorld();
  await doubleChangeInA(w);
  await release(w);
  await settle(w);
  const before = writes(w).length;

  await userChanges(w, 'b:1', 'X');
  await settle(w);

  expect(w.h.target.records.get('a:1')).toEqual(record('a:1', 'X'));
  expect(w.h.target.records.get('b:1')).toEqual(record('b:1', 'X'));
  // Written to A once; A's echo of it is not written back to B.
  expect(writes(w).slice(before)).toEqual([['a:1', 'X']]);
  expect((await counts(w))['a-to-b']).toMatchObject({ in: 3, delivered: 2, echoSuppressed: 1 });
});

it('echoes that arrive in the opposite order are not written back either', async () => {
  const w = await startWorld();
  await doubleChangeInA(w);
  await release(w, [1, 0]); // B's event for Y first, then the one for X
  await settle(w);

  expect(w.h.target.records.get('a:1')).toEqual(record('a:1', 'Y'));
  expect(w.h.target.records.get('b:1')).toEqual(record('b:1', 'Y'));
  expect(writes(w)).toEqual([
    ['b:1', 'X'],
    ['b:1', 'Y'],
  ]);
});

it('the echo of the first write is not written back over a second change in A that has not reached B yet', async () => {
  const w = await startWorld();
  await userChanges(w, 'a:1', 'X');
  await nameIn(w, 'b:1', 'X');
  // A's user changes the name again; B's echo of X is handled before A's change event for Y arrives.
  w.h.target.records.set('a:1', record('a:1', 'Y'));
  await release(w);
  await settle(w);
  expect(w.h.target.records.get('a:1')).toEqual(record('a:1', 'Y'));

  await post(w, 'a-to-b', { id: 'a:1', name: 'Y', version: 'user-Y' });
  await settle(w);
  expect(w.h.target.records.get('b:1')).toEqual(record('b:1', 'Y'));
  expect(writes(w)).toEqual([
    ['b:1', 'X'],
    ['b:1', 'Y'],
  ]);
});

it('an engine restart between the two writes changes nothing: the echoes are still recognised', async () => {
  const w = await startWorld();
  await userChanges(w, 'a:1', 'X');
  await nameIn(w, 'b:1', 'X');
  await expectDrained(w.h.nats.url);
  await w.h.engine.stop();
  w.url = (await w.h.startEngine()).url!;

  await userChanges(w, 'a:1', 'Y');
  await nameIn(w, 'b:1', 'Y');
  await release(w);
  await settle(w);

  expect(w.h.target.records.get('a:1')).toEqual(record('a:1', 'Y'));
  expect(w.h.target.records.get('b:1')).toEqual(record('b:1', 'Y'));
  expect(writes(w)).toEqual([
    ['b:1', 'X'],
    ['b:1', 'Y'],
  ]);
});
