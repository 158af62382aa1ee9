/**
 * `junction dlq list` and `dlq replay --all` over NATS with 2,000 dead letters on a real nats-server: the list shows a
 * page (100 by default) and prints the command for the next one; following those commands lists every entry once,
 * oldest first. A bulk replay goes a batch at a time with a progress line giving the cursor to go on from, ends with
 * what it replayed and why the rest was not (here: the integration paused), and goes on from a cursor it printed. A
 * purge goes through them a page at a time as well.
 * Before, both read every entry into memory at once (one KV get each, all at the same time).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventSubject, keyDigest, partitionOf } from '../../engine/runtime/broker/subjects.js';
import type { DeadLetter } from '../../engine/runtime/stores/dead-letter-store.js';
import { junction } from '../ops/cli-in-process.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

const ENTRIES = 2_000;

let h: RuntimeHarness;
/** The entries' ids in the order they were written, and which of them are open (every tenth is resolved). */
const written: string[] = [];
const open: string[] = [];

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const createdAt = new Date().toISOString();
  for (let i = 0; i < ENTRIES; i++) {
    const key = `k${i}`;
    const eventId = `e${i}`;
    const status = i % 10 === 9 ? 'resolved' : 'open';
    const entry: DeadLetter = {
      id: h.engine.deadLetters.idFor(keyDigest(`orders:${eventId}`)),
      integration: 'orders',
      eventId,
      key,
      subject: eventSubject('orders', partitionOf(key, TEST_TUNING.partitions!)),
      event: { id: key, seq: 1, status: `v1 of ${key}` },
      commit: h.specSet.commit,
      error: { code: 'validation', message: 'refused', status: 422 },
      reason: 'permanent',
      attempts: 1,
      createdAt,
      status,
      ...(status === 'resolved' ? { resolution: { by: 'cli:test', at: createdAt, reason: 'by hand' } } : {}),
    };
    await h.engine.deadLetters.write(entry);
    written.push(entry.id);
    if (status === 'open') open.push(entry.id);
  }
}, 240_000);

afterAll(async () => {
  await h?.dispose();
});

const nats = () => ['--nats', h.nats.url];
const idsOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('  ')[0]);

it('lists a page at a time, oldest first, and prints the command for the next page', async () => {
  const first = await junction('dlq', 'list', ...nats());
  expect(first.code).toBe(0);
  expect(idsOf(first.stdout)).toEqual(written.slice(0, 100));
  const more = new RegExp(`^100 dead letters; more: junction dlq list --nats ${h.nats.url} --after (\\d+)\\n$`);
  expect(first.stderr).toMatch(more);

  // Following the printed commands, 700 open ones a page, lists every open entry once, in the order written.
  const listed: string[] = [];
  const pages: string[] = [];
  let args = ['dlq', 'list', '--status', 'open', '--limit', '700', ...nats()];
  for (;;) {
    const page = await junction(...args);
    expect(page.code).toBe(0);
    listed.push(...idsOf(page.stdout));
    pages.push(page.stderr);
    const next = /; more: junction (.+)\n$/.exec(page.stderr)?.[1];
    if (!next || listed.length > ENTRIES) break;
    args = next.split(' ');
  }
  expect(listed).toEqual(open);
  const after = `--status open --limit 700 --nats ${h.nats.url} --after \\d+`;
  expect(pages).toEqual([
    expect.stringMatching(new RegExp(`^700 dead letters; more: junction dlq list ${after}\\n$`)),
    expect.stringMatching(new RegExp(`^700 dead letters; more: junction dlq list ${after}\\n$`)),
    '400 dead letters\n',
  ]);

  const json = await junction('dlq', 'list', '--json', '--limit', '3', '--status', 'resolved', ...nats());
  expect(json.stderr).toMatch(
    new RegExp(
      `^more: junction dlq list --status resolved --limit 3 --format json --nats ${h.nats.url} --after \\d+\n$`,
    ),
  );
  expect((JSON.parse(json.stdout) as DeadLetter[]).map((e) => [e.id, e.status])).toEqual(
    [written[9], written[19], written[29]].map((id) => [id, 'resolved']),
  );
  // --format json, as status, trace and alert list take it: the same array and next-page line (--json is its alias).
  expect(await junction('dlq', 'list', '--format', 'json', '--limit', '3', '--status', 'resolved', ...nats())).toEqual({
    ...json,
    code: 0,
  });
  expect(await junction('dlq', 'list', '--after', 'x1', ...nats())).toMatchObject({
    code: 2,
    stderr: 'junction: --after "x1" is not a cursor: give the number a page printed\n',
  });
  expect(await junction('dlq', 'list', '--limit', '0', ...nats())).toMatchObject({ code: 2 });

  // Over the operator API the same, oldest first by creation time (here all the same: then by id).
  const overApi: string[] = [];
  args = ['dlq', 'list', '--limit', '900', '--url', h.engine.operatorUrl!];
  for (let next: string | undefined; ; args = next.split(' ')) {
    const page = await junction(...args);
    overApi.push(...idsOf(page.stdout));
    next = /; more: junction (.+)\n$/.exec(page.stderr)?.[1];
    if (!next || overApi.length > ENTRIES) break;
  }
  expect(overApi).toEqual([...written].sort());
  const refused = await fetch(`${h.engine.operatorUrl}/api/dlq?order=sideways`);
  expect([refused.status, ((await refused.json()) as { message: string }).message]).toEqual([
    400,
    'limit must be 1..500, cursor a "next" from a previous page and order newest or oldest',
  ]);
});

