/**
 * A small RFC 4180 CSV reader: quoted fields, escaped quotes, CRLF. It reads text in pieces, so a file can be read
 * as a stream (`junction xref import` of a million rows) as well as whole (a lookup table), and says where each row
 * and field starts, for messages at line:col.
 */

/** One row of a CSV: its fields, the 1-based line it starts on, and the column each field starts at. */
export interface CsvRow {
  fields: string[];
  line: number;
  cols: number[];
}

/** A row longer than the reader's limit (a quote never closed takes in every line after it). */
export class CsvRowTooLongError extends Error {
  override name = 'CsvRowTooLongError';
  constructor(
    readonly line: number,
    readonly col: number,
    limit: number,
  ) {
    super(`a row of over ${limit} characters starts here (a quote opened and never closed?)`);
  }
}

export class CsvReader {
  private row: string[] = [];
  private cols: number[] = [];
  private field = '';
  private quoted = false;
  /** A `"` or `\r` that ended the last piece: what it means depends on the character after it. */
  private carry = '';
  private line = 1;
  private col = 1;
  private rowLine = 1;
  private rowChars = 0;
  private fieldCol = 1;
  /** Where the quote now open was opened. */
  private quoteAt = { line: 1, col: 1 };

  /** @param maxRowChars a longer row is a {@link CsvRowTooLongError}, so memory stays bounded on any input */
  constructor(private readonly maxRowChars = Infinity) {}

  /** Reads the next piece of text; returns the rows it completes (rows of empty fields only are left out). */
  push(text: string): CsvRow[] {
    return this.read(this.carry + text, false);
  }

  /** The last row, when the text did not end with a line break. */
  end(): CsvRow[] {
    const rows = this.read(this.carry, true);
    this.endRow(rows);
    return rows;
  }

  private read(text: string, final: boolean): CsvRow[] {
    const rows: CsvRow[] = [];
    this.carry = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (!final && i === text.length - 1 && (ch === '\r' || (ch === '"' && this.quoted))) {
        this.carry = ch;
        break;
      }
      if (++this.rowChars > this.maxRowChars) {
        const at = this.quoted ? this.quoteAt : { line: this.rowLine, col: 1 };
        throw new CsvRowTooLongError(at.line, at.col, this.maxRowChars);
      }
      const crlf = ch === '\r' && text[i + 1] === '\n';
      if (this.quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          this.field += '"';
          i++;
          this.col++;
        } else if (ch === '"') this.quoted = false;
        else this.field += crlf ? '\r\n' : ch;
        if (crlf) i++;
        if (ch === '\n' || ch === '\r') this.newLine();
        else this.col++;
      } else if (ch === '\n' || ch === '\r') {
        if (crlf) i++;
        this.endRow(rows);
        this.newLine();
        this.rowLine = this.line;
        this.fieldCol = 1;
      } else {
        if (ch === '"') {
          this.quoted = true;
          this.quoteAt = { line: this.line, col: this.col };
        } else if (ch === ',') {
          this.endField();
          this.fieldCol = this.col + 1;
        } else this.field += ch;
        this.col++;
      }
    }
    return rows;
  }

  private newLine(): void {
    this.line++;
    this.col = 1;
  }

  private endField(): void {
    this.row.push(this.field);
    this.cols.push(this.fieldCol);
    this.field = '';
  }

  private endRow(rows: CsvRow[]): void {
    this.endField();
    if (this.row.some((f) => f !== '')) rows.push({ fields: this.row, line: this.rowLine, cols: this.cols });
    this.row = [];
    this.cols = [];
    this.rowChars = 0;
  }
}

/** Every row of a whole CSV text (a lookup table). */
export function parseCsv(text: string): string[][] {
  const reader = new CsvReader();
  return [...reader.push(text), ...reader.end()].map((row) => row.fields);
}
