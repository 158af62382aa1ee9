/**
 * The metrics relay of `junction run --workers`, in a real node:cluster primary with two real workers: a worker that
 * exits when asked for its metrics (it crashed mid-scrape) is not waited for, so the asking worker gets every live
 * worker's metrics at once. The relay waited for it until its collect timeout (3 s in `junction run`), and a scrape
 * or `/api/status` read during a worker's crash took that long.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { JUNCTION_ARGS } from '../cli/run-cli.js';
import { waitFor } from './helpers/runtime-harness.js';

it('answers without the worker that exited mid-collection, with the metrics of the live ones', async () => {
  const main = fileURLToPath(new URL('./helpers/metrics-relay-main.ts', import.meta.url));
  const primary = spawn(process.execPath, [...JUNCTION_ARGS.slice(0, 2), main], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  primary.stdout.on('data', (d) => (stdout += d));
  primary.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => primary.on('close', resolve));
  try {
    // The relay and the read wait 10 minutes: only a relay that stops waiting for the exited worker answers here.
    await waitFor(
      () => stdout.includes('\n'),
      () => `the relay's answer (stderr: ${stderr})`,
      60_000,
    );
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ name: 'relay_test_total', values: [expect.objectContaining({ value: 5 })] }),
    ]);
  } finally {
    primary.kill();
    await exited;
  }
}, 90_000);
