/**
 * NATS down (nothing listens at the URL): every dlq subcommand, and the operator commands that connect the same way,
 * exit 1 with `cannot connect to NATS at <url>`: the command was right, the cluster did not answer. Exit 2 stays for
 * bad usage (an HTTP URL given as --nats: test/cli/operator-url-errors.test.ts).
 */
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { junction } from '../ops/cli-in-process.js';

const ID = 'orders-1a2b';

it('every dlq subcommand, pause and trace exit 1 when NATS does not answer, saying where they tried', async () => {
  const nats = `nats://127.0.0.1:${await closedPort()}`;
  const commands = [
    ['dlq', 'list'],
    ['dlq', 'show', ID],
    ['dlq', 'replay', ID],
    ['dlq', 'replay', '--all'],
    ['dlq', 'resolve', ID, '--reason', 'fixed by hand'],
    ['dlq', 'discard', ID, '--reason', 'test data'],
    ['dlq', 'purge', '--integration', 'orders', '--reason', 'test data', '--yes'],
    ['pause', 'orders', '--reason', 'maintenance'],
    ['trace', 'orders', '1'],
  ];
  for (const args of commands) {
    const run = await junction(...args, '--nats', nats);
    expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 1, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^junction: cannot connect to NATS at ${nats}: .+\\n$`));
  }
});

/** A loopback port nothing listens on (one just freed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