it('replays every open entry a batch at a time, with progress, a summary of what was refused, and resumes', async () => {
  // Paused: every entry is refused, each named on stdout, and the summary counts them by reason.
  expect((await junction('pause', 'orders', '--reason', 'paging test', ...nats())).code).toBe(0);
  const paused = await junction('dlq', 'replay', '--all', ...nats());
  expect(paused.code).toBe(1);
  expect(idsOf(paused.stdout)).toEqual(open);
  expect(paused.stdout.split('\n').filter((l) => l.endsWith(')') && l.includes('  integration-paused (')).length).toBe(
    open.length,
  );
  const progress = paused.stderr.split('\n').filter(Boolean);
  // A progress line after each batch of 100 (the last one's too: its page could not tell it was the last), then the
  // summary.
  expect(progress).toHaveLength(open.length / 100 + 1);
  progress
    .slice(0, -1)
    .forEach((line, i) =>
      expect(line).toMatch(
        new RegExp(
          `^${(i + 1) * 100} done \\(0 replayed, ${(i + 1) * 100} not\\); if stopped, go on with: ` +
            'junction dlq replay --all --after \\d+$',
        ),
      ),
    );
  expect(progress.at(-1)).toBe(
    `${open.length} open dead letters: 0 replayed, ${open.length} not replayed (1800 integration-paused)`,
  );
  expect((await junction('resume', 'orders', ...nats())).code).toBe(0);

  // Stopped after its fifth batch: going on from the cursor printed there replays the rest only.
  const cursor = /--after (\d+)$/.exec(progress[4])![1];
  const rest = await junction('dlq', 'replay', '--all', '--after', cursor, ...nats());
  expect(rest.code).toBe(0);
  expect(idsOf(rest.stdout)).toEqual(open.slice(500));
  expect(rest.stdout.split('\n').filter((l) => l && !/^\S+ {2}replayed \(stream seq \d+\)$/.test(l))).toEqual([]);
  expect(rest.stderr.split('\n').filter(Boolean).at(-1)).toBe('1300 open dead letters: 1300 replayed, 0 not replayed');
  expect((await h.engine.deadLetters.get(open[499]))!.entry.status).toBe('open');

  // Run again from the start: what is still open (the first 500) and nothing else.
  const again = await junction('dlq', 'replay', '--all', ...nats());
  expect(idsOf(again.stdout)).toEqual(open.slice(0, 500));
  expect(again.stderr.split('\n').filter(Boolean).at(-1)).toBe('500 open dead letters: 500 replayed, 0 not replayed');

  await waitFor(
    () => h.target.records.size === open.length,
    () => `${h.target.records.size} delivered`,
    180_000,
  );
  await expectDrained(h.nats.url, 60_000);
  expect((await junction('dlq', 'list', '--status', 'open', ...nats())).stderr).toBe('0 dead letters\n');
  expect(
    JSON.parse((await junction('dlq', 'list', '--status', 'replayed', '--limit', '10000', '--json', ...nats())).stdout)
      .length,
  ).toBe(open.length);
}, 600_000);

it('purges every entry, a page at a time, and names each in the audit entry', async () => {
  const purged = await junction(
    'dlq',
    'purge',
    '--integration',
    'orders',
    '--reason',
    'paging test',
    '--yes',
    ...nats(),
  );
  expect([purged.code, purged.stderr]).toEqual([0, `${ENTRIES} dead letters purged\n`]);
  expect([...idsOf(purged.stdout)].sort()).toEqual([...written].sort());
  expect((await junction('dlq', 'list', ...nats())).stderr).toBe('0 dead letters\n');
});
