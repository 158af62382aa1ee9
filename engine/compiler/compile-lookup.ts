/** Stage 3 for Lookup specs: build the table from inline entries or a CSV file next to the spec. */
import type { CompiledLookup } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { parseCsv } from './csv.js';
import type { ValidatedSpec } from './parse-specs.js';

export function compileLookup(
  ctx: CompileContext,
  { spec, value }: ValidatedSpec<'Lookup'>,
  treePath: string,
): CompiledLookup | undefined {
  const csv = value.csv;
  if ((value.entries !== undefined) === (csv !== undefined)) {
    ctx.error(spec, [], 'lookup-source', 'a lookup needs exactly one of `entries` (an inline table) or `csv` (a file)');
    return undefined;
  }
  let entries: Map<string, unknown>;
  if (csv) {
    const csvPath = joinTreePath(treePath, csv.file);
    const file = ctx.tree.files.find((f) => f.path === csvPath);
    if (!file) {
      ctx.error(
        spec,
        ['csv', 'file'],
        'lookup-source',
        `CSV file ${JSON.stringify(csv.file)} not found next to the spec (looked for ${csvPath})`,
      );
      return undefined;
    }
    const rows = parseCsv(file.bytes.toString('utf8'));
    const header = rows[0] ?? [];
    const keyIndex = header.indexOf(csv.key_column);
    const valueIndex = header.indexOf(csv.value_column);
    if (keyIndex < 0 || valueIndex < 0) {
      const missing = keyIndex < 0 ? csv.key_column : csv.value_column;
      ctx.error(
        spec,
        ['csv', keyIndex < 0 ? 'key_column' : 'value_column'],
        'lookup-source',
        `column ${JSON.stringify(missing)} is not in the CSV header (${header.join(', ')})`,
      );
      return undefined;
    }
    entries = new Map(
      rows
        .slice(1)
        .filter((r) => r.length > keyIndex)
        .map((r) => [r[keyIndex], r[valueIndex]]),
    );
  } else {
    entries = new Map(Object.entries(value.entries ?? {}));
  }
  return { name: value.name, entries, defaultValue: value.default, file: spec.file };
}

/** Resolves `file` relative to the directory of the spec at `specPath` inside the tree. */
function joinTreePath(specPath: string, file: string): string {
  const parts = specPath.split('/').slice(0, -1);
  for (const part of file.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}
