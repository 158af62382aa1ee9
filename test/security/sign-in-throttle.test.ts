/**
 * Failed sign-ins on the operator listener (token sign-in) are throttled per client address, audited one by one up to
 * a limit for all addresses, and the rest audited as one summary per address (and one for all) and window: real HTTP
 * over loopback (client addresses 127.0.0.x), the real audit stream on a real nats-server, and the throttle's clock
 * moved by the test instead of waiting.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { ApiTokens } from '../../engine/runtime/operator/auth/api-tokens.js';
import { clientAddress } from '../../engine/runtime/operator/auth/sign-in-throttle.js';
import type { AuditEntry } from '../../engine/runtime/stores/audit-log.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { rawRequest } from './helpers/raw-request.js';

const WINDOW_MS = 60_000;
const START = Date.parse('2026-12-05T08:00:00.000Z');
let clock = START;
let h: RuntimeHarness;
let goodToken: string;

beforeAll(async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml()],
    engine: {
      operator: {
        auth: 'token',
        signInThrottle: { perAddress: 3, global: 6, windowMs: WINDOW_MS, maxAddresses: 3, now: () => clock },
      },
    },
  });
  const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  try {
    const tokens = await ApiTokens.open(new Kvm(jetstream(nc)));
    goodToken = (await tokens.create('wall', 'viewer', { createdBy: 'test' })).token;
  } finally {
    await nc.close();
  }
});

afterAll(async () => {
  await h?.dispose();
});

const BAD_TOKEN = `jct_0000000000000000_${'A'.repeat(43)}`;

const signIn = (from: string, token: string) =>
  rawRequest(`${h.engine.operatorUrl}/auth/token`, {
    method: 'POST',
    localAddress: from,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: `token=${encodeURIComponent(token)}`,
  });

/** The audit trail's sign-in entries, oldest first. */
async function signIns(): Promise<AuditEntry[]> {
  const page = await h.engine.actions.audit.recent({ limit: 500 });
  return page
    .map((p) => p.entry)
    .filter((e) => e.action === 'auth.sign-in')
    .reverse();
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('failed token sign-ins', () => {
  it('answers 429 with Retry-After past 3 failures from one address, and audits the rest as one summary', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn('127.0.0.2', BAD_TOKEN)).status).toBe(401);
    for (let i = 0; i < 4; i++) {
      clock = START + 10_000 + i * 1000;
      // A good token is refused as well: past the limit nothing sent is looked at.
      const refused = await signIn('127.0.0.2', i === 3 ? goodToken : BAD_TOKEN);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe(String(50 - i));
      expect(refused.headers['set-cookie']).toBeUndefined();
      expect(refused.text).toContain(
        `Too many failed sign-ins from your address (127.0.0.2): 3 in 1 minutes. This one was not checked; try ` +
          `again in ${50 - i} seconds (after ${iso(START + WINDOW_MS)}).`,
      );
    }
    // Another address still signs in, and its success leaves 127.0.0.2's count alone.
    const other = await signIn('127.0.0.1', goodToken);
    expect(other.status).toBe(303);
    expect(other.headers['set-cookie']?.[0]).toMatch(/^junction_session=/);
    expect((await signIn('127.0.0.2', BAD_TOKEN)).status).toBe(429);

    // The window ends: the address may try again, and the summary of its refusals is written.
    clock = START + WINDOW_MS;
    const again = await signIn('127.0.0.2', goodToken);
    expect(again.status).toBe(303);
    await waitFor(async () => (await signIns()).length === 6, 'the summary in the audit trail');
    const entries = await signIns();
    const denied = { actor: { kind: 'token', id: 'unknown' }, target: 'token', result: 'denied' };
    const bad = { ...denied, reason: 'not a valid token', detail: { address: '127.0.0.2' } };
    const ok = { actor: { kind: 'token', id: 'wall' }, target: 'token', result: 'ok', detail: { role: 'viewer' } };
    expect(entries.slice(0, 4)).toMatchObject([bad, bad, bad, ok]);
    expect(entries.slice(4)).toEqual(
      expect.arrayContaining([
        expect.objectContaining(ok),
        expect.objectContaining({
          ...denied,
          reason:
            `5 more denied sign-ins from 127.0.0.2 between ${iso(START + 10_000)} and ${iso(START + 13_000)} ` +
            '(answered 429 unchecked: the per-address limit of failed sign-ins was reached)',
          detail: { address: '127.0.0.2', refused: 5, from: iso(START + 10_000), to: iso(START + 13_000) },
        }),
      ]),
    );
  });

  it('past the global limit still checks every sign-in, and audits what comes past it as one summary', async () => {
    // The table holds 3 addresses: 127.0.0.3 and .4 are dropped (nothing to summarise) as .6 and .1 come.
    clock = START + 3 * WINDOW_MS;
    const before = (await signIns()).length;
    for (const from of ['127.0.0.3', '127.0.0.3', '127.0.0.4', '127.0.0.4', '127.0.0.5', '127.0.0.5'])
      expect((await signIn(from, BAD_TOKEN)).status, from).toBe(401);
    // Refusing now would let anyone lock every operator out: a good token still signs in, a bad one is still refused
    // as bad, and only the audit changes (counted, not written one by one).
    expect((await signIn('127.0.0.6', BAD_TOKEN)).status).toBe(401);
    expect((await signIn('127.0.0.1', BAD_TOKEN)).status).toBe(401);
    expect((await signIn('127.0.0.6', goodToken)).status).toBe(303);
    // An address past its own limit is still refused; first refused past the global limit, it gets no summary of
    // its own (an attacker with many addresses would write one each) but counts in the one for all addresses.
    expect((await signIn('127.0.0.5', BAD_TOKEN)).status).toBe(401);
    expect((await signIn('127.0.0.5', goodToken)).status).toBe(429);
    expect((await signIn('127.0.0.5', BAD_TOKEN)).status).toBe(429);
    clock = START + 4 * WINDOW_MS;
    expect((await signIn('127.0.0.6', goodToken)).status).toBe(303);
    await waitFor(async () => (await signIns()).length === before + 9, 'the summary for all addresses in the audit');
    const entries = (await signIns()).slice(before);
    expect(entries.filter((e) => e.reason === 'not a valid token')).toHaveLength(6);
    expect(entries.filter((e) => e.result === 'ok')).toHaveLength(2);
    const from = iso(START + 3 * WINDOW_MS);
    expect(entries.filter((e) => e.result === 'denied' && e.reason !== 'not a valid token')).toEqual([
      expect.objectContaining({
        reason:
          `3 more failed sign-ins from all addresses and 2 refused between ${from} and ${from} (past the limit of 6 ` +
          'audited failures per window: failures checked and counted, refusals answered 429 unchecked)',
        detail: { failed: 3, refused: 2, from, to: from },
      }),
    ]);
  });
});

