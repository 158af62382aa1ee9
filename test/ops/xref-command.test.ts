/**
 * `junction xref` against a real broker and a running engine: a link set by an operator is what the next event's
 * `$xref` reads; CSV import stops at a line it cannot trust before writing anything and never replaces a different
 * link silently; export round-trips; every change is in the audit trail.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { auditTrail, junction } from './cli-in-process.js';

let h: RuntimeHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = dir = undefined;
});

// As `junction dlq` and docs/operator-access.md say: the local user at this host.
const actor = { kind: 'cli', id: `${userInfo().username}@${hostname()}` };

it('set, get, list and delete a link; the engine reads it at once; every change is audited', async () => {
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({ body: '{ "key": $string(id), "account": $xref("customer", $string(customer)) }' }),
    ],
  });
  const nats = ['--nats', h.nats.url];
  expect(
    await junction('xref', 'set', 'customer', '42', '001A000000000042', '--reason', 'go-live seed', ...nats),
  ).toEqual({
    code: 0,
    stdout: 'customer 42 -> 001A000000000042\n',
    stderr: '',
  });
  expect((await junction('xref', 'get', 'customer', '42', ...nats)).stdout).toBe('001A000000000042\n');
  expect(await junction('xref', 'get', 'customer', '43', ...nats)).toMatchObject({
    code: 1,
    stderr: 'no customer cross-reference for 43\n',
  });

  await h.post('orders', { id: 1, seq: 1, customer: 42 });
  await waitFor(() => h!.target.records.has('1'), 'order 1 delivered');
  expect(h.target.records.get('1')).toEqual({ key: '1', account: '001A000000000042' });

  expect((await junction('xref', 'set', 'customer', '42', '001A000000000099', ...nats)).stdout).toBe(
    'customer 42 -> 001A000000000099 (was 001A000000000042)\n',
  );
  await junction('xref', 'set', 'invoice', 'a,b', 'x"y', ...nats);
  expect((await junction('xref', 'list', ...nats)).stdout).toBe(
    'customer  42   001A000000000099\ninvoice   a,b  x"y\n',
  );
  expect((await junction('xref', 'export', '--format', 'csv', ...nats)).stdout).toBe(
    'map,source_id,target_id\ncustomer,42,001A000000000099\ninvoice,"a,b","x""y"\n',
  );
  expect((await junction('xref', 'delete', 'customer', '42', '--reason', 'wrong account', ...nats)).stdout).toBe(
    'customer 42 deleted (was 001A000000000099)\n',
  );
  await h.post('orders', { id: 2, seq: 1, customer: 42 });
  await waitFor(() => h!.target.records.has('2'), 'order 2 delivered');
  expect(h.target.records.get('2')).toEqual({ key: '2' });
  await expectDrained(h.nats.url);

  expect(await auditTrail(h.nats.url)).toEqual([
    {
      actor,
      action: 'xref.set',
      target: 'customer/42',
      result: 'ok',
      reason: 'go-live seed',
      detail: { map: 'customer', sourceId: '42', targetId: '001A000000000042' },
    },
    {
      actor,
      action: 'xref.set',
      target: 'customer/42',
      result: 'ok',
      detail: { map: 'customer', sourceId: '42', targetId: '001A000000000099', previous: '001A000000000042' },
    },
    {
      actor,
      action: 'xref.set',
      target: 'invoice/a,b',
      result: 'ok',
      detail: { map: 'invoice', sourceId: 'a,b', targetId: 'x"y' },
    },
    {
      actor,
      action: 'xref.delete',
      target: 'customer/42',
      result: 'ok',
      reason: 'wrong account',
      detail: { map: 'customer', sourceId: '42', previous: '001A000000000099' },
    },
  ]);
});

it('imports an existing mapping from CSV: a bad line stops it before any write; reports conflicts, dry-runs', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const nats = ['--nats', h.nats.url];
  dir = await mkdtemp(join(tmpdir(), 'junction-xref-'));
  const file = join(dir, 'accounts.csv');
  const rows = [
    '\uFEFFmagento_id,ff_account,name',
    '1,001A1,Ada',
    '2,001A2,Grace',
    '3,,Alan',
    '4,001A4,Edsger',
    '4,001A5,Edsger again',
    '5,001A6,"Barbara, L."',
    '1,001A1,Ada again',
  ];
  const save = () => writeFile(file, rows.join('\r\n') + '\r\n');
  await save();
  await junction('xref', 'set', 'customer', '2', '001A-OLD', ...nats);
  const columns = ['--source-column', 'magento_id', '--target-column', 'ff_account'];
  const imported = (...args: string[]) => junction('xref', 'import', 'customer', file, ...columns, ...args, ...nats);
  expect(await imported()).toEqual({
    code: 2,
    stdout: '',
    stderr: `junction: ${file}:4:3: empty ff_account; nothing was imported\n`,
  });
  rows[3] = '3,001A3,Alan';
  await save();
  expect(await imported('--overwrite')).toEqual({
    code: 2,
    stdout: '',
    stderr: `junction: ${file}:6:3: 4 maps to 001A5 here and to 001A4 on line 5; nothing was imported\n`,
  });
  expect((await junction('xref', 'list', 'customer', ...nats)).stdout).toBe('customer  2  001A-OLD\n');

  rows.splice(5, 1);
  await save();
  expect(await imported('--dry-run')).toEqual({
    code: 1,
    stdout: [
      'conflict  customer 2: stored 001A-OLD, not 001A2 (--overwrite replaces it)',
      'dry run, nothing written: would have created 4, changed 0, unchanged 0, conflicts 1',
      '',
    ].join('\n'),
    stderr: '',
  });
  expect((await junction('xref', 'list', 'customer', ...nats)).stdout).toBe('customer  2  001A-OLD\n');

  expect(await imported('--concurrency', '0')).toEqual({
    code: 2,
    stdout: '',
    stderr: 'junction: --concurrency must be a whole number from 1 to 1024, got "0"\n',
  });
  expect(await junction('xref', 'import', 'customer', file, ...nats)).toEqual({
    code: 2,
    stdout: '',
    stderr: `junction: ${file}:1:1: no column "source_id" or "target_id" in the header (magento_id, ff_account, name); name them with --source-column and --target-column; nothing was imported\n`,
  });

  // Line 8 repeats line 2's link: written once.
  expect(await imported('--overwrite')).toEqual({
    code: 0,
    stdout: 'changed   customer 2: 001A-OLD -> 001A2\ncreated 4, changed 1, unchanged 0, conflicts 0\n',
    stderr: '',
  });
  expect((await junction('xref', 'export', 'customer', '--format', 'json', ...nats)).stdout).toBe(
    JSON.stringify(
      [
        { map: 'customer', sourceId: '1', targetId: '001A1' },
        { map: 'customer', sourceId: '2', targetId: '001A2' },
        { map: 'customer', sourceId: '3', targetId: '001A3' },
        { map: 'customer', sourceId: '4', targetId: '001A4' },
        { map: 'customer', sourceId: '5', targetId: '001A6' },
      ],
      null,
      2,
    ) + '\n',
  );
  const trail = await auditTrail(h.nats.url);
  expect(trail.at(-1)).toEqual({
    actor,
    action: 'xref.import',
    target: 'customer',
    result: 'ok',
    detail: {
      file,
      created: 4,
      changed: 1,
      unchanged: 0,
      conflicts: 0,
      links: [
        ['1', '001A1'],
        ['2', '001A2', '001A-OLD'],
        ['3', '001A3'],
        ['4', '001A4'],
        ['5', '001A6'],
      ],
    },
  });
});
