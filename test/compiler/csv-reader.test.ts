/**
 * The CSV reader gives the same rows, lines and columns whether the text comes whole or in pieces cut anywhere (a
 * stream's chunks end inside a quoted field, between `\r` and `\n`, between the quotes of an escaped `""`).
 */
import { expect, it } from 'vitest';
import { CsvReader, CsvRowTooLongError } from '../../engine/compiler/csv.js';
import type { CsvRow } from '../../engine/compiler/csv.js';

const TEXT = 'id,name\r\n1,"Ada\r\nLovelace"\r\n\r\n"2","say ""hi"", then go"\r3,\n,\n4,last';

function readInPieces(text: string, size: number): CsvRow[] {
  const reader = new CsvReader();
  const rows: CsvRow[] = [];
  for (let i = 0; i < text.length; i += size) rows.push(...reader.push(text.slice(i, i + size)));
  return [...rows, ...reader.end()];
}

it('reads rows with the line and column each starts at, in pieces of any size alike', () => {
  const whole = readInPieces(TEXT, TEXT.length);
  expect(whole).toEqual([
    { fields: ['id', 'name'], line: 1, cols: [1, 4] },
    { fields: ['1', 'Ada\r\nLovelace'], line: 2, cols: [1, 3] },
    { fields: ['2', 'say "hi", then go'], line: 5, cols: [1, 5] },
    { fields: ['3', ''], line: 6, cols: [1, 3] },
    { fields: ['4', 'last'], line: 8, cols: [1, 3] },
  ]);
  for (let size = 1; size < TEXT.length; size++) expect(readInPieces(TEXT, size)).toEqual(whole);
});

it('refuses a row over its limit at the quote that was never closed', () => {
  const reader = new CsvReader(20);
  reader.push('id,name\n1,ok\n2,"never closed\n');
  let thrown: unknown;
  try {
    reader.push('3,more text than fits\n');
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CsvRowTooLongError);
  expect({ ...(thrown as CsvRowTooLongError), message: (thrown as Error).message }).toEqual({
    name: 'CsvRowTooLongError',
    line: 3,
    col: 3,
    message: 'a row of over 20 characters starts here (a quote opened and never closed?)',
  });
});
