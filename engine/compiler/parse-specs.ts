/**
 * Stage 1 and 2: parse every YAML file of a tree and validate it against the schema of its kind. Each file is
 * handled on its own, so one bad file never hides the diagnostics of the others.
 */
import type { CompileContext } from './compile-context.js';
import { parseSpecText, tooLargeSpec, unreadableSpec } from './load-yaml.js';
import { SPEC_KINDS, kindValidator } from './schema-registry.js';
import type { SpecKind, SpecValues } from './schema-registry.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import type { SpecFile } from './spec-file.js';
import { displayPath, isSpecFile, isTestFile } from './spec-tree.js';
import { closestMatch } from './suggest.js';

/** A spec its kind's schema accepted: `value` is typed from the schema, with every default filled in. */
export type ValidatedSpec<K extends SpecKind = SpecKind> = {
  [P in K]: { kind: P; spec: SpecFile; value: SpecValues[P]; valid: true };
}[K];

/** A spec its kind's schema rejected: its name still counts (no cascade of unknown-* errors), nothing else does. */
interface RejectedSpec {
  kind: SpecKind;
  spec: SpecFile;
  value: { name?: unknown } & Record<string, unknown>;
  valid: false;
}

export type ParsedSpec = ValidatedSpec | RejectedSpec;

/** The specs of one kind that passed their schema. */
export function validSpecs<K extends SpecKind>(specs: readonly ParsedSpec[], kind: K): ValidatedSpec<K>[] {
  return specs.filter((s) => s.valid && s.kind === kind) as ValidatedSpec<K>[];
}

/** The `name` of a Connection, Integration or Lookup spec (valid or not), as a string. */
export function specName(s: ParsedSpec): string {
  return String('name' in s.value ? s.value.name : undefined);
}

export function parseAndValidate(ctx: CompileContext): ParsedSpec[] {
  const out: ParsedSpec[] = [];
  for (const file of ctx.tree.files) {
    // An unreadable entry is a spec file, or a directory that holds some (a submodule): either gets its diagnostic.
    if (!isSpecFile(file.path) && file.unreadable === undefined) continue;
    const shown = displayPath(ctx.tree, file.path);
    const loaded = file.unreadable
      ? unreadableSpec(shown, file.unreadable)
      : file.oversize !== undefined
        ? tooLargeSpec(shown, file.oversize)
        : ctx.timed('parse', () => parseSpecText(file.bytes, file.path, shown));
    if (!loaded.ok) {
      ctx.diagnostics.push(...loaded.diagnostics);
      const kind = loaded.partial && statedKind(loaded.partial, isTestFile(file.path));
      if (kind)
        out.push({ kind, spec: loaded.partial!, value: loaded.partial!.value as RejectedSpec['value'], valid: false });
      continue;
    }
    const validated = ctx.timed('schema', () => validateKind(ctx, loaded.spec, isTestFile(file.path)));
    if (validated) out.push(validated);
  }
  return out;
}

/** The kind a file that does not parse states, when it is one this file may hold. */
function statedKind(spec: SpecFile, testFile: boolean): SpecKind | undefined {
  const kind = (spec.value as { kind: string }).kind;
  return (SPEC_KINDS as readonly string[]).includes(kind) && testFile === (kind === 'Test')
    ? (kind as SpecKind)
    : undefined;
}

function validateKind(ctx: CompileContext, spec: SpecFile, testFile: boolean): ParsedSpec | undefined {
  const value = spec.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.error(spec, [], 'not-a-mapping', 'a spec must be a YAML mapping with apiVersion, kind and name');
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const kind = record.kind;
  if (typeof kind !== 'string' || !(SPEC_KINDS as readonly string[]).includes(kind)) {
    const hint = typeof kind === 'string' ? closestMatch(kind, SPEC_KINDS) : undefined;
    const message =
      kind === undefined
        ? `the spec has no \`kind\`; add one of ${SPEC_KINDS.join(', ')}`
        : `unknown kind ${JSON.stringify(kind)}${hint ? `; did you mean \`${hint}\`?` : `; use one of ${SPEC_KINDS.join(', ')}`}`;
    ctx.error(spec, kind === undefined ? [] : ['kind'], 'unknown-kind', message);
    return undefined;
  }
  if (testFile !== (kind === 'Test')) {
    const message = testFile
      ? `a *.test.yaml file must have kind Test, not ${kind}`
      : 'a Test spec must live in a file named <integration>.test.yaml';
    ctx.error(spec, ['kind'], 'unknown-kind', message);
    return undefined;
  }
  const validate = kindValidator(kind as SpecKind);
  if (!validate(record)) {
    ctx.diagnostics.push(...schemaDiagnostics(spec, validate.errors ?? []));
    return { kind: kind as SpecKind, spec, value: record, valid: false };
  }
  // `validate` is a type guard: `record` now has the generated type of its kind (TS cannot pair the two by itself).
  return { kind, spec, value: record, valid: true } as ValidatedSpec;
}
