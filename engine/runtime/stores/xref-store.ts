/**
 * Cross-references as operators see them (`junction xref`): list, read, write and delete entries of the
 * `junction_xref` bucket that the engine's replicas follow. Writes report what they changed, so every command can
 * audit it; an import never silently replaces a different existing target id unless asked to.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { listLiveEntries, readLiveEntry } from '../broker/kv-listing.js';
import { fromKeyToken, keyToken } from '../broker/subjects.js';
import { xrefKey } from './xref-replica.js';

export interface XrefEntry {
  map: string;
  sourceId: string;
  targetId: string;
}

export interface XrefWriteReport {
  created: XrefEntry[];
  /** Entries whose target id was replaced (only with `overwrite`). */
  changed: (XrefEntry & { previous: string })[];
  unchanged: XrefEntry[];
  /** Entries left alone because the stored target id differs (without `overwrite`). */
  conflicts: (XrefEntry & { existing: string })[];
}

export class XrefStore {
  constructor(private readonly kv: KV) {}

  /** Every entry, or those of one map, sorted by map and source id. */
  async list(map?: string): Promise<XrefEntry[]> {
    const entries = await listLiveEntries(this.kv, map ? `${keyToken(map)}.*` : '>');
    return entries
      .map((e) => {
        const [mapToken, idToken] = e.key.split('.');
        return { map: fromKeyToken(mapToken), sourceId: fromKeyToken(idToken), targetId: e.string() };
      })
      .sort((a, b) => a.map.localeCompare(b.map) || a.sourceId.localeCompare(b.sourceId, undefined, { numeric: true }));
  }

  async get(map: string, sourceId: string): Promise<string | undefined> {
    return (await readLiveEntry(this.kv, xrefKey(map, sourceId)))?.string();
  }

  /** Writes entries; an existing different target id is a conflict unless `overwrite`. `dryRun` only reports. */
  async write(entries: XrefEntry[], options: { overwrite?: boolean; dryRun?: boolean } = {}): Promise<XrefWriteReport> {
    const report: XrefWriteReport = { created: [], changed: [], unchanged: [], conflicts: [] };
    for (const entry of entries) {
      if (!options.dryRun && (await this.createNew(entry))) {
        report.created.push(entry);
        continue;
      }
      const existing = await this.get(entry.map, entry.sourceId);
      if (existing === entry.targetId) report.unchanged.push(entry);
      else if (existing !== undefined && !options.overwrite) report.conflicts.push({ ...entry, existing });
      else {
        if (!options.dryRun) await this.kv.put(xrefKey(entry.map, entry.sourceId), entry.targetId);
        if (existing === undefined) report.created.push(entry);
        else report.changed.push({ ...entry, previous: existing });
      }
    }
    return report;
  }

  /**
   * Stores a link whose key never held a value, in one request (a put expecting no earlier message for the key), as
   * most links of a first import are; false when the key holds one (or a delete marker), which then has to be read.
   */
  private async createNew(entry: XrefEntry): Promise<boolean> {
    try {
      await this.kv.put(xrefKey(entry.map, entry.sourceId), entry.targetId, { previousSeq: 0 });
      return true;
    } catch (error) {
      const held =
        error instanceof JetStreamApiError &&
        (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
          error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
      if (held) return false;
      throw error;
    }
  }

  /** Deletes an entry; returns the target id it had, or undefined when there was none. */
  async remove(map: string, sourceId: string): Promise<string | undefined> {
    const existing = await this.get(map, sourceId);
    if (existing !== undefined) await this.kv.delete(xrefKey(map, sourceId));
    return existing;
  }
}
