/** The generic emulator's store: JSON records by collection and id. */

/** A stored record. */
export type Row = Record<string, unknown>;

/** Collections by name, created on first use; ids are strings. */
export interface HttpState {
  collections: Map<string, Map<string, Row>>;
  counter: number;
}

/** An empty store. */
export function emptyHttpState(): HttpState {
  return { collections: new Map(), counter: 0 };
}

/** The collection, created on first use. */
export function collection(state: HttpState, name: string): Map<string, Row> {
  let rows = state.collections.get(name);
  if (!rows) state.collections.set(name, (rows = new Map()));
  return rows;
}
