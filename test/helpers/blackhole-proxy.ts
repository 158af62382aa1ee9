/**
 * A TCP proxy on 127.0.0.1 that can simulate a network partition (fault-matrix cases 18 and 19). Put it between a
 * client and a server (the engine and nats-server, or the engine and a target):
 *   pass       bytes flow both ways;
 *   blackhole  connections stay open but bytes are silently dropped in both directions, and new connections are
 *              accepted and then ignored: nobody sees a reset or a FIN, exactly like a cable pulled mid-route. Only
 *              timeouts (pings, request deadlines) can notice;
 *   mute       what the client sends still reaches the server, what the server sends back is dropped: a request is
 *              carried out and its answer lost (a PubAck for an event the broker stored);
 *   hold       what the client sends is kept back, from the first chunk that matches, on open and new connections;
 *              what the server sends still flows: a client's command (an UNSUB) is on the wire while the server goes
 *              on sending it messages. Nothing is lost: heal sends what was held, in order;
 *   heal       bytes flow again for new connections. Connections that lost bytes have a gap in their stream, so they
 *              are destroyed on heal (as TCP would after its retransmissions gave up); connections that stayed quiet
 *              during the blackhole carry on.
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

type ProxyMode = 'pass' | 'blackhole' | 'mute' | 'hold';

export interface BlackholeProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Bytes dropped while blackholed (both directions). */
  readonly droppedBytes: number;
  /** Bytes from clients held back by `hold` (sent on heal). */
  readonly heldBytes: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** `<scheme>://127.0.0.1:<port>`. */
  url(scheme: string): string;
  /** Starts dropping every byte, on open and new connections. */
  blackhole(): void;
  /** Starts dropping every byte from the server to the client, on open and new connections. */
  mute(): void;
  /** Holds back what a client sends from its first chunk that `from` matches (on open and new connections). */
  hold(from: (chunk: Buffer) => boolean): void;
  /** Lets bytes through again (what was held first); destroys the connections whose streams lost bytes. */
  heal(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream?: Socket;
  /** Lost bytes (or was accepted while blackholed): never forwards again. */
  broken: boolean;
  /** Lost bytes from the server to the client: never forwards that way again. */
  muted?: boolean;
  /** What the client sent since a chunk matched `hold`, in order. */
  held?: Buffer[];
}

export async function startBlackholeProxy(
  target: { port: number; host?: string },
  options: { port?: number } = {},
): Promise<BlackholeProxy> {
  const host = target.host ?? '127.0.0.1';
  const links = new Set<Link>();
  let mode: ProxyMode = 'pass';
  let accepted = 0;
  let droppedBytes = 0;
  let heldBytes = 0;
  let holdFrom: ((chunk: Buffer) => boolean) | undefined;

  const destroy = (link: Link) => {
    links.delete(link);
    link.client.destroy();
    link.upstream?.destroy();
  };

  /** Forwards `from` -> `to` while passing; drops (and breaks the link) while blackholed or, answers, muted. */
  const forward = (link: Link, from: Socket, to: () => Socket | undefined, answers = false) => {
    from.on('data', (chunk: Buffer) => {
      const out = to();
      if (answers && (mode === 'mute' || link.muted)) {
        link.muted = true;
        droppedBytes += chunk.length;
        return;
      }
      if (!answers && mode === 'hold' && (link.held || holdFrom!(chunk))) {
        (link.held ??= []).push(chunk);
        heldBytes += chunk.length;
        return;
      }
      if (mode === 'blackhole' || link.broken || !out) {
        link.broken = true;
        droppedBytes += chunk.length;
        return;
      }
      if (!out.write(chunk)) {
        from.pause();
        out.once('drain', () => from.resume());
      }
    });
  };

  const server = createServer((client) => {
    accepted++;
    const link: Link = { client, broken: mode === 'blackhole' };
    links.add(link);
    client.on('error', () => destroy(link));
    client.on('close', () => destroy(link));
    forward(link, client, () => link.upstream);
    if (link.broken) return; // accepted into the void: no upstream connection at all
    client.pause();
    const upstream = connect({ host, port: target.port });
    link.upstream = upstream;
    upstream.on('connect', () => client.resume());
    upstream.on('error', () => destroy(link));
    upstream.on('close', () => destroy(link));
    forward(link, upstream, () => link.client, true);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    get droppedBytes() {
      return droppedBytes;
    },
    get heldBytes() {
      return heldBytes;
    },
    get open() {
      return links.size;
    },
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    blackhole: () => {
      mode = 'blackhole';
    },
    mute: () => {
      mode = 'mute';
    },
    hold: (from) => {
      mode = 'hold';
      holdFrom = from;
    },
    heal: () => {
      mode = 'pass';
      for (const link of [...links]) {
        if (link.broken || link.muted) destroy(link);
        else if (link.held) for (const chunk of link.held.splice(0)) link.upstream?.write(chunk);
        link.held = undefined;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of [...links]) destroy(link);
        server.close(() => resolve());
      }),
  };
}
