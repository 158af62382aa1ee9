/**
 * The org's records: the one place where a record is created, changed or deleted. Each write stamps the system
 * fields (CreatedDate, LastModifiedDate, SystemModstamp) from the emulator's clock, and every change is announced to
 * the subscribers (polling tests, Change Data Capture) once it is committed; inside a transaction (an allOrNone
 * composite) changes are announced only if it commits, and undone if it does not.
 */
import { canonicalId } from './record-ids.js';
import { changedFields, salesforceDateTime } from './record-changes.js';
import type { RecordChange } from './record-changes.js';

/** A stored record. */
export type Row = Record<string, unknown>;

export type ChangeListener = (change: RecordChange) => void;

/** Records per object, keyed by canonical 18-character id. */
export class RecordStore {
  private tables: Map<string, Map<string, Row>>;
  private readonly listeners = new Set<ChangeListener>();
  private pending: RecordChange[] | undefined;

  constructor(
    objects: readonly string[],
    /** The emulator's clock (epoch ms). */
    private readonly now: () => number = Date.now,
  ) {
    this.tables = new Map(objects.map((o) => [o, new Map()]));
  }
  /** The objects the org has. */
  objects(): string[] {
    return [...this.tables.keys()];
  }

  /** Empties every object (a reset; nothing is announced). */
  clear(): void {
    for (const rows of this.tables.values()) rows.clear();
  }

  /** True when the org has this object. */
  has(sobject: string): boolean {
    return this.tables.has(sobject);
  }

  /** A record by id in either form; undefined when absent or when the object is unknown. */
  get(sobject: string, id: unknown): Row | undefined {
    const key = canonicalId(id);
    return key === undefined ? undefined : this.tables.get(sobject)?.get(key);
  }

  /** Which object a record id belongs to, if the org has it. */
  objectOf(id: unknown): string | undefined {
    const key = canonicalId(id);
    if (key === undefined) return undefined;
    for (const [sobject, rows] of this.tables) if (rows.has(key)) return sobject;
    return undefined;
  }

  /** Every record of an object, in creation order. */
  rows(sobject: string): Row[] {
    return [...(this.tables.get(sobject)?.values() ?? [])];
  }

  /**
   * Stores a new record (its `Id` set by the caller, kept in the 18-character form) and stamps it; `seed` records
   * (the org as it starts) are not announced. An id the org already has is refused: ids are unique in an org, and
   * an insert that replaced a record would silently lose it (a test's hand-made id can equal one the org issued).
   */
  insert(sobject: string, row: Row, options: { seed?: boolean } = {}): Row {
    const at = this.now();
    const stamp = salesforceDateTime(at);
    const Id = canonicalId(row.Id);
    if (Id === undefined) throw new Error(`[emulator] ${sobject} insert: ${JSON.stringify(row.Id)} is not a record id`);
    const taken = this.objectOf(Id);
    if (taken)
      throw new Error(
        `[emulator] ${sobject} insert: id ${Id} is already the ${taken} record's; a new record needs an unused id ` +
          '(change the existing record with update)',
      );
    const stored = { ...row, Id, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp };
    this.tables.get(sobject)!.set(Id, stored);
    if (!options.seed) this.announce({ sobject, type: 'CREATE', id: Id, record: stored, changed: [], at });
    return stored;
  }

  /** Applies a change to an existing record and stamps it. */
  update(sobject: string, id: string, changes: Row): Row {
    const at = this.now();
    const stamp = salesforceDateTime(at);
    const key = canonicalId(id)!;
    const before = this.tables.get(sobject)!.get(key)!;
    const stored = { ...before, ...changes, Id: key, LastModifiedDate: stamp, SystemModstamp: stamp };
    this.tables.get(sobject)!.set(key, stored);
    this.announce({ sobject, type: 'UPDATE', id: key, record: stored, changed: changedFields(before, stored), at });
    return stored;
  }

  /** Deletes a record. */
  remove(sobject: string, id: string): void {
    const key = canonicalId(id)!;
    const record = this.tables.get(sobject)!.get(key)!;
    this.tables.get(sobject)!.delete(key);
    this.announce({ sobject, type: 'DELETE', id: key, record, changed: [], at: this.now() });
  }

  /** Calls `listener` after every committed change; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `work`; keeps its changes (and announces them) only when `commits(result)` says so. */
  transaction<T>(work: () => T, commits: (result: T) => boolean): T {
    const snapshot = new Map([...this.tables].map(([name, rows]) => [name, new Map(rows)]));
    const outer = this.pending;
    this.pending = [];
    let result: T;
    let keep = false;
    try {
      result = work();
      keep = commits(result);
    } finally {
      const changes = this.pending;
      this.pending = outer;
      if (keep) for (const change of changes) this.announce(change);
      else this.tables = snapshot;
    }
    return result;
  }

  private announce(change: RecordChange): void {
    if (this.pending) this.pending.push(change);
    else for (const listener of this.listeners) listener(change);
  }
}
