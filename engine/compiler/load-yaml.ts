/**
 * Parses one spec file's bytes into a YAML document with source positions. Every kind of bad input (empty, binary,
 * huge, several documents, tabs, duplicate keys, alias bombs) becomes a diagnostic instead of an exception.
 */
import { LineCounter, isCollection, isMap, isScalar, parseAllDocuments, visit } from 'yaml';
import type { Document, Scalar } from 'yaml';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { SpecFile } from './spec-file.js';

export const MAX_SPEC_BYTES = 1024 * 1024;
/** Aliases allowed per document: enough for real anchors, far too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * `partial`: a file that does not parse, with only the `kind` and `name` it states before the problem, so that what
 * it defines is not also reported as unknown wherever it is referenced.
 */
export type LoadResult = { ok: true; spec: SpecFile } | { ok: false; diagnostics: Diagnostic[]; partial?: SpecFile };

/** A spec file the tree could not read (`reason`: its errno code, or that it is a link). */
export function unreadableSpec(file: string, reason: string): LoadResult {
  return fail(
    file,
    'file-unreadable',
    `cannot read the file (${reason}): check its permissions, or replace the link with the file itself`,
  );
}

export function parseSpecText(bytes: Buffer, absolutePath: string, file: string): LoadResult {
  if (bytes.length > MAX_SPEC_BYTES) {
    return fail(
      file,
      'file-too-large',
      `the file has ${bytes.length} bytes; specs are limited to ${MAX_SPEC_BYTES} bytes, split it into several files`,
    );
  }
  const text = decodeText(bytes);
  if (text === undefined) return notText(bytes, absolutePath, file);
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text))
    return fail(file, 'file-empty', 'the file is empty; a spec needs at least apiVersion, kind and name');

  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    merge: true,
    // Only JSON's tags resolve (str, int, float, bool, null, map, seq): `!!binary`, `!!set`, `!!timestamp` and custom
    // tags stay unresolved, and each becomes a `yaml-tag` diagnostic below.
    resolveKnownTags: false,
  });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (!Array.isArray(docs)) return fail(file, 'file-empty', 'the file holds no YAML document');
  if (docs.length > 1) {
    const second = docs[1].range[0];
    const { line, col } = at(second);
    return {
      ok: false,
      diagnostics: [
        diag(
          file,
          line,
          col,
          'yaml-multiple-documents',
          `the file holds ${docs.length} YAML documents; put each spec in its own file`,
        ),
      ],
    };
  }
  const doc = docs[0];
  const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (problems.length > 0) {
    return {
      ok: false,
      partial: statedIdentity(doc, { absolutePath, file, text, lineCounter }),
      diagnostics: problems.flatMap((e, i) => {
        const { line, col } = at(e.pos[0]);
        if (e.code === 'TAG_RESOLVE_FAILED')
          return [diag(file, line, col, 'yaml-tag', describeTag(text.slice(e.pos[0], e.pos[1])))];
        if (e.code === 'DUPLICATE_KEY')
          return [diag(file, line, col, 'yaml-duplicate-key', describeDuplicateKey(doc, e.pos[0], lineCounter))];
        // The parser reports a value holding `: ` twice at one place: one explanation is enough.
        if (e.code === 'MULTILINE_IMPLICIT_KEY' && problems[i - 1]?.code === 'BLOCK_AS_IMPLICIT_KEY') {
          if (problems[i - 1].pos[0] === e.pos[0]) return [];
        }
        const opened = e.code === 'MISSING_CHAR' ? openingQuote(doc, e.pos[0]) : undefined;
        if (opened !== undefined) {
          const start = at(opened);
          const quote = text[opened];
          const message = `the ${quote === "'" ? 'single' : 'double'} quote opened here is never closed: end the value with ${quote}`;
          return [diag(file, start.line, start.col, 'yaml-syntax', message)];
        }
        const lineText = text.slice(e.pos[0] - col + 1).split(/\r?\n/, 1)[0];
        const misindented = e.message.startsWith('Sequence item without')
          ? misindentedItemLine(text, line, lineText)
          : undefined;
        if (misindented) return [diag(file, line, misindented.col, 'yaml-syntax', misindented.message)];
        return [diag(file, line, col, 'yaml-syntax', describeYamlError(e.code, e.message, lineText))];
      }),
    };
  }
  const shape = shapeProblems(doc, file, lineCounter);
  if (shape.length > 0)
    return {
      ok: false,
      partial: statedIdentity(doc, { absolutePath, file, text, lineCounter }),
      diagnostics: shape,
    };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return fail(
      file,
      'yaml-alias-limit',
      `the document expands too many aliases (${(error as Error).message}); remove the alias chain`,
    );
  }
  return { ok: true, spec: { absolutePath, file, text, doc, lineCounter, value } };
}

