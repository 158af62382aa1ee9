/**
 * Turns ajv errors into diagnostics at the exact YAML position (STYLE.md rule 6): an unknown property points at the
 * key itself, a missing one at its parent mapping, anything else at the offending value.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import { isMap } from 'yaml';
import { keyPosition, nodeAt, valuePosition } from './source-position.js';
import type { JsonPath } from './source-position.js';
import type { SpecFile } from './spec-file.js';
import { closestMatch } from './suggest.js';

export function schemaDiagnostics(
  spec: SpecFile,
  errors: readonly ErrorObject[],
  basePath: JsonPath = [],
): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  // Split once, when first needed: a generated file can hold thousands of unknown keys.
  let lines: string[] | undefined;
  const textLines = () => (lines ??= spec.text.split(/\r?\n/));
  for (const error of errors) {
    if (error.keyword === 'if' || (error.keyword === 'oneOf' && hasSiblingDetail(error, errors))) continue;
    const path = [...basePath, ...pointerToPath(error.instancePath)];
    const d = toDiagnostic(spec, error, path, textLines);
    const id = `${d.line}:${d.col}:${d.code}:${d.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(d);
    }
  }
  return out;
}

function toDiagnostic(spec: SpecFile, error: ErrorObject, path: JsonPath, textLines: () => string[]): Diagnostic {
  const where = describePath(path);
  const make = (code: DiagnosticCode, message: string, pos = valuePosition(spec, path)): Diagnostic => ({
    file: spec.file,
    ...pos,
    severity: 'error',
    code,
    message,
  });
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return make(
        'missing-property',
        `${where} is missing the required property \`${String(params.missingProperty)}\``,
      );
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(((error.parentSchema as Record<string, unknown>)?.properties ?? {}) as object);
      const hint = closestMatch(key, allowed);
      const suffix = hint ? `; did you mean \`${hint}\`?` : allowed.length ? `; allowed: ${allowed.join(', ')}` : '';
      const pos = keyPosition(spec, path, key);
      const block = endsBlockScalar(textLines(), pos.line);
      return make('unknown-property', `unknown property \`${key}\` in ${where}${block ?? suffix}`, pos);
    }
    case 'type': {
      const node = nodeAt(spec, path);
      const items =
        params.type === 'array' && isMap(node) && !node.flow
          ? ': write each item on a line of its own that starts with `- `'
          : '';
      return make(
        'invalid-type',
        `${where} must be ${article(String(params.type))}, got ${typeName(error.data)}${items}`,
      );
    }
    case 'const':
      return make(
        'invalid-value',
        `${where} must be ${JSON.stringify(params.allowedValue)}, got ${JSON.stringify(error.data)}`,
      );
    case 'enum':
      return make(
        'invalid-value',
        `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(error.data)}`,
      );
    case 'pattern':
      if (String(error.schemaPath).includes('secret_ref')) {
        // A reference written wrong (`${vault:X}`, `${env:my-token}`) is no literal secret: say what is wrong.
        if (typeof error.data === 'string' && /^\$\{?[A-Za-z]+:/.test(error.data))
          return make(
            'secret-literal',
            `${where} is not a well-formed environment reference: write \${env:NAME}, NAME being letters, ` +
              'digits and underscores, not starting with a digit',
          );
        return make(
          'secret-literal',
          `${where} holds a literal secret; write it as an environment reference like \${env:MY_SECRET}`,
        );
      }
      return make(
        'invalid-format',
        `${where} ${describeFormat(error)}, got ${JSON.stringify(error.data)}${nameHint(error)}`,
      );
    case 'discriminator': {
      const tag = String(params.tag);
      const variants = ((error.parentSchema as { oneOf?: { $ref?: string }[] })?.oneOf ?? []).map(
        (v) =>
          v.$ref
            ?.split('/')
            .pop()
            ?.replace(/^auth_/, '') ?? '?',
      );
      const tagPath = [...path, tag];
      return make(
        'invalid-value',
        `${describePath(tagPath)} must be one of ${variants.join(', ')}`,
        valuePosition(spec, tagPath),
      );
    }
    case 'minProperties':
    case 'maxProperties': {
      // A choice of exactly one key (an integration's source, an alert's condition or receiver): name the choices.
      const parent = error.parentSchema as { minProperties?: number; maxProperties?: number; properties?: object };
      const keys = Object.keys(parent?.properties ?? {});
      if (parent?.minProperties === 1 && parent.maxProperties === 1 && keys.length > 1)
        return make(
          'invalid-value',
          `${where} must have exactly one of ${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}`,
        );
      return make('invalid-value', `${where} ${error.message}`);
    }
    default:
      return make('invalid-value', `${where} ${error.message ?? 'is invalid'}`);
  }
}

function hasSiblingDetail(error: ErrorObject, errors: readonly ErrorObject[]): boolean {
  return errors.some((e) => e !== error && e.instancePath.startsWith(error.instancePath) && e.keyword !== 'oneOf');
}

/** For a spec name that breaks the rule (`Orders_To_FF`, too long): the name that keeps it. */
function nameHint(error: ErrorObject): string {
  if (!String(error.schemaPath).includes('common.schema.json#/definitions/name') || typeof error.data !== 'string')
    return '';
  const pattern = new RegExp((error.params as { pattern: string }).pattern);
  const fixed = error.data
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  const long = error.data.length > 63 ? ` (${error.data.length} characters)` : '';
  return pattern.test(fixed) ? `${long}; did you mean \`${fixed}\`?` : long;
}

function describeFormat(error: ErrorObject): string {
  const schema = error.parentSchema as { description?: string } | undefined;
  return schema?.description
    ? `is not valid (${schema.description.replace(/\.$/, '')})`
    : `must match ${JSON.stringify((error.params as { pattern: string }).pattern)}`;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describePath(path: JsonPath): string {
  if (path.length === 0) return 'the spec';
  return '`' + path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') + '`';
}

/** `an array`; for a choice of types (ajv joins them with commas), `an array or an object`. */
function article(type: string): string {
  const one = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
  return type.split(',').map(one).join(' or ');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return article(typeof value === 'object' ? 'object' : typeof value);
}

/**
 * When the line of an unknown key comes right after the text of a block scalar (`body: |`) of its own mapping, and is
 * less indented than that text, YAML ended the block there: the key is most likely a line of the text. Says so.
 */
function endsBlockScalar(lines: readonly string[], line: number): string | undefined {
  const indentOf = (l: string) => /^ */.exec(l)![0].length;
  const keyIndent = indentOf(lines[line - 1] ?? '');
  let contentIndent: number | undefined;
  for (let i = line - 2; i >= 0; i--) {
    if (lines[i].trim() === '') continue;
    if (indentOf(lines[i]) > keyIndent) {
      contentIndent = indentOf(lines[i]);
      continue;
    }
    const header = /^( *(?:- +)?)([^\s:#][^:#]*):[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$/.exec(lines[i]);
    if (!header || contentIndent === undefined || header[1].length !== keyIndent) return undefined;
    return (
      `: it stands right after the text of \`${header[2].trim()}\` (line ${i + 1}) and is indented less, which ends ` +
      `that text; if it is part of it, indent it like the text's lines (column ${contentIndent + 1})`
    );
  }
  return undefined;
}
