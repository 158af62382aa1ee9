/**
 * Test harness: a real nats-server per test, on a random loopback port with a temporary store dir. It can be
 * stopped, SIGKILLed and restarted on the same port and store, so tests can crash the broker mid-run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import type { NatsServerProcess } from '../../engine/runtime/broker/nats-server-process.js';

export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** True while a server process is running. */
  readonly running: boolean;
  /** The running server's process id (to SIGSTOP it: a broker that freezes without closing its connections). */
  readonly pid: number | undefined;
  /** kill -9 the server (no clean shutdown). */
  kill(): Promise<void>;
  /** Graceful stop. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and store dir. */
  restart(): Promise<void>;
  /** Stops the server and deletes its store. */
  dispose(): Promise<void>;
}

/** Starts a JetStream-enabled nats-server for one test. */
export async function startTestNatsServer(): Promise<TestNatsServer> {
  const root = await mkdtemp(join(tmpdir(), 'junction-nats-'));
  const storeDir = join(root, 'js');
  let current: NatsServerProcess | undefined = await startNatsServer({ storeDir });
  const port = current.port;
  const url = current.url;
  return {
    url,
    port,
    storeDir,
    get running() {
      return current !== undefined;
    },
    get pid() {
      return current?.pid;
    },
    async kill() {
      await current?.kill('SIGKILL');
      current = undefined;
    },
    async stop() {
      await current?.stop();
      current = undefined;
    },
    async restart() {
      if (current) await current.stop();
      // The old socket may linger for a moment after a kill: retry the bind briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          current = await startNatsServer({ storeDir, port });
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async dispose() {
      await current?.kill('SIGKILL');
      current = undefined;
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A test's nats-server and the client connections it opens: `start` it in the test, `connect` as often as needed,
 * and `dispose` after each test (closes the connections, then stops the server and deletes its store).
 */
export function natsTestBed() {
  let server: TestNatsServer | undefined;
  const connections: NatsConnection[] = [];
  return {
    async start(): Promise<TestNatsServer> {
      server = await startTestNatsServer();
      return server;
    },
    async connect(): Promise<NatsConnection> {
      const nc = await connect({ servers: server!.url, noAsyncTraces: true });
      connections.push(nc);
      return nc;
    },
    async dispose(): Promise<void> {
      await Promise.all(connections.splice(0).map((nc) => nc.close()));
      await server?.dispose();
      server = undefined;
    },
  };
}