describe('the table of client addresses', () => {
  it('writes the summary of an address it drops to make room, before its window ends', async () => {
    clock = START + 6 * WINDOW_MS;
    const before = (await signIns()).length;
    for (let i = 0; i < 3; i++) expect((await signIn('127.0.0.7', BAD_TOKEN)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await signIn('127.0.0.7', BAD_TOKEN)).status).toBe(429);
    // Three more addresses fill the table (3): the least recently seen, 127.0.0.7, is dropped.
    for (const from of ['127.0.0.8', '127.0.0.9', '127.0.0.10'])
      expect((await signIn(from, BAD_TOKEN)).status, from).toBe(401);
    await waitFor(async () => (await signIns()).length === before + 7, 'the dropped address summary');
    expect((await signIns()).slice(before).map((e) => e.reason)).toContain(
      `2 more denied sign-ins from 127.0.0.7 between ${iso(START + 6 * WINDOW_MS)} and ` +
        `${iso(START + 6 * WINDOW_MS)} (answered 429 unchecked: the per-address limit of failed sign-ins was reached)`,
    );
  });
});

describe('the address a sign-in is counted against', () => {
  const from = (remoteAddress: string) => clientAddress({ socket: { remoteAddress } } as IncomingMessage);

  it('is the peer, IPv4-mapped addresses as IPv4 and IPv6 as its /64', () => {
    expect(from('203.0.113.7')).toBe('203.0.113.7');
    expect(from('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(from('2001:db8:0a:0b:1:2:3:4')).toBe('2001:db8:a:b::/64');
    expect(from('2001:db8:a:b::1')).toBe('2001:db8:a:b::/64');
    expect(from('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(from('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(from('::1')).toBe('0:0:0:0::/64');
  });
});
