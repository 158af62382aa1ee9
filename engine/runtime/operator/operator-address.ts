/**
 * Where each running engine's operator listener answers, kept in the control KV bucket (`operators.<engine id>`) so
 * the CLI finds it (`junction status` without `--url`). An engine writes its entry at start, rewrites it every
 * ADDRESS_REFRESH_MS and deletes it when it stops; an entry older than ADDRESS_STALE_MS is an engine that died
 * without deleting it (SIGKILL, a lost host). The entry holds no secret: the sign-in mode, never a token.
 */
import { hostname } from 'node:os';
import type { KV, KvEntry } from '@nats-io/kv';
import { listLiveEntries } from '../broker/kv-listing.js';
import { isLoopback } from './operator-options.js';
import type { OperatorAuthMode } from './operator-options.js';

/** One engine's operator address, as stored. */
interface OperatorAddress {
  /** The engine's id (as in leases and `junction status`). */
  engine: string;
  /** The operator URL: `--operator-url` when given, else the listener's own address (loopback for a wildcard bind). */
  url: string;
  /** The machine the engine runs on: a loopback URL answers only there. */
  host: string;
  pid: number;
  started_at: string;
  /** The sign-in the listener asks for (`token` and `oidc` take an API token in $JUNCTION_TOKEN). */
  auth: OperatorAuthMode;
}

/**
 * A stored address with how long ago its engine last rewrote it: by the broker's timestamps alone (its write against
 * the bucket's newest write), so the clock of the machine reading it does not matter.
 */
export interface SeenOperatorAddress extends OperatorAddress {
  ageMs: number;
}

const PREFIX = 'operators';
const ADDRESS_REFRESH_MS = 10_000;
/** Six missed rewrites: long enough for a stalled process or some clock skew, short enough to drop a dead engine. */
const ADDRESS_STALE_MS = 60_000;

/** The address to publish for a listener bound at `listenUrl` (`http://host:port`). */
export function operatorAddressUrl(listenUrl: string, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/$/, '');
  const url = new URL(listenUrl);
  // A wildcard bind answers on loopback too; other machines need --operator-url to know where to go.
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  return url.origin;
}

/** Publishes the address until `stop()`; a failed write is logged and tried again at the next refresh. */
export function publishOperatorAddress(
  control: KV,
  address: Omit<OperatorAddress, 'host' | 'pid'>,
  onError: (error: unknown) => void,
  refreshMs = ADDRESS_REFRESH_MS,
): { stop(): Promise<void> } {
  const key = `${PREFIX}.${address.engine}`;
  const value = JSON.stringify({ ...address, host: hostname(), pid: process.pid } satisfies OperatorAddress);
  let writing: Promise<unknown> = Promise.resolve();
  const write = () => (writing = control.put(key, value).catch(onError));
  write();
  const timer = setInterval(write, refreshMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await writing;
      await control.delete(key).catch(onError);
    },
  };
}

/**
 * The addresses of engines that rewrote theirs within ADDRESS_STALE_MS, newest first. Ages are by the broker's
 * clock: `now` is the time of the bucket's newest write (every running engine writes it every ADDRESS_REFRESH_MS at
 * least), not this machine's clock, which may be hours off the broker's (a CLI host whose clock ran ahead by more
 * than a minute found no engine at all). With no engine writing any more, the addresses left behind look as young
 * as the newest of them: the caller's probe of each URL tells running engines from silent ones.
 */
export async function readOperatorAddresses(control: KV, now?: number): Promise<SeenOperatorAddress[]> {
  const entries = await listLiveEntries(control, `${PREFIX}.>`);
  const brokerNow = now ?? (await newestWrite(control, entries));
  const seen: SeenOperatorAddress[] = [];
  for (const entry of entries) {
    let address: OperatorAddress;
    try {
      address = entry.json<OperatorAddress>();
    } catch {
      continue;
    }
    const ageMs = Math.max(0, brokerNow - entry.created.getTime());
    if (ageMs <= ADDRESS_STALE_MS && typeof address.url === 'string') seen.push({ ...address, ageMs });
  }
  return seen.sort((a, b) => a.ageMs - b.ageMs);
}

/**
 * The broker's time of the bucket's newest write (any key: addresses, the partition group's renewals, clock
 * samples), read from its stream; the newest of `entries` when the stream's state cannot be read.
 */
async function newestWrite(control: KV, entries: KvEntry[]): Promise<number> {
  const newest = Math.max(0, ...entries.map((e) => e.created.getTime()));
  const status = await control.status().catch(() => undefined);
  const lastTs = Date.parse(status?.streamInfo.state.last_ts ?? '');
  return Number.isFinite(lastTs) ? Math.max(lastTs, newest) : newest;
}

/** Whether this machine can reach the address: a loopback URL only on the engine's own host. */
export function reachableFromHere(address: OperatorAddress, here = hostname()): boolean {
  return !isLoopback(new URL(address.url).hostname) || address.host === here;
}
