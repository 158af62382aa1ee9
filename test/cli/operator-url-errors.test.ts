/**
 * The operator commands pointed at the wrong place: the webhook port instead of the operator port, a URL without its
 * scheme, a port nothing listens on. Each is a usage error (exit 2) that says what is wrong and what to pass, never a
 * stack trace or an answer misread as "no such dead letter". Real engine and nats-server, the real commands.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { junction } from '../ops/cli-in-process.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

let h: RuntimeHarness;
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  h.target.fault = () => ({ respond: { status: 422 } });
  expect((await h.post('orders', { id: 1, seq: 1, status: 'new' })).status).toBe(202);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered', 30_000);
}, 60_000);
afterAll(() => h?.dispose());

const notOperator = (url: string, request: string) =>
  `junction: ${url} is not a Junction operator listener: ${request} answered 404 (no route ${request}); pass the ` +
  'operator URL (junction run --operator-port, 8081 by default), not the webhook port\n';

it('the webhook port given as --url: status and dlq say so, with the port to use', async () => {
  const hooks = h.engine.url!;
  expect(await junction('status', '--url', hooks)).toEqual({
    code: 2,
    stdout: '',
    stderr: notOperator(hooks, 'GET /api/status'),
  });
  expect(await junction('dlq', 'list', '--url', hooks)).toEqual({
    code: 2,
    stdout: '',
    stderr: notOperator(hooks, 'GET /api/dlq'),
  });
  // Not "not-found": the dead letter exists, the URL is wrong.
  const [entry] = await h.engine.deadLetters.list();
  const shown = await junction('dlq', 'show', entry.id, '--url', hooks);
  expect(shown).toEqual({ code: 2, stdout: '', stderr: notOperator(hooks, `GET /api/dlq/${entry.id}`) });
  const replayed = await junction('dlq', 'replay', entry.id, '--url', hooks);
  expect(replayed.code).toBe(1);
  expect(replayed.stdout).toBe(
    `${entry.id}  failed (${notOperator(hooks, `POST /api/dlq/${entry.id}/replay`).slice('junction: '.length, -1)})\n`,
  );
  // The operator URL still tells a missing dead letter from a wrong URL.
  const operator = h.engine.operatorUrl!;
  expect((await junction('dlq', 'show', entry.id, '--url', operator)).code).toBe(0);
  expect(await junction('dlq', 'show', 'nope', '--url', operator)).toMatchObject({
    code: 2,
    stderr: 'junction: no dead letter nope\n',
  });
});

it('a URL without its scheme is a usage error (exit 2); one where nothing listens a runtime failure (exit 1, as NATS unreachable); both name the URL and what to fix', async () => {
  const port = new URL(h.engine.operatorUrl!).port;
  expect(await junction('status', '--url', `127.0.0.1:${port}`)).toEqual({
    code: 2,
    stdout: '',
    stderr: `junction: --url must be an http:// or https:// URL such as http://127.0.0.1:8081, got "127.0.0.1:${port}"\n`,
  });
  const nothing = `http://127.0.0.1:${await closedPort()}`;
  expect(await junction('status', '--url', nothing)).toEqual({
    code: 1,
    stdout: '',
    stderr:
      `junction: no engine answered at ${nothing} (ECONNREFUSED): is it running, and is this its operator URL ` +
      '(junction run --operator-port, 8081 by default)?\n',
  });
});

it('an HTTP URL given as --nats (the operator URL, say) says what a NATS URL looks like', async () => {
  const operator = h.engine.operatorUrl!;
  const said =
    `junction: cannot connect to NATS at ${operator}: ${operator} is an HTTP URL; a NATS URL looks like ` +
    "nats://127.0.0.1:4222 (an engine's operator URL goes to --url)\n";
  expect(await junction('dlq', 'list', '--nats', operator)).toEqual({ code: 2, stdout: '', stderr: said });
  expect(await junction('trace', 'orders', '1', '--nats', operator)).toEqual({ code: 2, stdout: '', stderr: said });
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
