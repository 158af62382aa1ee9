/**
 * Maps a character offset inside a YAML scalar's *value* back to an offset in the file, so a JSONata syntax error
 * inside a block scalar (`|`, `>`, with an indentation indicator too) or a quoted string is reported at its real
 * line:col. The mapping is rebuilt by re-reading the scalar's source the way YAML folds it, and checked against the
 * parsed value: when the two disagree (an exotic scalar form), we fall back to the start of the value.
 */
import type { Scalar } from 'yaml';

type OffsetMap = (valueOffset: number) => number;

export function scalarOffsetMap(node: Scalar, text: string): OffsetMap {
  const start = node.range?.[0] ?? 0;
  const end = node.range?.[1] ?? start;
  const value = typeof node.source === 'string' ? node.source : String(node.value);
  const matches = (built: Built | undefined): boolean =>
    built !== undefined && built.value.startsWith(value.replace(/\n+$/, ''));
  let built: Built | undefined;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const folded = node.type === 'BLOCK_FOLDED';
    built = readBlock(text, start, end, folded);
    // An indentation indicator (`|2`, `>-4`) sets the indentation, which is then less than the first line's (the
    // reason to give one): the value keeps that line's extra spaces. The indentation is the parent's plus the
    // digit, and the parent's is not in the scalar's source, so each smaller one is tried against the parsed value.
    if (!matches(built) && /^[|>][-+]?[1-9]/.test(text.slice(start, start + 3)))
      for (let indent = (built?.indent ?? 0) - 1; indent >= 1 && !matches(built); indent--)
        built = readBlock(text, start, end, folded, indent);
  } else built = readFlow(text, start, end, node.type);
  if (built && matches(built)) {
    const offsets = built.offsets;
    return (i) => offsets[Math.max(0, Math.min(i, offsets.length - 1))] ?? start;
  }
  return () => start;
}

interface Built {
  value: string;
  offsets: number[];
  /** A block scalar's indentation, as read or as given. */
  indent?: number;
}

/** A block scalar's value and offsets; its indentation is the first text line's unless `given`. */
function readBlock(text: string, start: number, end: number, folded: boolean, given?: number): Built | undefined {
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0) return undefined;
  const lines: { from: number; text: string }[] = [];
  let pos = headerEnd + 1;
  while (pos < end) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 || nl > end ? end : nl;
    // A CRLF line's '\r' is part of the break, not of the value (YAML reads both breaks as one '\n').
    lines.push({ from: pos, text: text.slice(pos, text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd) });
    pos = lineEnd + 1;
  }
  const firstContent = lines.find((l) => /[^ ]/.test(l.text));
  if (!firstContent) return { value: '', offsets: [start] };
  const indent = given ?? firstContent.text.length - firstContent.text.replace(/^ +/, '').length;
  const out: Built = { value: '', offsets: [], indent };
  const contents = lines.map((line) => line.text.slice(Math.min(indent, line.text.length)));
  contents.forEach((content, k) => {
    const from = lines[k].from;
    for (let c = 0; c < content.length; c++) push(out, content[c], from + indent + c);
    if (k < lines.length - 1) push(out, folded ? foldedBreak(contents, k) : '\n', from + lines[k].text.length);
  });
  return out;
}

/**
 * What the line break after line `k` of a folded (`>`) scalar becomes (YAML 1.2, 8.1.3): between two text lines a
 * space; before empty lines nothing (each empty line is a newline); kept as a newline next to a more-indented line.
 */
function foldedBreak(contents: string[], k: number): string {
  const isEmpty = (c: string) => c === '';
  const isFoldable = (c: string) => !isEmpty(c) && !/^\s/.test(c);
  if (isEmpty(contents[k])) return '\n';
  const next = contents.slice(k + 1).find((c) => !isEmpty(c));
  const bothFoldable = isFoldable(contents[k]) && next !== undefined && isFoldable(next);
  if (!bothFoldable) return '\n';
  return isEmpty(contents[k + 1]) ? '' : ' ';
}

function readFlow(text: string, start: number, end: number, type: Scalar['type']): Built | undefined {
  const quoted = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE';
  let pos = quoted ? start + 1 : start;
  const stop = quoted ? end - 1 : end;
  const out: Built = { value: '', offsets: [] };
  while (pos < stop) {
    const ch = text[pos];
    if (ch === '\n' || ch === '\r') {
      pos = fold(text, pos, stop, out);
      continue;
    }
    if (type === 'QUOTE_SINGLE' && ch === "'" && text[pos + 1] === "'") {
      push(out, "'", pos);
      pos += 2;
      continue;
    }
    if (type === 'QUOTE_DOUBLE' && ch === '\\') {
      pos = unescape(text, pos, stop, out);
      continue;
    }
    if ((ch === ' ' || ch === '\t') && /^[ \t]*\r?\n/.test(text.slice(pos, stop))) {
      // trailing white space before a line break is not part of the value
      pos = text.indexOf('\n', pos);
      continue;
    }
    push(out, ch, pos);
    pos++;
  }
  return out;
}

/** A line break inside a flow scalar: one break folds to a space, n+1 breaks to n newlines. */
function fold(text: string, pos: number, stop: number, out: Built): number {
  const at = pos;
  let breaks = 0;
  while (pos < stop && /[\r\n \t]/.test(text[pos])) {
    if (text[pos] === '\n') breaks++;
    pos++;
  }
  if (breaks <= 1) push(out, ' ', at);
  else for (let i = 1; i < breaks; i++) push(out, '\n', at);
  return pos;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
  '/': '/',
  '0': '\0',
  ' ': ' ',
  b: '\b',
  e: '\x1b',
  a: '\x07',
  f: '\f',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

function unescape(text: string, pos: number, stop: number, out: Built): number {
  const kind = text[pos + 1];
  if (kind === '\n' || kind === '\r') {
    pos += 2;
    while (pos < stop && /[ \t\r\n]/.test(text[pos])) pos++;
    return pos;
  }
  if (kind in HEX_LENGTH) {
    const digits = text.slice(pos + 2, pos + 2 + HEX_LENGTH[kind]);
    push(out, String.fromCodePoint(parseInt(digits, 16)), pos);
    return pos + 2 + HEX_LENGTH[kind];
  }
  push(out, SIMPLE_ESCAPES[kind] ?? kind, pos);
  return pos + 2;
}

function push(out: Built, chars: string, offset: number): void {
  out.value += chars;
  for (let i = 0; i < chars.length; i++) out.offsets.push(offset);
}
