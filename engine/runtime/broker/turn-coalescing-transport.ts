/**
 * nats.js's Node transport with one socket write per event-loop turn. The client flushes its outbound buffer once per
 * microtask checkpoint, and the engine handles each HTTP request and each inbound NATS frame in a macrotask of its own,
 * so stock nats.js issues almost one `write` system call per message (issue #16: 6 % of the engine's CPU). Here the
 * frames of a turn are gathered and written together from `setImmediate`, which runs after the turn's I/O callbacks.
 *
 * The client's flush joins its pending pieces (each message's protocol line, headers, payload and line end) into a new
 * zero-filled buffer before it hands them over, and the turn's write joined those again: two copies of every byte.
 * `leanOutbound` makes a connection's flush queue the pieces themselves, joined once when the turn ends. A
 * payload is then read at the turn's end rather than at the microtask flush; nothing the engine publishes is changed
 * after its publish.
 *
 * Everything else is the stock `NodeTransport` (pinned 3.4.0): dial, TLS, reading, reconnect (the client makes a new
 * transport per dial). Frames still queued are written first when the client closes the transport or writes its own
 * last frame (`_send`, used when it closes on a stale connection); `discard()` and a socket that already ended drop
 * them, as the kernel would have dropped the stock client's bytes.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { NodeTransport } from '@nats-io/transport-node/lib/node_transport.js';

/** A turn that queues this much is written at once: a bulk publish should not build one huge buffer. */
const WRITE_NOW_BYTES = 64 * 1024;

export class TurnCoalescingTransport extends NodeTransport {
  private readonly queued: Uint8Array[] = [];
  private queuedBytes = 0;
  private turnEnd: NodeJS.Immediate | undefined;

  override send(frame: Uint8Array): void {
    if (this.isClosed || this.socket === undefined) return;
    this.queued.push(frame);
    this.queuedBytes += frame.length;
    if (this.queuedBytes >= WRITE_NOW_BYTES) this.writeQueued();
    else this.turnEnd ??= setImmediate(this.writeQueued);
  }

  /** The client's pending pieces, in order (the array is the client's own and is emptied after this). */
  sendPieces(pieces: readonly Uint8Array[], bytes: number): void {
    if (this.isClosed || this.socket === undefined) return;
    for (const piece of pieces) this.queued.push(piece);
    this.queuedBytes += bytes;
    if (this.queuedBytes >= WRITE_NOW_BYTES) this.writeQueued();
    else this.turnEnd ??= setImmediate(this.writeQueued);
  }

  override _send(frame: Uint8Array): Promise<void> {
    this.writeQueued();
    return super._send(frame);
  }

  override close(err?: Error): Promise<void> {
    this.writeQueued();
    return super.close(err);
  }

  override discard(): void {
    this.dropQueued();
    super.discard();
  }

  /** Writes what the turn queued as one buffer (an arrow: it is the `setImmediate` callback). */
  private readonly writeQueued = (): void => {
    if (this.queued.length === 0) return this.dropQueued();
    const frames = this.queued;
    const bytes = frames.length === 1 ? frames[0]! : Buffer.concat(frames, this.queuedBytes);
    this.dropQueued();
    // After the server's FIN the stock transport ends the socket; a later write would only raise an error.
    if (this.socket === undefined || this.socket.writableEnded || this.socket.destroyed) return;
    // The stock `send` logs the frame in debug mode; otherwise it is this write, through a promise with resolve and
    // reject copied onto it and a `catch` that ignores the result (about 1 % of the CPU of a delivery;
    // docs/performance.md, "Delivery CPU cuts, session 11"). A failed write is ignored here too: the socket's `error`
    // event, which the stock transport listens to, reports it either way.
    if (this.options.debug) return super.send(bytes);
    try {
      this.socket.write(bytes);
    } catch {
      // as the stock `send`: the client fails on its next read, or its heartbeat finds the connection stale
    }
  };

  private dropQueued(): void {
    this.queued.length = 0;
    this.queuedBytes = 0;
    if (this.turnEnd !== undefined) clearImmediate(this.turnEnd);
    this.turnEnd = undefined;
  }
}

/** What `leanOutbound` uses of nats-core's `ProtocolHandler` (3.4.0, `lib/protocol.js`). */
interface ClientProtocol {
  infoReceived: boolean;
  connected: boolean;
  pendingLimit: number;
  transport: unknown;
  outbound: {
    buffers: Uint8Array[];
    byteLength: number;
    fill(a: Uint8Array, ...more: Uint8Array[]): void;
    reset(): void;
  };
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  flushPending(): void;
}

/**
 * The connection's outbound path without two costs of nats-core's (see the module comment): its flush hands the
 * pending pieces to a coalescing transport as they are, without `drain()`'s join (a connection not yet ready, or on
 * another transport, takes the stock path); and a command's protocol line (`HPUB <subject> <reply> <sizes>`, one per
 * publish) is encoded by `Buffer.from`, a slice of Node's buffer pool, rather than by a `TextEncoder`, which gives
 * each line an ArrayBuffer of its own. The same UTF-8 bytes; otherwise the stock `sendCommand`.
 */
export function leanOutbound(nc: NatsConnection): void {
  const protocol = (nc as unknown as { protocol: ClientProtocol }).protocol;
  const stockFlush = protocol.flushPending;
  protocol.flushPending = function (this: ClientProtocol) {
    const { transport, outbound } = this;
    if (!(transport instanceof TurnCoalescingTransport) || !this.infoReceived || !this.connected)
      return stockFlush.call(this);
    if (outbound.byteLength === 0) return;
    transport.sendPieces(outbound.buffers, outbound.byteLength);
    outbound.reset();
  };
  protocol.sendCommand = function (this: ClientProtocol, cmd: string | Uint8Array, ...payloads: Uint8Array[]) {
    const queued = this.outbound.buffers.length;
    this.outbound.fill(typeof cmd === 'string' ? Buffer.from(cmd) : cmd, ...payloads);
    if (queued === 0) queueMicrotask(() => this.flushPending());
    else if (this.outbound.byteLength >= this.pendingLimit) this.flushPending();
  };
}
