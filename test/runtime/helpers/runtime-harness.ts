/**
 * One fault-matrix scenario's world: a real nats-server (random port, temp store), the fake target, and an engine
 * with compressed timings (ack wait 1 s, backoff in ms). Also the oracle's broker-side checks.
 */
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { startEngine } from '../../../engine/runtime/engine.js';
import type { Engine, EngineOptions } from '../../../engine/runtime/engine.js';
import type { RuntimeTuning } from '../../../engine/runtime/runtime-options.js';
import { EVENTS_STREAM } from '../../../engine/runtime/broker/subjects.js';
import type { CompiledSpecSet } from '../../../engine/compiler/compiled-spec.js';
import type { TransformEngine } from '../../../engine/transform/transform-engine.js';
import { startTestNatsServer } from '../../helpers/nats-server.js';
import type { TestNatsServer } from '../../helpers/nats-server.js';
import { startFakeTarget } from './fake-target.js';
import type { FakeTarget } from './fake-target.js';
import { httpTestInvoker } from './http-invoker.js';
import { compileRuntimeSpecs } from './runtime-specs.js';

export const TEST_TUNING: Partial<RuntimeTuning> = {
  partitions: 4,
  ackWaitMs: 1000,
  drainTimeoutMs: 3000,
  publishTimeoutMs: 1500,
  // A killed worker's partitions move to the others within this (control/partition-assignment.ts).
  partitionLeaseTtlMs: 2000,
};

export interface RuntimeHarness {
  nats: TestNatsServer;
  target: FakeTarget;
  specSet: CompiledSpecSet;
  engine: Engine;
  /** POSTs a JSON body (or raw text) to /hooks/<integration>. */
  post(
    integration: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Starts another engine process-alike on the same broker (e.g. a worker-only engine). */
  startEngine(options?: Partial<EngineOptions>): Promise<Engine>;
  dispose(): Promise<void>;
}

export function testLogger(): Logger {
  return pino({ level: process.env.JUNCTION_TEST_LOG ?? 'silent' }, pino.destination(2));
}

/** An info-level logger that keeps each line it writes (JSON text), for tests that read what the engine logged. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

export async function startRuntimeHarness(options: {
  integrations: string[];
  timeout?: string;
  /** More YAML lines for the target connection. */
  connection?: string;
  /** More spec files (name -> YAML), e.g. an Alert. */
  extra?: Record<string, string>;
  tuning?: Partial<RuntimeTuning>;
  env?: NodeJS.ProcessEnv;
  engine?: Partial<EngineOptions>;
  /** The JSONata engine the specs compile with (default: the guarded reference engine). */
  transforms?: TransformEngine;
}): Promise<RuntimeHarness> {
  const nats = await startTestNatsServer();
  const target = await startFakeTarget();
  const specSet = compileRuntimeSpecs(target.url, options.integrations, {
    timeout: options.timeout,
    connection: options.connection,
    extra: options.extra,
    engine: options.transforms,
  });
  const engines: Engine[] = [];
  const start = async (extra: Partial<EngineOptions> = {}) => {
    const engine = await startEngine({
      specSet,
      invoker: httpTestInvoker,
      natsUrl: nats.url,
      port: 0,
      host: '127.0.0.1',
      tuning: { ...TEST_TUNING, ...options.tuning },
      logger: testLogger(),
      env: options.env,
      ...options.engine,
      ...extra,
    });
    engines.push(engine);
    return engine;
  };
  const engine = await start();
  return {
    nats,
    target,
    specSet,
    engine,
    startEngine: start,
    post: async (integration, body, headers = {}) => {
      const res = await fetch(`${engine.url}/hooks/${integration}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    dispose: async () => {
      await Promise.all(engines.map((e) => e.stop().catch(() => undefined)));
      await target.stop();
      await nats.dispose();
    },
  };
}

/**
 * Polls `check` until it returns true while `child` runs; throws `message` once the child exited without it. No limit
 * of its own, for what waits on a child process's start: tsx loading the engine and compiling specs is CPU work that a
 * loaded 2-core machine stretches past any fixed wait (over 60 s beside CPU burners at a load of 16). The test's
 * timeout bounds it.
 */
export async function waitWhileRunning(
  child: ChildProcess,
  check: () => boolean | Promise<boolean>,
  message: string | (() => string),
): Promise<void> {
  while (!(await check())) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (await check()) return; // done just before it exited
      const what = typeof message === 'string' ? message : message();
      throw new Error(`the process exited (${child.exitCode ?? child.signalCode}) before: ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A schedule or stream source's health in the engine's status (`sourceHealth`), as far as tests read it. */
interface SourceHealthSeen {
  failedRounds: number;
  lastFailure?: { message: string };
}

/** Waits until integration `name`'s source health (in the engine's status) passes `until`; returns it then. */
export async function waitForSourceHealth(
  engine: Engine,
  name: string,
  until: (health: SourceHealthSeen | undefined) => boolean,
  what: string,
): Promise<SourceHealthSeen | undefined> {
  let health: SourceHealthSeen | undefined;
  await waitFor(async () => {
    const status = (await engine.status()) as { integrations: { name: string; sourceHealth?: SourceHealthSeen }[] };
    health = status.integrations.find((i) => i.name === name)?.sourceHealth;
    return until(health);
  }, what);
  return health;
}

/** Waits until integration `name`'s source has failed `rounds` rounds in a row; returns its health then. */
export async function failedRounds(engine: Engine, name: string, rounds: number): Promise<SourceHealthSeen> {
  const until = (health?: SourceHealthSeen) => (health?.failedRounds ?? 0) >= rounds;
  return (await waitForSourceHealth(engine, name, until, `${rounds} failed rounds of ${name} in the status`))!;
}

/** Polls `check` until it returns true; throws `message` (with the last state) after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  message: string | (() => string),
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for: ${typeof message === 'string' ? message : message()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sum over all event consumers of pending and ack-pending, plus what the events stream still holds. */
export async function brokerBacklog(natsUrl: string): Promise<{ pending: number; ackPending: number; stored: number }> {
  const nc: NatsConnection = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    let pending = 0;
    let ackPending = 0;
    for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
      pending += c.num_pending;
      ackPending += c.num_ack_pending;
    }
    const stored = (await jsm.streams.info(EVENTS_STREAM)).state.messages;
    return { pending, ackPending, stored };
  } finally {
    await nc.close();
  }
}

/**
 * The oracle's last line: waits until the consumers have nothing pending and nothing ack-pending, and (unless the
 * broker was SIGKILLed, which can leave acked messages in a WorkQueue stream) the stream is empty.
 */
export async function expectDrained(
  natsUrl: string,
  timeoutMs = 15_000,
  options: { streamEmpty?: boolean } = {},
): Promise<void> {
  let last = { pending: -1, ackPending: -1, stored: -1 };
  await waitFor(
    async () => {
      last = await brokerBacklog(natsUrl);
      return last.pending === 0 && last.ackPending === 0 && (options.streamEmpty === false || last.stored === 0);
    },
    () => `consumers drained (last: ${JSON.stringify(last)})`,
    timeoutMs,
  );
}
