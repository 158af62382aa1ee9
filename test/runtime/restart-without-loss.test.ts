/**
 * Restart without loss: a real `junction run` child process consumes a Magento poll source and a Salesforce Change
 * Data Capture stream (real nats-server, emulators on loopback); it is SIGKILLed while both are mid-flight, more
 * records change while it is down, and a new process resumes from the stored cursor and replay id. Every record
 * reaches the target exactly once by the target's records (idempotent PUTs by id), with the latest values.
 */
import { afterEach, expect, it } from 'vitest';
import { waitWhileRunning } from './helpers/runtime-harness.js';
import { startVendorProcesses } from './helpers/vendor-processes.js';
import type { VendorProcesses } from './helpers/vendor-processes.js';

let v: VendorProcesses | undefined;
afterEach(async () => {
  await v?.dispose();
  v = undefined;
});

it('SIGKILL mid-flight, restart: every polled and streamed record reaches the target exactly once', async () => {
  v = await startVendorProcesses();
  const { target, sf, order, account, stored } = v;
  // A slow target keeps events in flight when the process dies.
  target.fail({ delayMs: 40, times: 1_000_000 });
  for (let n = 0; n < 30; n++) {
    order(4000 + n, 'processing');
    account(n);
  }
  // The killed process's source leases would hold the new one back for their TTL, and its unacked events wait out the
  // ack wait (30 s by default) before the broker delivers them again: keep both short.
  const run = () => v!.run('--source-lease', '1s', '--ack-wait', '2s');
  const first = run();
  await waitWhileRunning(
    first.child,
    () => stored('orders').size >= 8 && stored('accounts').size >= 8,
    () => `both sources mid-flight (${first.stderr()})`,
  );
  first.child.kill('SIGKILL');
  await first.exit;
  const delivered = { orders: stored('orders').size, accounts: stored('accounts').size };
  // While it is down: new records, and changes to ones already delivered.
  for (let n = 30; n < 40; n++) {
    order(4000 + n, 'processing');
    account(n);
  }
  for (let n = 0; n < 5; n++) order(4000 + n, 'complete');

  const second = run();
  await waitWhileRunning(
    second.child,
    () =>
      stored('orders').size === 40 &&
      stored('accounts').size === 40 &&
      [...stored('orders').values()].filter((o) => o.status === 'complete').length === 5,
    () => `all records after the restart (${second.stderr()})`,
  );
  expect(delivered.orders).toBeLessThan(40);
  expect(delivered.accounts).toBeLessThan(40);
  const orders = [...stored('orders').values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  expect(orders.map((o) => o.id)).toEqual(Array.from({ length: 40 }, (_, n) => String(4000 + n)));
  expect(orders.map((o) => o.status)).toEqual([...Array(5).fill('complete'), ...Array(35).fill('processing')]);
  const names = [...stored('accounts').values()].map((a) => a.name).sort();
  expect(names).toEqual(Array.from({ length: 40 }, (_, n) => `Restart ${n}`).sort());
  const ids = new Set(
    sf
      .records('Account')
      .filter((a) => String(a.Name).startsWith('Restart'))
      .map((a) => a.Id),
  );
  expect(new Set(stored('accounts').keys())).toEqual(ids);
  // Figures, not assertions: how many writes the kill made the engine repeat (idempotent PUTs by id).
  const puts = target.requests.filter((r) => r.method === 'PUT').length;
  process.stdout.write(`restart-without-loss: ${puts} PUTs for 85 changes (${puts - 85} repeated after the kill)\n`);
}, 240_000);
