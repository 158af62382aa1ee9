/**
 * Parses one spec file's bytes into a YAML document with source positions. Every kind of bad input (empty, binary,
 * huge, several documents, tabs, duplicate keys, alias bombs) becomes a diagnostic instead of an exception; what the
 * parser errors mean for a spec author is in yaml-mistakes.ts.
 */
import { LineCounter, isCollection, isMap, isScalar, parseAllDocuments, visit } from 'yaml';
import type { Alias, Document } from 'yaml';
import { aliasExpansion, aliasTargets, allowedAliasShare, isAliasBomb } from './alias-expansion.js';
import type { AliasExpansion } from './alias-expansion.js';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import { describeParseProblems } from './yaml-mistakes.js';
import type { SpecFile } from './spec-file.js';
import { MAX_SPEC_BYTES, OTHER_REPOSITORY } from './spec-tree.js';

/**
 * `partial`: a file that does not parse, with only the `kind` and `name` it states before the problem, so that what
 * it defines is not also reported as unknown wherever it is referenced.
 */
export type LoadResult = { ok: true; spec: SpecFile } | { ok: false; diagnostics: Diagnostic[]; partial?: SpecFile };

/** A spec file the tree could not read (`reason`: its errno code, that it is a link, or another repository). */
export function unreadableSpec(file: string, reason: string): LoadResult {
  if (reason === OTHER_REPOSITORY)
    return fail(
      file,
      'file-unreadable',
      `this directory is ${reason}, whose specs are not read: GitOps reads this repository's commits only, so ` +
        'they would never go live; copy the files into this repository, or run an engine on the other one',
    );
  return fail(
    file,
    'file-unreadable',
    `cannot read the file (${reason}): check its permissions, or replace the link with the file itself`,
  );
}

/** A spec file over the size limit (refused from its size, or from the bytes read). */
export function tooLargeSpec(file: string, size: number): LoadResult {
  return fail(
    file,
    'file-too-large',
    `the file has ${size} bytes; specs are limited to ${MAX_SPEC_BYTES} bytes, split it into several files`,
  );
}

export function parseSpecText(bytes: Buffer, absolutePath: string, file: string): LoadResult {
  if (bytes.length > MAX_SPEC_BYTES) return tooLargeSpec(file, bytes.length);
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
      partial: statedIdentity(docs[0], { absolutePath, file, text: text.slice(0, second), lineCounter }),
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
      diagnostics: describeParseProblems(doc, problems, { file, text, lineCounter }),
    };
  }
  const targets = aliasTargets(doc);
  const shape = shapeProblems(doc, targets, file, lineCounter);
  if (shape.length > 0)
    return {
      ok: false,
      partial: statedIdentity(doc, { absolutePath, file, text, lineCounter }),
      diagnostics: shape,
    };
  const expansion = aliasExpansion(doc, targets);
  if (expansion && isAliasBomb(expansion)) return { ok: false, diagnostics: [aliasBomb(expansion, file, lineCounter)] };
  // The expansion is bounded above: yaml's own per-anchor count (it refuses an anchor used 101 times) is off.
  const value: unknown = doc.toJS({ maxAliasCount: -1 });
  return { ok: true, spec: { absolutePath, file, text, doc, lineCounter, value } };
}

/**
 * What parses as YAML but has no JSON meaning: an alias of an anchor that is not set before it, and a key that is a
 * list, a mapping or empty. Found here, at their own line:col, rather than as an exception (or a Node warning and a
 * key named "[ a, b ]") when the document becomes values.
 */
function shapeProblems(
  doc: Document.Parsed,
  targets: Map<Alias, unknown>,
  file: string,
  lineCounter: LineCounter,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (offset: number, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    out.push(diag(file, line, col, 'yaml-syntax', message));
  };
  visit(doc, {
    Alias(_, alias) {
      if (targets.get(alias) !== undefined) return;
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

/** The diagnostic of an alias bomb, at its alias that repeats the most values: the last link of the chain. */
function aliasBomb(expansion: AliasExpansion, file: string, lineCounter: LineCounter): Diagnostic {
  const { values, fromAliases, worst } = expansion;
  const { line, col } = lineCounter.linePos(worst?.alias.range?.[0] ?? 0);
  const count = (n: number) => n.toLocaleString('en-US');
  return diag(
    file,
    line,
    col,
    'yaml-alias-limit',
    `the alias \`*${worst?.alias.source ?? ''}\` repeats ${count(worst?.values ?? 0)} values, and the file's aliases ` +
      `make ${count(fromAliases)} of its ${count(values)} values, over the ${Math.round(allowedAliasShare(values) * 100)}% ` +
      'allowed (an alias bomb would exhaust memory): write the values out, or remove the alias chain',
  );
}

/**
 * The spec file as far as its top-level `kind` and `name` go; undefined when it states neither. They are read from
 * the text first: where the parser stumbled, a line such as `name shop` or `name: "shop` (colon or quote missing)
 * still names the spec, so what it defines is not reported unknown wherever it is used as well.
 */
function statedIdentity(doc: Document.Parsed, file: Omit<SpecFile, 'doc' | 'value'>): SpecFile | undefined {
  const contents = doc.contents;
  const stated = (key: string) => {
    const line = new RegExp(`^[ \\t]?${key}[ \\t]*:?[ \\t]+["']?([A-Za-z0-9][\\w.-]*)`, 'm').exec(file.text)?.[1];
    if (line) return line;
    const node = isMap(contents) ? contents.get(key, true) : undefined;
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
  const message = utf16(bytes)
    ? 'the file is UTF-16 text (it starts with a UTF-16 byte order mark, as PowerShell and Notepad write it); ' +
      'save it as UTF-8'
    : byte === 0
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

/** Starts with the UTF-16 byte order mark, little- or big-endian (FF FE, FE FF). */
const utf16 = (bytes: Buffer) => (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

function diag(file: string, line: number, col: number, code: DiagnosticCode, message: string): Diagnostic {
  return { file, line, col, severity: 'error', code, message };
}

function fail(file: string, code: DiagnosticCode, message: string): LoadResult {
  return { ok: false, diagnostics: [diag(file, 1, 1, code, message)] };
}
