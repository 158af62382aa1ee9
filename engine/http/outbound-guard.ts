/**
 * SSRF guard: a connection may only reach loopback, private, link-local or metadata addresses when its spec says
 * `allow_private_network: true` (local emulators, on-premise systems).
 */
import { isIP } from 'node:net';

export class OutboundBlockedError extends Error {
  override name = 'OutboundBlockedError';
}

export function assertOutboundAllowed(url: URL, allowPrivateNetwork: boolean): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundBlockedError(`only http and https targets are allowed, not ${url.protocol}`);
  if (allowPrivateNetwork) return;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'metadata.google.internal' || isPrivateAddress(host)) {
    throw new OutboundBlockedError(`${host} is a loopback, private or metadata address; set allow_private_network: true on the connection if it is intended`);
  }
}

function isPrivateAddress(host: string): boolean {
  const version = isIP(host);
  if (version === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (version === 6) return host === '::1' || host === '::' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80') || host.startsWith('::ffff:127.') || host.startsWith('::ffff:10.') || host.startsWith('::ffff:192.168.');
  return false;
}
