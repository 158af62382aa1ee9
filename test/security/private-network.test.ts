/**
 * Security items about outbound targets:
 * - private targets are the engine's decision, never a spec's: `allow_private_network` in a spec is a validation
 *   error that says how to migrate, and only `--allow-private-host host:port` (or `--allow-private-network`) opens
 *   a loopback or private host;
 * - the SSRF guard also refuses NAT64, 6to4 and IPv4-compatible forms of private addresses, the reserved, benchmark,
 *   documentation, multicast and broadcast ranges, and names with a trailing dot;
 * - an alert receiver cannot redirect a notification to a host the engine does not allow.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpEmulator } from '../../connectors/http/emulator/index.js';
import type { HttpEmulator } from '../../connectors/http/emulator/index.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { OutboundPolicy } from '../../engine/http/outbound-guard.js';
import { PUBLIC_ONLY, assertOutboundAllowed, isBlockedAddress } from '../../engine/http/outbound-guard.js';
import { sendNotification } from '../../engine/runtime/alerts/alert-notifiers.js';
import { runCli } from '../cli/run-cli.js';
import { failure, registry } from '../connectors/connector-fixtures.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';

let target: HttpEmulator | undefined;
let repo: SpecRepo | undefined;
afterEach(async () => {
  await target?.stop();
  target = undefined;
  repo?.remove();
  repo = undefined;
});

describe('private targets', () => {
  it('cannot be opened by a spec: allow_private_network is a validation error that says how to migrate', async () => {
    repo = createSpecRepo();
    repo.edit('connections/shop.yaml', (t) => `${t}allow_private_network: true\n`);
    const result = await runCli(['validate', 'specs'], { cwd: repo.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'specs/connections/shop.yaml:9:1  error  removed-property  `allow_private_network` is no longer a spec setting: a spec must not be able to open the private network. Remove it, and start the engine with --allow-private-host <host:port> for this system (or --allow-private-network for all of them; JUNCTION_ALLOWED_PRIVATE_HOSTS, JUNCTION_ALLOW_PRIVATE_NETWORK=1)\n',
    );
  });

  it('are reached only when the engine allows that host and port', async () => {
    target = await startHttpEmulator();
    const { host, port } = new URL(target.url);
    let id = 0;
    const call = async (outbound: OutboundPolicy) => {
      const client = createConnectionClient({
        connection: {
          name: 'app',
          type: 'http',
          baseUrl: target!.url,
          auth: { type: 'none' },
          timeoutMs: 1000,
          commitWindowMs: 0,
          options: {},
          file: 'app.yaml',
        },
        connector: registry.get('http')!,
        security: { outbound },
      });
      try {
        return await client.call('post', { params: { path: '/orders' }, body: { id: String(++id) } }).then(
          (r) => r.response.status,
          (e: Error & { code: string }) => e.code,
        );
      } finally {
        await client.close();
      }
    };
    expect(await call(PUBLIC_ONLY)).toBe('outbound-blocked');
    expect(await call({ allowPrivateNetwork: false, allowedHosts: [`127.0.0.1:${Number(port) + 1}`] })).toBe(
      'outbound-blocked',
    );
    expect(target.requests).toHaveLength(0);
    expect(await call({ allowPrivateNetwork: false, allowedHosts: [host] })).toBe(201);
    expect(await call({ allowPrivateNetwork: true, allowedHosts: [] })).toBe(201);
    const blocked = await failure(
      createConnectionClient({
        connection: {
          name: 'app',
          type: 'http',
          baseUrl: target.url,
          auth: { type: 'none' },
          timeoutMs: 1000,
          commitWindowMs: 0,
          options: {},
          file: 'app.yaml',
        },
        connector: registry.get('http')!,
      }).call('get', { params: { path: '/x' }, body: {} }),
    );
    expect(blocked.message).toBe(
      `${host} is a loopback, private, reserved or metadata address; the engine reaches it only when started with --allow-private-host ${host} (or --allow-private-network)`,
    );
  });
});

describe('the SSRF guard', () => {
  it.each([
    ['NAT64 of the metadata address', '64:ff9b::a9fe:a9fe'],
    ['local-use NAT64', '64:ff9b:1::a00:1'],
    ['IPv4-compatible metadata address', '::a9fe:a9fe'],
    ['6to4 of the metadata address', '2002:a9fe:a9fe::1'],
    ['6to4 of loopback', '2002:7f00:1::'],
    ['IPv4-mapped loopback', '::ffff:7f00:1'],
    ['site-local', 'fec0::1'],
    ['Teredo', '2001::1'],
    ['IPv6 documentation', '2001:db8::1'],
    ['IPv6 multicast', 'ff02::1'],
    ['benchmarking', '198.18.0.1'],
    ['documentation', '203.0.113.9'],
    ['IETF protocol assignments', '192.0.0.8'],
    ['multicast', '224.0.0.251'],
    ['broadcast', '255.255.255.255'],
    ['reserved', '240.0.0.1'],
  ])('refuses %s (%s)', (_what, address) => {
    expect(isBlockedAddress(address)).toBe(true);
    expect(() => assertOutboundAllowed(new URL(`http://${address.includes(':') ? `[${address}]` : address}/`))).toThrow(
      /loopback, private, reserved or metadata address/,
    );
  });

  it.each(['http://localhost./', 'http://metadata.google.internal./computeMetadata/v1/', 'http://app.localhost../'])(
    'refuses %s (trailing dots)',
    (url) => expect(() => assertOutboundAllowed(new URL(url))).toThrow(/loopback, private, reserved or metadata/),
  );

  it.each(['8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'lets public %s through',
    (address) => expect(isBlockedAddress(address)).toBe(false),
  );
});

describe('alert receivers', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });
  const serve = async (answer: (req: IncomingMessage) => [number, Record<string, string>]) => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        const [status, headers] = answer(req);
        res.writeHead(status, headers).end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { seen, port: (server.address() as AddressInfo).port };
  };

  it.each([302, 307])('do not follow a %i redirect to a host the engine does not allow', async (status) => {
    const internal = await serve(() => [200, {}]);
    const receiver = await serve(() => [status, { location: `http://127.0.0.1:${internal.port}/latest/meta-data/` }]);
    const sent = sendNotification(
      { webhook: { url: `http://127.0.0.1:${receiver.port}/alerts`, secret: '${env:ALERT_SECRET}' } },
      {
        alert: 'dlq-growth',
        status: 'firing',
        severity: 'page',
        subject: 'orders',
        summary: '3 dead letters',
        value: 3,
        started_at: '2026-12-05T12:00:00Z',
        at: '2026-12-05T12:00:00Z',
      },
      {
        env: { ALERT_SECRET: 'alert-secret' },
        spec: 'dlq-growth',
        security: { outbound: { allowPrivateNetwork: false, allowedHosts: [`127.0.0.1:${receiver.port}`] } },
      },
    );
    await expect(sent).rejects.toThrow(`127.0.0.1:${receiver.port} answered ${status} (a redirect, not followed)`);
    expect(receiver.seen).toEqual(['POST /alerts']);
    expect(internal.seen).toEqual([]);
  });
});
