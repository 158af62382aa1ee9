/**
 * `fetch` for the engine's own side requests (alert receivers, Adobe's webhook signing keys), under the same outbound
 * rules as connections: the URL passes the SSRF guard, the addresses its host resolves to are checked at connect time,
 * and a redirect is never followed (its target would skip the URL check, and an IP literal the lookup too).
 */
import { Agent } from 'undici';
import { PUBLIC_ONLY, assertOutboundAllowed, guardedLookup } from './outbound-guard.js';
import type { OutboundPolicy } from './outbound-guard.js';

/** The answer, read whole; a 3xx comes back as it is, for the caller to treat as the failure it is. */
interface GuardedAnswer {
  status: number;
  text: string;
}

/** Throws OutboundBlockedError for a target the policy does not allow, before anything is sent. */
export async function guardedFetch(
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number },
  outbound: OutboundPolicy = PUBLIC_ONLY,
): Promise<GuardedAnswer> {
  assertOutboundAllowed(url, outbound);
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(outbound) } });
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs),
      redirect: 'manual',
      // undici's fetch takes its dispatcher here; Node's RequestInit type does not declare it.
      ...({ dispatcher } as object),
    });
    return { status: res.status, text: await res.text() };
  } finally {
    await dispatcher.close();
  }
}
