/**
 * A JSONata diagnostic inside a block scalar is reported where its character stands in the file: for every mix of
 * text lines, more-indented lines, tab-led lines and blank lines, under each block header, each character of the
 * parsed value maps back to the same character in the source, also under an indentation indicator (`|2`).
 */
import { isScalar, parseDocument } from 'yaml';
import type { Scalar } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scalarOffsetMap } from '../../engine/compiler/scalar-offsets.js';

const HEADERS = ['|', '|-', '|+', '>', '>-', '>+'];
const LINES = ['a', '  b', '', '\tc', 'd e'];

function* blocks(depth: number, prefix: string[] = []): Generator<string[]> {
  if (prefix.length > 0) yield prefix;
  if (depth > 0) for (const line of LINES) yield* blocks(depth - 1, [...prefix, line]);
}

/** The characters of the value that do not map onto the same character in the source. */
function misplaced(source: string, node = parseDocument(source).get('body', true) as Scalar): string[] {
  if (!isScalar(node) || typeof node.value !== 'string') return [];
  const value = node.value;
  const offsetOf = scalarOffsetMap(node, source);
  return [...value].flatMap((ch, i) => (/\S/.test(ch) && source[offsetOf(i)] !== ch ? [`${i}:${ch}`] : []));
}

describe('scalarOffsetMap', () => {
  it('maps every character of a literal or folded scalar back to its place in the file', () => {
    const wrong: string[] = [];
    for (const header of HEADERS)
      for (const lines of blocks(4)) {
        // The first line sets the indentation, so it is a plain text line.
        const source = `body: ${header}\n  x\n${lines.map((l) => (l === '' ? '' : `  ${l}`)).join('\n')}\nnext: 1\n`;
        if (parseDocument(source).errors.length > 0) continue;
        const bad = misplaced(source);
        if (bad.length > 0) wrong.push(`${JSON.stringify(source)} -> ${bad.join(' ')}`);
      }
    expect(wrong).toEqual([]);
  });

  it('maps them back under an indentation indicator too, with the first line more indented than the block', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const header of ['|2', '|2-', '|-2', '|+2', '>2', '>2-', '>-2', '>+2'])
      for (const lines of blocks(3)) {
        // `body` sits in a sequence's mapping (indented 4): `|2` makes the block's indentation 6; the first line is 8.
        const body = lines.map((l) => (l === '' ? '' : `      ${l}`)).join('\n');
        const source = `list:\n  - id: a\n    body: ${header}\n        x\n${body}\nnext: 1\n`;
        const document = parseDocument(source);
        if (document.errors.length > 0) continue;
        checked++;
        const node = document.getIn(['list', 0, 'body'], true) as Scalar;
        const bad = misplaced(source, node);
        if (bad.length > 0) wrong.push(`${JSON.stringify(source)} -> ${bad.join(' ')}`);
      }
    expect(checked).toBeGreaterThan(500);
    expect(wrong).toEqual([]);
  });
});
