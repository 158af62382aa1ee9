/**
 * The engine bench's fake ERP, in its own process: a lean HTTP/1.1 server (bench-http-server.ts; BENCH_RIG_HTTP=node:
 * a node:http server, bench-node-http.ts) that takes `PUT /orders/<key>` (any method and path, in fact), parses the
 * JSON body as a real API would, remembers when each key first arrived and counts repeated writes, and answers 200
 * with a small JSON body. The parent drives it over IPC (see bench-child.ts).
 */
import type { AddressInfo } from 'node:net';
import { ownCpuMs, serveParent, wallMs } from './bench-child.js';
import { createBenchHttpServer } from './bench-http-server.js';
import { RIG_HTTP, createNodeHttpServer } from './bench-node-http.js';
import type { BenchRequest, BenchResponse } from './bench-http-server.js';

const firstSeen = new Map<string, number>();
let requests = 0;
/** Write requests per client port: which engine process sent them (worker-shares.ts). */
const writesByPeerPort = new Map<number, number>();
let waiters: { count: number; resolve: () => void }[] = [];

const MALFORMED: BenchResponse = { status: 400, body: '{"error":"malformed"}' };

/** One write: the JSON parsed (the vendor's work, kept), its first arrival noted. */
function write({ target, body, peerPort }: BenchRequest): BenchResponse {
  const at = wallMs();
  requests++;
  writesByPeerPort.set(peerPort, (writesByPeerPort.get(peerPort) ?? 0) + 1);
  let key: string;
  try {
    key = decodeURIComponent(target.slice(target.lastIndexOf('/') + 1));
    if (body.length) JSON.parse(body.toString('utf8'));
  } catch {
    return MALFORMED;
  }
  if (!firstSeen.has(key)) {
    firstSeen.set(key, at);
    if (waiters.length && waiters.some((w) => firstSeen.size >= w.count)) {
      for (const w of waiters) if (firstSeen.size >= w.count) w.resolve();
      waiters = waiters.filter((w) => firstSeen.size < w.count);
    }
  }
  return { status: 200, body: `{"id":${JSON.stringify(key)},"status":"accepted"}` };
}

const server = RIG_HTTP === 'node' ? createNodeHttpServer(write) : createBenchHttpServer(write);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

serveParent({
  url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  /** Resolves once `count` distinct keys have been written. */
  waitFor: ({ count }: { count: number }) =>
    firstSeen.size >= count ? undefined : new Promise<void>((resolve) => waiters.push({ count, resolve })),
  /** Distinct keys written and total write requests (more requests than keys = repeated writes). */
  counts: () => ({ keys: firstSeen.size, requests }),
  /** First-arrival wall time (ms) of each of `keys` that arrived. */
  arrivals: ({ keys }: { keys: string[] }) => keys.map((k) => firstSeen.get(k) ?? null),
  cpuMs: () => ownCpuMs(),
  /** Write requests so far per client port, as [port, count] pairs. */
  writesByPeerPort: () => [...writesByPeerPort],
});
