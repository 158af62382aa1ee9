/**
 * A worker thread called synchronously with a hard deadline. The caller blocks in `Atomics.wait` until the worker
 * answers or the deadline passes; past it the worker is terminated (which interrupts any JS, a backtracking regex
 * included) and a fresh one is started on the next call. While waiting, the caller can serve the worker's own
 * synchronous requests (a worker evaluating an expression calls the evaluation's JS binding functions that way).
 *
 * Protocol: messages travel on a MessageChannel and are read with `receiveMessageOnPort`; a SharedArrayBuffer of
 * two flags says "a message is waiting" (slot 0: worker → caller, slot 1: caller → worker). A message is always
 * posted before its flag is raised, and the reader always drains the port before it waits, so no wake-up is lost.
 */
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

/** What a worker sends back: its answer, a failure, or a request for the caller to serve. */
type WorkerMessage =
  | { kind: 'done'; value: unknown }
  | { kind: 'error'; error: Record<string, unknown> }
  | { kind: 'request'; payload: unknown }
  | { kind: 'ready' };

/**
 * JavaScript run at the top of every worker script: `send(message)` to the caller and `request(payload)`, which
 * blocks until the caller's reply.
 */
const WORKER_PRELUDE = `
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const signal = new Int32Array(workerData.shared);
const port = workerData.port;
function send(message) {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
function request(payload) {
  send({ kind: 'request', payload });
  for (;;) {
    const m = receiveMessageOnPort(port);
    if (m) return m.message;
    Atomics.wait(signal, 1, 0);
    Atomics.store(signal, 1, 0);
  }
}
`;

/** Sent by the worker script once it has loaded what it needs. */
export const WORKER_READY = `send({ kind: 'ready' });`;

/** How long a caller waits for a (re)started worker to boot; not counted against the caller's deadline. */
const BOOT_MS = 10_000;

export class SyncWorker {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private signal: Int32Array | undefined;
  private ready = false;

  /**
   * `script` is CommonJS source run after WORKER_PRELUDE; it ends with WORKER_READY (maybe after async loading)
   * and answers `parentPort` messages with `send`.
   */
  constructor(
    private readonly script: string,
    private readonly stackSizeMb?: number,
  ) {}

  /** Starts the thread ahead of the first call (it boots while the caller goes on). */
  warm(): void {
    if (this.worker !== undefined) return;
    const shared = new SharedArrayBuffer(8);
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(WORKER_PRELUDE + this.script, {
      eval: true,
      workerData: { shared, port: port2 },
      transferList: [port2],
      resourceLimits: this.stackSizeMb === undefined ? undefined : { stackSizeMb: this.stackSizeMb },
    });
    this.worker.unref();
    // a worker that dies (out of memory, terminated) is replaced on the next call
    const dead = this.worker;
    dead.on('error', () => this.forget(dead));
    dead.on('exit', () => this.forget(dead));
    this.port = port1;
    this.signal = new Int32Array(shared);
  }

  /**
   * Sends `message` and blocks until the worker's answer; `serve` answers the worker's requests meanwhile. Throws
   * DeadlineExceeded (and terminates the worker) when `deadline` (epoch ms) passes first.
   */
  call(message: unknown, deadline: number, serve?: (payload: unknown) => unknown): WorkerMessage {
    this.warm();
    if (!this.ready) {
      const boot = this.next(Date.now() + BOOT_MS);
      if (boot.kind !== 'ready') {
        this.stop();
        throw new Error(`the worker did not start: ${JSON.stringify(boot)}`);
      }
      this.ready = true;
    }
    (this.worker as Worker).postMessage(message);
    for (;;) {
      const answer = this.next(deadline);
      if (answer.kind !== 'request') return answer;
      let reply: unknown;
      try {
        reply = { value: serve ? serve(answer.payload) : undefined };
      } catch (e) {
        const err = e as { message?: unknown; code?: unknown };
        reply = {
          error: { message: String(err?.message), code: typeof err?.code === 'string' ? err.code : undefined },
        };
      }
      (this.port as MessagePort).postMessage(reply);
      Atomics.store(this.signal as Int32Array, 1, 1);
      Atomics.notify(this.signal as Int32Array, 1);
    }
  }

  private next(deadline: number): WorkerMessage {
    const port = this.port as MessagePort;
    const signal = this.signal as Int32Array;
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (m) return m.message as WorkerMessage;
      const left = deadline - Date.now();
      if (left <= 0 || this.worker === undefined) {
        this.stop();
        throw new DeadlineExceeded('the worker did not answer in time');
      }
      Atomics.wait(signal, 0, 0, left);
      Atomics.store(signal, 0, 0);
    }
  }

  /** Terminates the thread (a runaway regex or evaluation) and boots a fresh one for the next call. */
  stop(): void {
    const w = this.worker;
    this.forget(w);
    if (w !== undefined) void w.terminate();
    this.warm();
  }

  private forget(w: Worker | undefined): void {
    if (w === undefined || w !== this.worker) return;
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
    this.signal = undefined;
    this.ready = false;
  }
}
