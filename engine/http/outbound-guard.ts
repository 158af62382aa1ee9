/**
 * SSRF guard: a connection may only reach loopback, private, link-local or metadata addresses when its spec says
 * `allow_private_network: true` (local emulators, on-premise systems). The URL is checked before each call, and the
 * default transport checks the addresses a host name resolves to as well, so DNS cannot point around the check.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

/** Thrown when a target is not allowed; the client turns it into a permanent `outbound-blocked` ConnectorError. */
export class OutboundBlockedError extends Error {
  override name = 'OutboundBlockedError';
  readonly code = 'ERR_OUTBOUND_BLOCKED';
}

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** Throws OutboundBlockedError unless `url` is an http(s) URL to a public host (or private ones are allowed). */
export function assertOutboundAllowed(url: URL, allowPrivateNetwork: boolean): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OutboundBlockedError(`only http and https targets are allowed, not ${url.protocol}`);
  if (allowPrivateNetwork) return;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || METADATA_HOSTS.has(host) || isBlockedAddress(host))
    throw blocked(host);
}

/** True for loopback, private, link-local, CGNAT, unspecified and IPv4-mapped forms of those. */
export function isBlockedAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return blockedV4(address);
  if (version !== 6) return false;
  const ip = address.toLowerCase();
  const mapped = mappedV4(ip);
  if (mapped) return blockedV4(mapped);
  return ip === '::1' || ip === '::' || /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip);
}

/**
 * A `dns.lookup` replacement for the socket layer that refuses blocked addresses, so a public-looking name that
 * resolves to 10.0.0.5 or 169.254.169.254 is refused at connect time.
 */
export function guardedLookup(allowPrivateNetwork: boolean) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = allowPrivateNetwork ? undefined : addresses.find((a) => isBlockedAddress(a.address));
      if (refused) return callback(blocked(`${hostname} (${refused.address})`), '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function blocked(host: string): OutboundBlockedError {
  return new OutboundBlockedError(
    `${host} is a loopback, private or metadata address; set allow_private_network: true on the connection if it is intended`,
  );
}

function blockedV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

/** `::ffff:127.0.0.1` or the form URL parsing produces, `::ffff:7f00:1`, as dotted IPv4. */
function mappedV4(ip: string): string | undefined {
  const m = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(.+)$/.exec(ip);
  if (!m) return undefined;
  if (isIP(m[1]) === 4) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(m[1]);
  if (!hex) return undefined;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}
