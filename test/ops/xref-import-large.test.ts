/**
 * `junction xref import` of a large file streams it: a million links (over 100 MiB) are checked line by line, a bad
 * line at the very end stops the import at its line:col before the cluster is asked anything, and a write that
 * fails half-way says how far the import got and where it stopped. The import's peak memory is printed, not
 * asserted (it depends on the machine).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Kvm } from '@nats-io/kv';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { auditTrail, junction } from './cli-in-process.js';

const LINKS = 1_000_000;
let server: TestNatsServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
  server = dir = undefined;
});

/** A customer export of the old middleware: ids and the columns an import ignores, about 120 bytes a row. */
async function writeLinks(file: string, lastRow: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('magento_id,ff_account,name,email,street\n');
  let chunk = '';
  for (let i = 1; i < LINKS; i++) {
    const id = String(i).padStart(7, '0');
    chunk += `${i},001A00000${id},Customer ${id} of the old shop,customer.${id}@example.com,"${i} Long Street, Springfield"\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk + lastRow + '\n');
  await once(out, 'finish');
}

/** `junction xref import` in a process of its own, and its peak resident memory (GNU time's %M, in KiB). */
function importInChild(args: string[]): { run: { code: number | null; stdout: string; stderr: string }; peak: string } {
  const peakFile = join(dir!, 'peak-rss');
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      '-o',
      peakFile,
      process.execPath,
      '--import',
      'tsx',
      'engine/cli/junction.ts',
      'xref',
      'import',
    ].concat(args),
    { encoding: 'utf8' },
  );
  const peak = `${Math.round(Number(readFileSync(peakFile, 'utf8').trim().split('\n').at(-1)) / 1024)} MiB`;
  return { run: { code: run.status, stdout: run.stdout, stderr: run.stderr }, peak };
}

it('checks a million links line by line and stops at a bad last line, before the cluster is asked', async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-xref-large-'));
  const file = join(dir, 'customers.csv');
  // The last of a million rows has no FinancialForce account: nothing may be written.
  await writeLinks(file, `${LINKS},,Customer without an account,last@example.com,1 Short Street`);
  const columns = ['--source-column', 'magento_id', '--target-column', 'ff_account'];
  // No broker listens there: the import must not get as far as asking one.
  const { run, peak } = importInChild(['customer', file, ...columns, '--nats', 'nats://127.0.0.1:1']);
  const size = (statSync(file).size / 2 ** 20).toFixed(0);
  console.log(`xref import: ${LINKS} links, ${size} MiB, checked and refused at the last line; peak RSS ${peak}`);
  expect(run).toEqual({
    code: 2,
    stdout: '',
    stderr: `junction: ${file}:${LINKS + 1}:9: empty ff_account; nothing was imported\n`,
  });
}, 300_000);

it('a write that fails says what was imported, what writes under way may have stored, and audits it', async () => {
  server = await startTestNatsServer();
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  // A bucket that takes messages of at most 100 bytes (a put's value and headers): line 5's is refused by the broker.
  await new Kvm(jetstream(nc)).create(BUCKET_NAMES.xref, { maxValueSize: 100 });
  await nc.close();
  dir = await mkdtemp(join(tmpdir(), 'junction-xref-stop-'));
  const file = join(dir, 'links.csv');
  await writeFile(
    file,
    `source_id,target_id\n1,001A1\n2,001A2\n1,001A1\n3,001A3-${'x'.repeat(120)}\n4,001A4\n5,001A5\n6,001A6\n`,
  );
  const stored = async () => (await junction('xref', 'export', 'customer', '--nats', server!.url)).stdout;
  // One link at a time: nothing after the refused line was started.
  expect(await junction('xref', 'import', 'customer', file, '--concurrency', '1', '--nats', server.url)).toEqual({
    code: 1,
    stdout: '',
    stderr:
      `junction: the import stopped at ${file}:5 (message size exceeds maximum allowed): it was imported up to ` +
      'line 4 (created 2, changed 0, unchanged 0, conflicts 0), nothing from line 5 on. Import the file again to ' +
      'finish: the links already stored count as unchanged\n',
  });
  expect(await stored()).toBe('source_id,target_id\n1,001A1\n2,001A2\n');
  // Two at a time: when line 5's refusal is seen, line 6's write is under way (it is stored); lines 7 and 8 are never
  // started. Lines 2 and 3 are already stored: unchanged.
  expect(await junction('xref', 'import', 'customer', file, '--concurrency', '2', '--nats', server.url)).toEqual({
    code: 1,
    stdout: '',
    stderr:
      `junction: the import stopped at ${file}:5 (message size exceeds maximum allowed): it was imported up to ` +
      'line 4, and the links after it up to line 6 were being written and may be stored too (created 1, changed 0, ' +
      'unchanged 2, conflicts 0 in all), nothing after line 6. Import the file again to finish: the links already ' +
      'stored count as unchanged\n',
  });
  expect(await stored()).toBe('source_id,target_id\n1,001A1\n2,001A2\n4,001A4\n');
  expect((await auditTrail(server.url)).map((e) => e.detail)).toEqual([
    {
      file,
      stoppedAtLine: 5,
      created: 2,
      changed: 0,
      unchanged: 0,
      conflicts: 0,
      links: [
        ['1', '001A1'],
        ['2', '001A2'],
      ],
    },
    {
      file,
      stoppedAtLine: 5,
      inFlightThroughLine: 6,
      created: 1,
      changed: 0,
      unchanged: 2,
      conflicts: 0,
      links: [['4', '001A4']],
    },
  ]);
});

it('writes many links at a time and audits the first 1000 of the file, in its order', async () => {
  server = await startTestNatsServer();
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  await new Kvm(jetstream(nc)).create(BUCKET_NAMES.xref);
  await nc.close();
  dir = await mkdtemp(join(tmpdir(), 'junction-xref-many-'));
  const file = join(dir, 'links.csv');
  const ids = Array.from({ length: 1500 }, (_, i) => String(i + 1));
  await writeFile(file, ['source_id,target_id', ...ids.map((id) => `${id},001A${id}`)].join('\n') + '\n');
  expect(await junction('xref', 'import', 'customer', file, '--nats', server.url)).toEqual({
    code: 0,
    stdout: 'created 1500, changed 0, unchanged 0, conflicts 0\n',
    stderr: '',
  });
  expect((await junction('xref', 'export', 'customer', '--nats', server.url)).stdout).toBe(
    ['source_id,target_id', ...ids.map((id) => `${id},001A${id}`)].join('\n') + '\n',
  );
  expect((await auditTrail(server.url)).map((e) => e.detail)).toEqual([
    {
      file,
      created: 1500,
      changed: 0,
      unchanged: 0,
      conflicts: 0,
      links: ids.slice(0, 1000).map((id) => [id, `001A${id}`]),
      linksOmitted: 500,
    },
  ]);
});
