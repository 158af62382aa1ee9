/**
 * #16: the embedded nats-server starts with a larger GOGC (less of its CPU per event in garbage collection), unless
 * the user set GOGC or GOMEMLIMIT themselves: then the server gets exactly the user's environment.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { startEmbeddedNats } from '../../engine/runtime/broker/embedded-nats.js';
import { NATS_SERVER_GOGC } from '../../engine/runtime/broker/nats-server-process.js';

const roots: string[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** The Go GC variables in the environment the running server was started with. */
function goGcEnv(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .filter((line) => /^GO(GC|MEMLIMIT)=/.test(line))
    .map((line) => line.split('=') as [string, string]);
  return Object.fromEntries(entries);
}

async function embeddedServerGoGcEnv(): Promise<Record<string, string>> {
  const root = await mkdtemp(join(tmpdir(), 'junction-gogc-'));
  roots.push(root);
  const server = await startEmbeddedNats(root);
  try {
    return goGcEnv(server.pid);
  } finally {
    await server.stop();
  }
}

it('starts the embedded nats-server with GOGC when the user set neither GOGC nor GOMEMLIMIT', async () => {
  vi.stubEnv('GOGC', undefined);
  vi.stubEnv('GOMEMLIMIT', undefined);
  expect(await embeddedServerGoGcEnv()).toEqual({ GOGC: NATS_SERVER_GOGC });
});

it("keeps the user's GOGC", async () => {
  vi.stubEnv('GOGC', '150');
  vi.stubEnv('GOMEMLIMIT', undefined);
  expect(await embeddedServerGoGcEnv()).toEqual({ GOGC: '150' });
});

it("adds no GOGC next to the user's GOMEMLIMIT", async () => {
  vi.stubEnv('GOGC', undefined);
  vi.stubEnv('GOMEMLIMIT', '256MiB');
  expect(await embeddedServerGoGcEnv()).toEqual({ GOMEMLIMIT: '256MiB' });
});
