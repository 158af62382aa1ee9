/**
 * `junction xref import`: a CSV of existing links (the old iPaaS's export, a spreadsheet; a million rows is usual)
 * read as a stream, never whole. The file is read twice: first to check every line, so a bad line at the end stops
 * the import before anything is written; then to write, a few dozen links at a time in the file's order, so a write
 * that fails (the broker gone) says exactly which lines were imported, which may be, and where it stopped.
 */
import { createReadStream } from 'node:fs';
import { CsvReader, CsvRowTooLongError } from '../../compiler/csv.js';
import type { CsvRow } from '../../compiler/csv.js';
import type { XrefEntry, XrefWriteReport } from '../../runtime/stores/xref-store.js';
import { addToTally, emptyTally } from './xref-write-tally.js';
import type { XrefWriteTally } from './xref-write-tally.js';

/** A row longer than this is no link (ids are short): a quote never closed would otherwise take in the whole file. */
export const MAX_XREF_ROW_CHARS = 64 * 1024;

/** The columns holding the source and the target ids. */
export interface XrefColumns {
  source: string;
  target: string;
}

/** A line of the file that cannot be imported, at its 1-based line and column. */
export class XrefCsvError extends Error {
  override name = 'XrefCsvError';
  constructor(
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    super(`line ${line}:${col}: ${reason}`);
  }
}

/** One link, the line it is on and the column of its target id. */
interface XrefRow {
  entry: XrefEntry;
  line: number;
  targetCol: number;
}

/** The rows of `file` as they are read; a header without the columns or a row without both ids is an XrefCsvError. */
async function* xrefRows(file: string, map: string, columns: XrefColumns): AsyncGenerator<XrefRow> {
  const reader = new CsvReader(MAX_XREF_ROW_CHARS);
  let at: { source: number; target: number } | undefined;
  let first = true;
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  // The first row is the header; each row after it one link.
  function* links(rows: CsvRow[]): Generator<XrefRow> {
    for (const row of rows) {
      if (at) yield link(row, at, map, columns);
      else at = headerColumns(row, columns);
    }
  }
  try {
    for await (const chunk of stream) {
      yield* links(reader.push(first ? (chunk as string).replace(/^\uFEFF/, '') : (chunk as string)));
      first = false;
    }
    yield* links(reader.end());
  } catch (error) {
    if (error instanceof CsvRowTooLongError) throw new XrefCsvError(error.line, error.col, error.message);
    throw error;
  } finally {
    stream.destroy();
  }
  if (!at) throw new XrefCsvError(1, 1, 'the file is empty: it needs a header row, then one link per row');
}

function headerColumns(row: CsvRow, columns: XrefColumns): { source: number; target: number } {
  const header = row.fields.map((h) => h.trim());
  const at = { source: header.indexOf(columns.source), target: header.indexOf(columns.target) };
  const missing = [columns.source, columns.target].filter((c, i) => [at.source, at.target][i] < 0);
  if (missing.length > 0)
    throw new XrefCsvError(
      row.line,
      1,
      `no column ${missing.map((m) => JSON.stringify(m)).join(' or ')} in the header (${header.join(', ')}); name them with --source-column and --target-column`,
    );
  return at;
}

function link(row: CsvRow, at: { source: number; target: number }, map: string, columns: XrefColumns): XrefRow {
  // A short row has no field there: point just past its last field.
  const colOf = (index: number) =>
    row.cols[index] ?? row.cols[row.cols.length - 1] + row.fields[row.fields.length - 1].length + 1;
  const id = (which: 'source' | 'target') => {
    const value = (row.fields[at[which]] ?? '').trim();
    const col = colOf(at[which]);
    if (value === '') throw new XrefCsvError(row.line, col, `empty ${columns[which]}`);
    if (value.includes('\uFFFD'))
      throw new XrefCsvError(row.line, col, `${columns[which]} has bytes that are not UTF-8 (saved as Latin-1?)`);
    return value;
  };
  const entry = { map, sourceId: id('source'), targetId: id('target') };
  return { entry, line: row.line, targetCol: colOf(at.target) };
}

/**
 * Checks every line without writing; returns each source id's target id. A source id mapped to two targets is an
 * XrefCsvError at the second, as neither can be trusted. Only the ids are kept, so memory grows with the links, not
 * with the file's other columns.
 */
