/**
 * A machine without nats-server: `junction run` and `junction demo` (which embed one when no --nats is given) stop with
 * the message that says how to install it and exit 1, instead of a stack trace. The embedded start is replaced by
 * one that finds no binary, since this machine has nats-server installed; everything else is the real command.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { NatsServerNotFoundError } from '../../engine/runtime/broker/nats-server-process.js';
import { junction } from '../ops/cli-in-process.js';

vi.mock('../../engine/runtime/broker/embedded-nats.js', async (original) => {
  const { NatsServerNotFoundError: NotFound } = await import('../../engine/runtime/broker/nats-server-process.js');
  return {
    ...(await original<object>()),
    startEmbeddedNats: () => Promise.reject(new NotFound()),
  };
});

let cwd: string;
const start = process.cwd();
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'junction-no-nats-server-'));
  process.chdir(cwd);
});
afterAll(async () => {
  process.chdir(start);
  await rm(cwd, { recursive: true, force: true });
});

const expected = { code: 1, stdout: '', stderr: `junction: ${new NatsServerNotFoundError().message}\n` };

it('junction run says how to install nats-server', async () => {
  vi.stubEnv('JUNCTION_NATS_URL', '');
  const specs = join(start, 'specs/service-app-salesforce');
  const allow = ['--allow-secret', 'SERVICE_APP_*', '--allow-secret', 'SALESFORCE_*'];
  expect(await junction('run', specs, ...allow, '--port', '0', '--operator-port', '0')).toEqual(expected);
}, 60_000);

it('junction demo says how to install nats-server, after stopping the emulators it started', async () => {
  vi.stubEnv('JUNCTION_NATS_URL', '');
  expect(await junction('demo', '--port', '0', '--for', '5')).toEqual(expected);
}, 60_000);
