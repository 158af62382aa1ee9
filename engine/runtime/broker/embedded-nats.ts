/**
 * The embedded default: with no NATS URL configured, `junction run` starts a private nats-server with JetStream on a
 * free loopback port, storing in `.junction/nats`. Its URL is written to `.junction/nats.url` so that `junction dlq`
 * run in the same directory finds it.
 */
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startNatsServer } from './nats-server-process.js';
import type { NatsServerProcess } from './nats-server-process.js';

export const EMBEDDED_DIR = '.junction';

/** Starts the embedded server under `<root>/.junction`. Throws NatsServerNotFoundError when the binary is missing. */
export async function startEmbeddedNats(root = process.cwd()): Promise<NatsServerProcess> {
  const dir = join(root, EMBEDDED_DIR);
  await mkdir(dir, { recursive: true });
  const server = await startNatsServer({ storeDir: join(dir, 'nats') });
  await writeFile(join(dir, 'nats.url'), `${server.url}\n`);
  return {
    ...server,
    stop: async () => {
      await rm(join(dir, 'nats.url'), { force: true });
      await server.stop();
    },
  };
}

/** The NATS URL to use: explicit, then JUNCTION_NATS_URL, then a running embedded server's URL file. */
export async function resolveNatsUrl(explicit: string | undefined, root = process.cwd()): Promise<string | undefined> {
  if (explicit) return explicit;
  if (process.env.JUNCTION_NATS_URL) return process.env.JUNCTION_NATS_URL;
  const text = await readFile(join(root, EMBEDDED_DIR, 'nats.url'), 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}