/**
 * What parses as YAML but has no JSON meaning: an alias of an anchor that is not set before it, and a key that is a
 * list, a mapping or empty. Found here, at their own line:col, rather than as an exception (or a Node warning and a
 * key named "[ a, b ]") when the document becomes values.
 */
function shapeProblems(doc: Document.Parsed, file: string, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (offset: number, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    out.push(diag(file, line, col, 'yaml-syntax', message));
  };
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return;
      report(
        alias.range?.[0] ?? 0,
        `the alias \`*${alias.source}\` names no anchor: an alias repeats a value marked \`&${alias.source}\` earlier ` +
          'in the same file; add the anchor there, or fix the name',
      );
    },
    Pair(_, pair) {
      const key = pair.key;
      if (isCollection(key))
        report(
          key.range?.[0] ?? 0,
          `this key is a ${isMap(key) ? 'mapping' : 'list'}: a key must be a name (quote it if it holds [ ] { } or :)`,
        );
      else if (key === null || (isScalar(key) && key.value === null && key.source === ''))
        report(
          (isScalar(key) ? key.range?.[0] : undefined) ?? (pair.value as { range?: number[] } | null)?.range?.[0] ?? 0,
          'this mapping entry has no key before its `:`; write the property name',
        );
      else if (isScalar(key) && key.value === null)
        report(key.range?.[0] ?? 0, `the key \`${key.source}\` is null, not a name; write the property name`);
    },
  });
  return out;
}

/** The spec file as far as its top-level `kind` and `name` scalars go; undefined when it states neither. */
function statedIdentity(doc: Document.Parsed, file: Omit<SpecFile, 'doc' | 'value'>): SpecFile | undefined {
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  const stated = (key: string) => {
    const node = contents.get(key, true);
    return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  };
  const [kind, name] = [stated('kind'), stated('name')];
  return kind && name ? { ...file, doc, value: { kind, name } } : undefined;
}

/**
 * Where a file stops being UTF-8 text: its first NUL byte, or first byte that is not valid UTF-8. What the rest of
 * the file states (its kind and name) still counts, as for a file that does not parse.
 */
function notText(bytes: Buffer, absolutePath: string, file: string): LoadResult {
  // Node decodes an invalid byte as U+FFFD: the first one that does not stand for the bytes EF BF BD is the culprit.
  const lossy = bytes.toString('utf8');
  let offset = 0;
  let at = 0;
  for (const ch of lossy) {
    if (ch === '\0' || (ch === '\ufffd' && !bytes.subarray(offset, offset + 3).equals(REPLACEMENT_BYTES))) break;
    offset += Buffer.byteLength(ch);
    at += ch.length;
  }
  const before = lossy.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  const byte = bytes[offset];
  const message =
    byte === 0
      ? 'the file holds a NUL byte here: it is binary, not text; a spec must be a UTF-8 YAML file'
      : `the byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} here is not UTF-8 (was the file saved as Latin-1 or Windows-1252?); save it as UTF-8`;
  const lineCounter = new LineCounter();
  const [doc] = parseAllDocuments(lossy.replace(/\0/g, ' '), { lineCounter, merge: true, resolveKnownTags: false });
  return {
    ok: false,
    diagnostics: [diag(file, line, col, 'file-not-text', message)],
    partial: doc && statedIdentity(doc, { absolutePath, file, text: lossy, lineCounter }),
  };
}

