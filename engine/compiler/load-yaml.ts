/**
 * Parses one spec file's bytes into a YAML document with source positions. Every kind of bad input (empty, binary,
 * huge, several documents, tabs, duplicate keys, alias bombs) becomes a diagnostic instead of an exception.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { SpecFile } from './spec-file.js';

export const MAX_SPEC_BYTES = 1024 * 1024;
/** Aliases allowed per document: enough for real anchors, far too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

export type LoadResult = { ok: true; spec: SpecFile } | { ok: false; diagnostics: Diagnostic[] };

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
  if (text === undefined)
    return fail(file, 'file-not-text', 'the file is binary or not UTF-8 text; a spec must be a UTF-8 YAML file');
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
      diagnostics: problems.map((e) => {
        const { line, col } = at(e.pos[0]);
        if (e.code === 'TAG_RESOLVE_FAILED')
          return diag(file, line, col, 'yaml-tag', describeTag(text.slice(e.pos[0], e.pos[1])));
        const code: DiagnosticCode = e.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax';
        return diag(file, line, col, code, describeYamlError(e.code, e.message));
      }),
    };
  }
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

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

function describeYamlError(code: string, message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAB_AS_INDENT') return `${first}; indent with spaces, never tabs`;
  if (code === 'DUPLICATE_KEY') return `${first}; each key may appear once in a mapping`;
  return first;
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
