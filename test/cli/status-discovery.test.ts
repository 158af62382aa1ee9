/**
 * `junction status` without `--url` finds the running engine: each engine keeps its operator URL in the control KV
 * bucket while it runs. One engine is asked; several are listed (the CLI does not pick one); `--url` still wins;
 * none found says where the CLI looked and what to pass. Real engines and nats-server, the real command.
 */
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { callOperator } from '../../engine/cli/operator/operator-client.js';
import { UnreachableError } from '../../engine/cli/unreachable-error.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { readOperatorAddresses } from '../../engine/runtime/operator/operator-address.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { junction } from '../ops/cli-in-process.js';
import { startRuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { startTestNatsServer } from '../helpers/nats-server.js';

let h: RuntimeHarness;
const saved = { nats: process.env.JUNCTION_NATS_URL, url: process.env.JUNCTION_URL };
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
}, 60_000);
afterAll(() => h?.dispose());
afterEach(() => {
  for (const [name, value] of [
    ['JUNCTION_NATS_URL', saved.nats],
    ['JUNCTION_URL', saved.url],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

/** The CLI as an operator runs it on the engines' machine: NATS known, no operator URL given. */
function onNats(url: string): void {
  process.env.JUNCTION_NATS_URL = url;
  delete process.env.JUNCTION_URL;
}

async function engineId(engine: Engine): Promise<string> {
  return ((await engine.status()) as { engine: string }).engine;
}

function line(engine: Engine, id: string, pid = process.pid): string {
  return `${engine.operatorUrl}  engine ${id} (host ${hostname()}, pid ${pid}, started `;
}

it('publishes the operator URL, and status finds the engine there, on its random port', async () => {
  const id = await engineId(h.engine);
  // What the bucket holds: where to go and how to sign in, no secret.
  const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  try {
    const control = await new Kvm(jetstream(nc)).open(BUCKET_NAMES.control, { bindOnly: true });
    const entry = await control.get(`operators.${id}`);
    expect(entry?.json()).toEqual({
      engine: id,
      url: h.engine.operatorUrl,
      host: hostname(),
      pid: process.pid,
      started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      auth: 'none',
    });
    // An address its engine stopped rewriting (a SIGKILL) is dropped once a minute old (by the broker's time).
    expect((await readOperatorAddresses(control)).map((a) => a.engine)).toEqual([id]);
    expect(await readOperatorAddresses(control, entry!.created.getTime() + 61_000)).toEqual([]);
  } finally {
    await nc.close();
  }

  onNats(h.nats.url);
  const status = await junction('status');
  expect(status.stderr).toBe('');
  expect(status.code).toBe(0);
  expect(status.stdout.split('\n')[0]).toMatch(new RegExp(`^engine {10}${id}  counts since `));
  const listed = await junction('status', '--engines');
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(new RegExp(`^${escape(line(h.engine, id))}\\S+\\)\\n$`));
});

it('lists several engines instead of picking one; --url picks; a stopped engine is gone from the list', async () => {
  const second = await h.startEngine();
  const [first, other] = [await engineId(h.engine), await engineId(second)];
  onNats(h.nats.url);
  const several = await junction('status');
  expect(several.code).toBe(2);
  expect(several.stdout).toBe('');
  const [head, ...rows] = several.stderr.trimEnd().split('\n');
  expect(head).toBe(
    `junction: 2 engines are running (NATS ${h.nats.url}); pass --url <operator URL> or set JUNCTION_URL for the ` +
      'one to ask (each counts its own events; spec sync is the same for all):',
  );
  for (const [engine, engineIdOf] of [
    [h.engine, first],
    [second, other],
  ] as const)
    expect(rows.filter((r) => new RegExp(`^  ${escape(line(engine, engineIdOf))}\\S+\\)$`).test(r))).toHaveLength(1);
  expect(rows).toHaveLength(2);

  const picked = await junction('status', '--url', second.operatorUrl!);
  expect(picked.code).toBe(0);
  expect(picked.stdout.split('\n')[0]).toMatch(new RegExp(`^engine {10}${other} `));

  await second.stop();
  // An engine killed outright leaves its address behind for a minute: nothing answers there, so it is not listed.
  const dead = await closedPort();
  await writeAddress(h.nats.url, 'dead_1-abcdef', `http://127.0.0.1:${dead}`);
  const after = await junction('status');
  expect(after.code).toBe(0);
  expect(after.stdout.split('\n')[0]).toMatch(new RegExp(`^engine {10}${first} `));
});

it('says where it looked when no engine runs on the NATS, and what to pass', async () => {
  const empty = await startTestNatsServer();
  try {
    onNats(empty.url);
    expect(await junction('status', '--engines')).toEqual({
      code: 1,
      stdout: '',
      stderr: `junction: no running engine found: no engine published its operator URL on NATS at ${empty.url}\n`,
    });
    const dead = await closedPort();
    await writeAddress(empty.url, 'dead_2-abcdef', `http://127.0.0.1:${dead}`);
    expect(await junction('status', '--engines')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `junction: no running engine found: no engine on NATS at ${empty.url} answers (dead_2-abcdef at ` +
        `http://127.0.0.1:${dead}: stopped without removing the address, which is dropped a minute after its last ` +
        'refresh)\n',
    });
  } finally {
    await empty.dispose();
  }
  // Then the default URL is tried; where nothing answers either, the message says both and the fixes.
  const closed = await closedPort();
  const call = callOperator(
    { url: `http://127.0.0.1:${closed}`, notFound: `no engine published its operator URL on NATS at nats://x:4222` },
    'GET',
    '/api/status',
  );
  // Nothing answering is a runtime failure (exit 1, as NATS unreachable), not bad usage (2).
  await expect(call).rejects.toBeInstanceOf(UnreachableError);
  await expect(call).rejects.toThrow(
    `no running engine found: no engine published its operator URL on NATS at nats://x:4222, and nothing answers ` +
      `at http://127.0.0.1:${closed}, the default operator URL (ECONNREFUSED). Start one with \`junction run\`, or ` +
      'pass --url <operator URL> or set JUNCTION_URL (an engine prints it as it starts: "dashboard at http://…/"); ' +
      '`junction status --nats <url>` reads spec sync without an engine',
  );
});

it('finds the engine whatever the clock of the machine the CLI runs on says: ages are by the broker', async () => {
  const id = await engineId(h.engine);
  onNats(h.nats.url);
  const real = Date.now.bind(Date);
  for (const skewMs of [2 * 3_600_000, -2 * 3_600_000]) {
    // Only the CLI's wall clock is off (the engine's writes carry the broker's timestamps).
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => real() + skewMs);
    try {
      const listed = await junction('status', '--engines');
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      expect(listed.stdout).toMatch(new RegExp(`^${escape(line(h.engine, id))}\\S+\\)\\n$`));
    } finally {
      clock.mockRestore();
    }
  }
});

/** Writes an address as an engine would, for an engine that is gone (no process answers at `url`). */
async function writeAddress(natsUrl: string, engine: string, url: string): Promise<void> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const control = await new Kvm(jetstream(nc)).create(BUCKET_NAMES.control, { history: 1 });
    const address = { engine, url, host: hostname(), pid: 1, started_at: new Date().toISOString(), auth: 'none' };
    await control.put(`operators.${engine}`, JSON.stringify(address));
  } finally {
    await nc.close();
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
