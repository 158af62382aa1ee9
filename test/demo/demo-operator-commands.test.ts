/**
 * The demo tells a new operator how to point the operator CLI at it: its embedded nats-server refuses a client without
 * the credentials in the demo's `.junction/nats.json`, so the printed NATS URL alone gave `Authorization Violation`.
 * The command it prints works as printed: `junction dlq list` run in that directory lists the demo's dead letters.
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { JUNCTION_ARGS, runCli } from '../cli/run-cli.js';

it('prints a cd and the operator commands, and `junction dlq list` run there reads the demo', async () => {
  const demo = spawn(process.execPath, [...JUNCTION_ARGS, 'demo', '--for', '60', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const exited = new Promise<number | null>((resolve) => demo.on('exit', resolve));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      demo.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
        const found = /^operator commands: .*$/m.exec(stdout);
        if (found) resolve(found[0]);
      });
      void exited.then((code) => reject(new Error(`the demo exited (${code}) before its banner:\n${stdout}`)));
    });
    const printed =
      /^operator commands: cd (\S+) && npx junction dlq list \(or trace, pause, alert list: they find this demo's NATS there\); npx junction status --url (http:\/\/127\.0\.0\.1:\d+)$/.exec(
        line,
      );
    expect(printed, line).not.toBeNull();
    const list = await runCli(['dlq', 'list'], { cwd: printed![1] });
    expect(list.code).toBe(0);
    expect(list.stderr).toMatch(/^\d+ dead letters?\n$/);
    const status = await runCli(['status', '--url', printed![2]!]);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^integration +magento-orders-to-ff-invoices /m);
  } finally {
    demo.kill('SIGINT');
    await exited;
  }
}, 150_000);
