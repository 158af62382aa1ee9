/**
 * The engine bench's fake ERP, in its own process: a node:http server that takes `PUT /orders/<key>` (any method and
 * path, in fact), parses the JSON body as a real API would, remembers when each key first arrived and counts repeated
 * writes, and answers 200 with a small JSON body. The parent drives it over IPC (see bench-child.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ownCpuMs, serveParent, wallMs } from './bench-child.js';

const firstSeen = new Map<string, number>();
let requests = 0;
let waiters: { count: number; resolve: () => void }[] = [];

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = wallMs();
    requests++;
    const key = decodeURIComponent((req.url ?? '/').slice((req.url ?? '/').lastIndexOf('/') + 1));
    let status = 200;
    try {
      if (chunks.length) JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      status = 400;
    }
    if (status === 200 && !firstSeen.has(key)) {
      firstSeen.set(key, at);
      if (waiters.length && waiters.some((w) => firstSeen.size >= w.count)) {
        for (const w of waiters) if (firstSeen.size >= w.count) w.resolve();
        waiters = waiters.filter((w) => firstSeen.size < w.count);
      }
    }
    const body = status === 200 ? `{"id":${JSON.stringify(key)},"status":"accepted"}` : '{"error":"malformed"}';
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
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
});
