/**
 * The M3 side of the BNG <-> M3 end-to-end tests: M3's answer to a transaction lost after it committed (`lost`) or
 * given after the client timed out (`late`), and read-backs of what M3 and BNG received.
 */
import type { Fault } from '../../../engine/sdk/index.js';
import { answerLate, answerLost } from './faults.js';
import type { SeedEngine } from './seed-engine.js';

/** M3's MI REST v2 execute endpoint, the prefix of every transaction's path. */
export const MI = '/m3api-rest/v2/execute';

/** M3 commits `transaction` (`PROGRAM/Transaction`), then the connection drops before the answer. */
export const lost = (transaction: string): Fault => answerLost(`${MI}/${transaction}`);
/** M3 commits `transaction` once the client (1 s timeout with `fastTimeouts`) has given up, before its retry. */
export const late = (transaction: string): Fault => answerLate(`${MI}/${transaction}`);

type M3Tables = SeedEngine['systems']['m3']['state']['tables'];

/** Read-backs over a seed engine, read when called. */
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
