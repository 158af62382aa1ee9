/**
 * The "security-relevant changes" of a PR, listed apart from the data plan so a reviewer cannot miss them: hosts a
 * connection starts talking to (its base URL, token URL and URL options, such as Salesforce's `pubsub_url`, which
 * receives the access token), hosts a webhook's signing keys come from, environment variables a spec starts
 * reading, and webhooks whose signature check is removed or weakened. A spec set that does not compile lists
 * nothing (its diagnostics block the merge anyway).
 */
import type { CompiledConnection, CompiledSpecSet, CompiledSource } from '../../compiler/compiled-spec.js';
import { referencedVariables } from '../../compiler/secret-ref.js';

export interface SecurityChange {
  kind: 'new-host' | 'new-secret' | 'verify-removed' | 'verify-weakened';
  /** The connection or integration. */
  spec: string;
  /** What changed, for people: a host, `${env:NAME}`, or how verification changed. */
  detail: string;
}

/** The security-relevant differences of `head` from `base` (an absent base is an empty one). */
export function securityChanges(
  base: CompiledSpecSet | undefined,
  head: CompiledSpecSet | undefined,
): SecurityChange[] {
  if (!head) return [];
  const out: SecurityChange[] = [];
  for (const connection of head.connections.values()) {
    const before = base?.connections.get(connection.name);
    const known = new Set(before ? hostsOf(before) : []);
    for (const host of hostsOf(connection))
      if (!known.has(host)) out.push({ kind: 'new-host', spec: connection.name, detail: host });
  }
  const refs = (set: CompiledSpecSet | undefined) => new Set(secretRefs(set).map(([spec, v]) => `${spec}\0${v}`));
  const before = refs(base);
  for (const [spec, variable] of secretRefs(head))
    if (!before.has(`${spec}\0${variable}`)) out.push({ kind: 'new-secret', spec, detail: `\${env:${variable}}` });
  for (const integration of head.integrations.values()) {
    const before = base?.integrations.get(integration.name)?.source;
    const keys = signingKeyHost(integration.source);
    if (keys && keys !== signingKeyHost(before))
      out.push({ kind: 'new-host', spec: integration.name, detail: `${keys} (webhook signing keys)` });
    const change = verifyChange(before, integration.source);
    if (change) out.push({ ...change, spec: integration.name });
  }
  return out;
}

/** Where an Adobe I/O Events webhook fetches the public keys that decide which requests are genuine. */
function signingKeyHost(source: CompiledSource | undefined): string | undefined {
  if (source?.kind !== 'webhook' || source.adobe?.scheme !== 'io_events') return undefined;
  return hostOf(source.adobe.keyBaseUrl);
}

/** Where a connection sends requests (and credentials): its base URL's host, an absolute token URL's, URL options'. */
function hostsOf(connection: CompiledConnection): string[] {
  const hosts = [hostOf(connection.baseUrl)];
  if (connection.auth.type === 'oauth2_client_credentials' && ABSOLUTE_URL.test(connection.auth.tokenUrl))
    hosts.push(`${hostOf(connection.auth.tokenUrl)} (token URL)`);
  for (const [name, value] of Object.entries(connection.options))
    if (typeof value === 'string' && ABSOLUTE_URL.test(value)) hosts.push(`${hostOf(value)} (option ${name})`);
  return hosts;
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The host of a URL, or the URL as written when the environment decides it (`${env:MAGENTO_URL}`). */
function hostOf(url: string): string {
  if (referencedVariables(url).length > 0 && !/^[a-z]+:\/\/[^/$]+/i.test(url)) return url;
  return URL.parse(url.replace(/\$\{env:[^}]*\}/g, 'x'))?.host ?? url;
}

/** [spec, variable] for every reference a spec makes the engine resolve. */
function secretRefs(set: CompiledSpecSet | undefined): [string, string][] {
  if (!set) return [];
  const out: [string, string][] = [];
  for (const c of set.connections.values()) {
    const texts = [c.baseUrl, ...Object.values(c.auth), ...Object.values(c.options)];
    for (const text of texts)
      if (typeof text === 'string') for (const v of referencedVariables(text)) out.push([c.name, v]);
  }
  for (const i of set.integrations.values()) {
    if (i.source.kind !== 'webhook') continue;
    const texts = [i.source.verify?.secret, ...Object.values(i.source.adobe ?? {})];
    for (const text of texts)
      if (typeof text === 'string') for (const v of referencedVariables(text)) out.push([i.name, v]);
  }
  return out;
}

function verifyChange(
  before: CompiledSource | undefined,
  after: CompiledSource,
): Omit<SecurityChange, 'spec'> | undefined {
  if (after.kind !== 'webhook') return undefined;
  const was = before?.kind === 'webhook' ? before : undefined;
  const verified = (s: typeof was) => !!s && (s.verify !== undefined || s.adobe !== undefined);
  if (!verified(after)) {
    if (!before)
      return { kind: 'verify-removed', detail: 'a new webhook without signature verification (verify: none)' };
    if (verified(was)) return { kind: 'verify-removed', detail: 'signature verification turned off (verify: none)' };
    return undefined;
  }
  const window = was?.verify?.timestamp?.toleranceMs;
  const now = after.verify?.timestamp?.toleranceMs;
  if (window !== undefined && now === undefined)
    return { kind: 'verify-weakened', detail: 'replay protection (signed timestamp) removed' };
  if (window !== undefined && now !== undefined && now > window)
    return { kind: 'verify-weakened', detail: `replay window widened from ${window / 1000} s to ${now / 1000} s` };
  return undefined;
}
