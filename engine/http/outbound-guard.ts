/**
 * SSRF guard. Connections reach only public addresses unless the engine (never a spec) allows more: an operator
 * lists the private hosts it means (`--allow-private-host 127.0.0.1:8081` for an emulator, an on-premise ERP), or
 * opens the whole private network for local development (`--allow-private-network`). The URL is checked before each
 * call, and the default transport checks the addresses a host name resolves to as well, so DNS cannot point around
 * the check. Refused: loopback, private, link-local, CGNAT, reserved, documentation, benchmarking, multicast and
 * broadcast ranges, cloud metadata names, and IPv6 forms that carry such an IPv4 address (mapped, NAT64, 6to4).
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Thrown when a target is not allowed; the client turns it into a permanent `outbound-blocked` ConnectorError. */
export class OutboundBlockedError extends Error {
  override name = 'OutboundBlockedError';
  readonly code = 'ERR_OUTBOUND_BLOCKED';
}

/** Which private targets the engine may reach. */
export interface OutboundPolicy {
  /** Every private address (local development). @default false */
  allowPrivateNetwork: boolean;
  /** Hosts that may be private: `name`, `name:port`, `1.2.3.4:port`, `[::1]:port`. */
  allowedHosts: readonly string[];
}

/** Public targets only: the default. */
export const PUBLIC_ONLY: OutboundPolicy = { allowPrivateNetwork: false, allowedHosts: [] };

/** What the guard reads of a target URL (a `URL`, or a request's target built without a parse: request-url.ts). */
type OutboundTarget = Pick<URL, 'protocol' | 'host' | 'hostname' | 'port'>;

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/**
 * By policy, the targets (`<protocol>//<host>`) it allowed: the answer depends on nothing else, and every call of a
 * connection asks about the same one (the check was about 1 µs per request; docs/performance.md, "Delivery CPU cuts,
 * session 14"). A refusal is not kept: it is checked again, and throws the same error.
 */
const ALLOWED = new WeakMap<OutboundPolicy, Set<string>>();
const ALLOWED_KEPT = 1_000;

/** Throws OutboundBlockedError unless `url` is an http(s) URL to a public host, or one the policy allows. */
export function assertOutboundAllowed(url: OutboundTarget, policy: OutboundPolicy = PUBLIC_ONLY): void {
  const target = `${url.protocol}//${url.host}`;
  let allowed = ALLOWED.get(policy);
  if (allowed?.has(target)) return;
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OutboundBlockedError(`only http and https targets are allowed, not ${url.protocol}`);
  if (!policy.allowPrivateNetwork && !hostAllowed(policy, url)) {
    const host = bareHost(url.hostname);
    if (host === 'localhost' || host.endsWith('.localhost') || METADATA_HOSTS.has(host) || isBlockedAddress(host))
      throw blocked(url.host);
  }
  if (!allowed) ALLOWED.set(policy, (allowed = new Set()));
  if (allowed.size >= ALLOWED_KEPT) allowed.clear();
  allowed.add(target);
}

/** True for every address that is not global unicast (see the file comment), including IPv6 forms of those. */
export function isBlockedAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return V4_BLOCKED.check(address, 'ipv4');
  if (version !== 6) return false;
  const embedded = embeddedV4(address);
  if (embedded) return V4_BLOCKED.check(embedded, 'ipv4');
  return V6_BLOCKED.check(address, 'ipv6');
}

/**
 * A `dns.lookup` replacement for the socket layer that refuses blocked addresses, so a public-looking name that
 * resolves to 10.0.0.5 or 169.254.169.254 is refused at connect time. Names the policy lists may resolve anywhere.
 */
export function guardedLookup(policy: OutboundPolicy = PUBLIC_ONLY) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const open =
        policy.allowPrivateNetwork || policy.allowedHosts.some((e) => parseEntry(e).host === bareHost(hostname));
      const refused = open ? undefined : addresses.find((a) => isBlockedAddress(a.address));
      if (refused) return callback(blocked(`${hostname} (${refused.address})`), '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** `Host` entries as the policy holds them, checked once when the engine starts. */
export function parseAllowedHost(entry: string): { host: string; port?: string } {
  const parsed = parseEntry(entry);
  if (!parsed.host || (parsed.port !== undefined && !/^\d{1,5}$/.test(parsed.port)))
    throw new Error(`allowed private host ${JSON.stringify(entry)} is not host, host:port or [ipv6]:port`);
  return parsed;
}

function parseEntry(entry: string): { host: string; port?: string } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::([^:]*))?$/.exec(entry.trim());
  if (!m) return { host: bareHost(entry) };
  return { host: bareHost(m[1] ?? m[2]), port: m[3] };
}

function hostAllowed(policy: OutboundPolicy, url: OutboundTarget): boolean {
  const host = bareHost(url.hostname);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return policy.allowedHosts.some((entry) => {
    const allowed = parseEntry(entry);
    return allowed.host === host && (allowed.port === undefined || allowed.port === port);
  });
}

/** Lower case, without IPv6 brackets or a trailing dot (`localhost.` is `localhost`). */
function bareHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
}

function blocked(host: string): OutboundBlockedError {
  return new OutboundBlockedError(
    `${host} is a loopback, private, reserved or metadata address; the engine reaches it only when started with ` +
      `--allow-private-host ${host} (or --allow-private-network)`,
  );
}

/** IANA special-purpose IPv4 ranges that are not globally reachable unicast. */
const V4_BLOCKED = blockList('ipv4', [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
]);

/** The IPv6 counterparts; forms embedding an IPv4 address are checked by that address instead. */
const V6_BLOCKED = blockList('ipv6', [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form (::a9fe:a9fe)
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID...)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
]);

function blockList(type: 'ipv4' | 'ipv6', ranges: [string, number][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of ranges) list.addSubnet(net, prefix, type);
  return list;
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) one. */
function embeddedV4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6], words[7]);
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6], words[7]);
  if (words[0] === 0x2002) return v4(words[1], words[2]);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (with `::` expanded and a trailing dotted IPv4 converted). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const words = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}