export async function checkXrefCsv(file: string, map: string, columns: XrefColumns): Promise<Map<string, string>> {
  const targets = new Map<string, string>();
  for await (const { entry, line, targetCol } of xrefRows(file, map, columns)) {
    const before = targets.get(entry.sourceId);
    if (before === undefined) targets.set(entry.sourceId, entry.targetId);
    else if (before !== entry.targetId) {
      const first = await firstLineOf(file, map, columns, entry.sourceId);
      throw new XrefCsvError(
        line,
        targetCol,
        `${entry.sourceId} maps to ${entry.targetId} here and to ${before} on line ${first}`,
      );
    }
  }
  return targets;
}

/** The line of the first row of `sourceId` (read again: the check keeps no line numbers, for its memory's sake). */
async function firstLineOf(file: string, map: string, columns: XrefColumns, sourceId: string): Promise<number> {
  for await (const { entry, line } of xrefRows(file, map, columns)) if (entry.sourceId === sourceId) return line;
  throw new Error(`${sourceId} is no longer in ${file}`);
}

/**
 * Where an import stopped: every row up to `lastLine` was imported, the row at `line` was not (its write failed, or
 * it could not be read). Writes of later rows already under way were waited for: `inFlightThroughLine` is the last of
 * them (those that failed may be stored or not). `tally` counts every write that succeeded, these included.
 */
export class XrefImportStoppedError extends Error {
  override name = 'XrefImportStoppedError';
  constructor(
    readonly tally: XrefWriteTally,
    readonly lastLine: number | undefined,
    readonly line: number,
    override readonly cause: unknown,
    readonly inFlightThroughLine: number | undefined,
  ) {
    super(`stopped at line ${line}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** A link's write under way: its row's line, the last row read before it, and what the write did or why it failed. */
interface PendingWrite {
  line: number;
  after: number | undefined;
  outcome: Promise<{ written: XrefWriteReport } | { failed: unknown }>;
}

/**
 * Writes the links of a file {@link checkXrefCsv} passed, up to `concurrency` at a time; a row repeating an earlier
 * one is skipped. `write` writes one link (XrefStore.write); `report` hears what each write did, in the file's order
 * (so the tally keeps the first links of the file), before it is added to the tally. At the first write that fails
 * no other is started, those under way are waited for, and an {@link XrefImportStoppedError} says what is stored.
 */
export async function importXrefCsv(
  file: string,
  map: string,
  columns: XrefColumns,
  checked: Map<string, string>,
  write: (entry: XrefEntry) => Promise<XrefWriteReport>,
  report: (written: XrefWriteReport) => void,
  concurrency: number,
): Promise<XrefWriteTally> {
  const tally = emptyTally();
  const record = (written: XrefWriteReport) => {
    report(written);
    addToTally(tally, written);
  };
  const pending: PendingWrite[] = [];
  let failing = false;
  let lastLine: number | undefined;
  let unread: { line: number; cause: unknown } | undefined;
  try {
    for await (const row of xrefRows(file, map, columns)) {
      // The first row of each source id is written (its later rows are the same link: the check refused others).
      if (checked.delete(row.entry.sourceId)) {
        // The oldest write is waited for first, so no more than `concurrency` results are ever held; a failed one
        // stays for the end, which says where the import stopped.
        if (pending.length === concurrency) {
          const oldest = await pending[0].outcome;
          if ('written' in oldest) {
            pending.shift();
            record(oldest.written);
          }
        }
        if (failing) break;
        const outcome = write(row.entry).then(
          (written) => ({ written }),
          (failed: unknown) => {
            failing = true;
            return { failed };
          },
        );
        pending.push({ line: row.line, after: lastLine, outcome });
      }
      lastLine = row.line;
    }
  } catch (error) {
    // The file changed since it was checked, or cannot be read any more.
    unread = { line: error instanceof XrefCsvError ? error.line : (lastLine ?? 1), cause: error };
  }
  // The writes under way end before the import does; every one that succeeded is counted, in the file's order.
  const outcomes = await Promise.all(pending.map((p) => p.outcome));
  for (const outcome of outcomes) if ('written' in outcome) record(outcome.written);
  const stop = outcomes.findIndex((outcome) => 'failed' in outcome);
  if (stop >= 0) {
    const { line, after } = pending[stop];
    const through = pending[pending.length - 1].line;
    const { failed } = outcomes[stop] as { failed: unknown };
    throw new XrefImportStoppedError(tally, after, line, failed, through > line ? through : undefined);
  }
  if (unread) throw new XrefImportStoppedError(tally, lastLine, unread.line, unread.cause, undefined);
  return tally;
}
