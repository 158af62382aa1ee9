/** Changes to the M3 emulator's tables timed against its reads, for the poll tests. */
import type { Row } from '../../../connectors/infor_m3/emulator/state.js';

/** Commits `change` right after the next full read of `table`: M3 has answered the poll from what it read before. */
export function commitDuringNextRead(table: Map<string, Row>, change: () => void): void {
  const values = table.values.bind(table);
  table.values = (() => {
    const read = [...values()];
    table.values = values;
    change();
    return read[Symbol.iterator]();
  }) as typeof table.values;
}