const REPLACEMENT_BYTES = Buffer.from('\ufffd', 'utf8');

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Names the repeated key and where it first stands. */
function describeDuplicateKey(doc: Document.Parsed, offset: number, lineCounter: LineCounter): string {
  let message = 'a key is repeated in this mapping; each key may appear once';
  visit(doc, {
    Map(_, map) {
      const repeated = map.items.find((p) => isScalar(p.key) && p.key.range?.[0] === offset);
      if (!repeated) return undefined;
      const key = (repeated.key as Scalar).value;
      const first = map.items.find((p) => isScalar(p.key) && p.key.value === key)!.key as Scalar;
      message = `\`${String(key)}\` is already a key of this mapping (line ${lineCounter.linePos(first.range![0]).line}); each key may appear once`;
      return visit.BREAK;
    },
  });
  return message;
}

/** The parser's message, with what a spec author can do about it. `line`: the text of the line it points at. */
function describeYamlError(code: string, message: string, line: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAB_AS_INDENT' || /^ *\t/.test(line)) return `${first}; indent with spaces, never tabs`;
  if (code === 'BLOCK_AS_IMPLICIT_KEY')
    return (
      'a value here holds `: ` (or the next line is indented under it), which YAML reads as a nested key: quote the ' +
      'value, or write an expression with a `:` (a condition `a ? b : c`, an object) as a block (`|`), or fix the ' +
      'indentation of the next line'
    );
  if (code === 'MULTILINE_IMPLICIT_KEY')
    return (
      `${first}: this line is not \`key: value\` (is the \`:\` or the space after it missing?), or the lines ` +
      'around it are not indented alike'
    );
  if (first.startsWith('Plain value cannot start with')) return `${first}; quote the value`;
  if (first.includes('Maximum call stack size exceeded'))
    return 'the YAML is nested too deeply to read (thousands of levels of [ or {): a spec needs only a few';
  if (first.startsWith('Invalid escape sequence'))
    return `${first}; in double quotes a backslash is written \\\\, or quote the value with ' instead`;
  return first;
}

/**
 * A line of a list item indented between the item's `-` and its keys (the parser's "Sequence item without -
 * indicator"): where it stands, and the two columns it can move to.
 */
function misindentedItemLine(
  text: string,
  line: number,
  lineText: string,
): { col: number; message: string } | undefined {
  const indent = /^ */.exec(lineText)![0].length;
  const lines = text.split(/\r?\n/);
  for (let i = line - 2; i >= 0; i--) {
    const item = /^( *)- +(?=\S)/.exec(lines[i]);
    const lineIndent = /^ */.exec(lines[i])![0].length;
    if (!item) {
      if (lines[i].trim() === '' || lines[i].trimStart().startsWith('#') || lineIndent > indent) continue;
      return undefined;
    }
    const [dash, keys] = [item[1].length + 1, item[0].length + 1];
    if (!(dash <= indent && indent + 1 < keys)) return undefined;
    return {
      col: indent + 1,
      message:
        `this line is indented to column ${indent + 1}, between the \`-\` of the list item on line ${i + 1} (column ` +
        `${dash}) and that item's keys (column ${keys}): indent it to column ${keys} to go on with the item, or ` +
        `start a new item with \`- \` at column ${dash}`,
    };
  }
  return undefined;
}

/** Where the quoted scalar that the parser found unclosed at `offset` opens. */
function openingQuote(doc: Document.Parsed, offset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      const range = node.range;
      if (!range || (node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE')) return;
      if (range[0] < offset && offset <= range[2] && (start === undefined || range[0] > start)) start = range[0];
    },
  });
  return start;
}

function describeTag(tag: string): string {
  return (
    `the YAML tag \`${tag}\` has no JSON equivalent; a spec holds only strings, numbers, booleans, null, lists and ` +
    'mappings: remove the tag (quote the value if it must stay text)'
  );
}

function diag(file: string, line: number, col: number, code: DiagnosticCode, message: string): Diagnostic {
  return { file, line, col, severity: 'error', code, message };
}

function fail(file: string, code: DiagnosticCode, message: string): LoadResult {
  return { ok: false, diagnostics: [diag(file, 1, 1, code, message)] };
}
