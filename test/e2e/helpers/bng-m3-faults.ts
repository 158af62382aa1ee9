/**
 * The faults and read-backs the BNG <-> M3 end-to-end tests share: M3's answer lost after it committed (`lost`), a
 * call that times out while M3 commits later (`late`), the same two on BNG's side, and what each system received.
 */
import { expect } from 'vitest';
import type { Fault } from '../../../engine/sdk/index.js';
import type { SeedEngine } from './seed-engine.js';

/** M3's MI REST v2 execute endpoint, the prefix of every transaction's path. */
export const MI = '/m3api-rest/v2/execute';

/** M3 (or BNG) commits, then the connection drops before the answer. */
export const lost = (transaction: string): Fault => ({
  dropAfterCommit: true,
  pathPrefix: `${MI}/${transaction}`,
  times: 1,
});
/** M3 commits 1.5 s later; the client (1 s timeout with `fastTimeouts`) has given up by then. */
export const late = (transaction: string): Fault => ({ delayMs: 1500, pathPrefix: `${MI}/${transaction}`, times: 1 });
/** BNG's shop emulator commits the call to `path`, then the connection drops. */
export const bngLost = (path: string): Fault => ({ dropAfterCommit: true, pathPrefix: path, times: 1 });
/** BNG saves 1.5 s later; the client has given up by then. */
export const bngLate = (path: string): Fault => ({ delayMs: 1500, pathPrefix: path, times: 1 });

type M3Tables = SeedEngine['systems']['m3']['state']['tables'];

/** Read-backs over one running seed engine. */
export function bngM3Views(h: SeedEngine) {
  return {
    /** The rows of one M3 table. */
    rows: (table: keyof M3Tables) => [...h.systems.m3.state.tables[table].values()],
    /** The transactions M3 received (`PROGRAM/Transaction`), in order. */
    transactions: (match: RegExp) =>
      h.systems.m3.requests.map((r) => r.path.slice(MI.length + 1)).filter((t) => match.test(t)),
    /** The PUTs BNG received at `path`. */
    puts: (path: string) => h.systems.bng.requests.filter((r) => r.method === 'PUT' && r.path === path),
  };
}

/** Every injected fault was hit: the flows really lost those answers. */
export async function expectFaultsUsed(h: SeedEngine): Promise<void> {
  for (const system of [h.systems.m3, h.systems.bng])
    expect(await (await fetch(`${system.url}/__emulator/faults`)).json()).toEqual([]);
}

/** Stops the engine and its systems; no dead letter may be left open. */
export async function stopWithoutDeadLetters(h: SeedEngine): Promise<void> {
  const open = await h.engine.deadLetters.list({ status: 'open' });
  await h.stop();
  expect(open.map((d) => `${d.integration}: ${d.error?.message ?? ''}`)).toEqual([]);
}
