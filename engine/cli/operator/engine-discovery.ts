/**
 * Finds the running engines' operator URLs for the CLI: each engine keeps its address in the control KV bucket
 * (runtime/operator/operator-address.ts), read here over the NATS the CLI would use anyway ($JUNCTION_NATS_URL, or
 * the embedded server of a `junction run` in this directory). Engines that answer on the same URL (the workers of
 * one `junction run --workers N`) are one target.
 */
import { hostname } from 'node:os';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { resolveNatsTarget } from '../../runtime/broker/embedded-nats.js';
import { connectNats } from '../../runtime/broker/connect.js';
import { BUCKET_NAMES } from '../../runtime/broker/provision.js';
import { reachableFromHere, readOperatorAddresses } from '../../runtime/operator/operator-address.js';
import type { SeenOperatorAddress } from '../../runtime/operator/operator-address.js';

/** One operator URL and the engines answering on it. */
interface DiscoveredEngine {
  url: string;
  engines: SeenOperatorAddress[];
}

interface Discovery {
  /** The NATS server looked in (absent when there was none to look in). */
  nats?: string;
  /** Why NATS could not be read. */
  error?: string;
  /** Engines this machine can reach, one per URL, newest first. */
  found: DiscoveredEngine[];
  /** Engines on other machines that published a loopback URL (only reachable there). */
  elsewhere: SeenOperatorAddress[];
  /** Addresses where nothing answered: engines stopped without deleting theirs (SIGKILL), within ADDRESS_STALE_MS. */
  silent: DiscoveredEngine[];
}

/** The engines whose operator addresses the control bucket holds. */
export async function discoverEngines(natsFlag?: string): Promise<Discovery> {
  const target = await resolveNatsTarget(natsFlag);
  if (!target) return { found: [], elsewhere: [], silent: [] };
  let addresses: SeenOperatorAddress[];
  try {
    const nc = await connectNats(target.url, 'cli', 'junction-cli', {
      ...target.options,
      timeout: 2_000,
      maxReconnectAttempts: 0,
    });
    try {
      const control = await new Kvm(jetstream(nc)).open(BUCKET_NAMES.control, { bindOnly: true });
      // No control bucket yet: no engine ever ran on this NATS.
      addresses = await readOperatorAddresses(control).catch(() => []);
    } finally {
      await nc.close();
    }
  } catch (error) {
    return { nats: target.url, error: (error as Error).message, found: [], elsewhere: [], silent: [] };
  }
  const here = hostname();
  const byUrl = new Map<string, SeenOperatorAddress[]>();
  const elsewhere: SeenOperatorAddress[] = [];
  for (const address of addresses) {
    if (!reachableFromHere(address, here)) elsewhere.push(address);
    else byUrl.set(address.url, [...(byUrl.get(address.url) ?? []), address]);
  }
  // An engine killed outright leaves its address for up to a minute: only those that answer are running (a restart
  // under a new id would otherwise show as two engines).
  const groups = [...byUrl].map(([url, engines]) => ({ url, engines }));
  const answering = await Promise.all(groups.map((g) => answers(g.url)));
  return {
    nats: target.url,
    found: groups.filter((_, i) => answering[i]),
    elsewhere,
    silent: groups.filter((_, i) => !answering[i]),
  };
}

/** Whether anything answers HTTP at the URL (any status: sign-in refusals too). No token is sent. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(new URL('/api/session', url), { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** One line per engine: its URL, id, host, pid, start and sign-in. */
export function engineLines(found: DiscoveredEngine[]): string[] {
  return found.flatMap(({ url, engines }) =>
    engines.map(
      (e) =>
        `  ${url}  engine ${e.engine} (host ${e.host}, pid ${e.pid}, started ${e.started_at}` +
        `${e.auth === 'none' ? '' : `, sign-in ${e.auth}: API token in JUNCTION_TOKEN`})`,
    ),
  );
}

/** Where the CLI looked, for the message that found no engine. */
export function whereLooked(discovery: Discovery): string {
  const silent = discovery.silent.flatMap((g) => g.engines.map((e) => `${e.engine} at ${g.url}`)).join('; ');
  if (silent)
    return (
      `no engine on NATS at ${discovery.nats} answers (${silent}: stopped without removing the address, which ` +
      'is dropped a minute after its last refresh)'
    );
  if (discovery.error)
    return `could not read the engines' addresses from NATS at ${discovery.nats} (${discovery.error})`;
  const elsewhere = discovery.elsewhere.map((e) => `${e.engine} on host ${e.host} at ${e.url}`).join('; ');
  if (elsewhere)
    return (
      `the engines on NATS at ${discovery.nats} listen on loopback on other machines (${elsewhere}): run this there, ` +
      'or start them with --operator-url <the URL this machine reaches them at>'
    );
  if (discovery.nats) return `no engine published its operator URL on NATS at ${discovery.nats}`;
  return (
    "no NATS to look for engines in (set JUNCTION_NATS_URL to the engines' NATS, or run this in the directory " +
    'where `junction run` runs with its embedded server)'
  );
}
