/**
 * Environments (`kind: Environment`): one spec set, several places it runs. An environment replaces, per connection,
 * its URL, auth, limits and options, and per lookup, its values. Applied to the validated specs before they compile,
 * so each environment compiles (and is checked) exactly as it will run.
 */
import type { Document } from 'yaml';
import type { CompileContext } from './compile-context.js';
import { specName, validSpecs } from './parse-specs.js';
import type { ParsedSpec } from './parse-specs.js';
import type { JsonPath } from './source-position.js';
import type { SpecFile } from './spec-file.js';
import { closestMatch } from './suggest.js';

type Raw = Record<string, unknown>;

/** The specs as they run in `environment`, and the tree path each lookup's CSV file is relative to. */
interface EnvironmentView {
  specs: ParsedSpec[];
  /** Lookups whose CSV file an environment gave: the environment file's tree path. */
  csvBase: Map<string, string>;
}

/**
 * Checks every environment's references (always), then applies the selected one. An unknown `environment` is an
 * `unknown-environment` error at the tree's root.
 */
export function applyEnvironment(
  ctx: CompileContext,
  specs: ParsedSpec[],
  environment: string | undefined,
  treePathOf: (s: ParsedSpec) => string,
): EnvironmentView {
  const environments = specs.filter((s) => s.kind === 'Environment');
  const named = (kind: string) => new Set(specs.filter((s) => s.kind === kind).map(specName));
  const targets = { connections: named('Connection'), lookups: named('Lookup') };
  // Names are checked even in an environment the schema refused for another reason: every mistake at once.
  for (const env of environments) checkReferences(ctx, env, targets);
  const view: EnvironmentView = { specs, csvBase: new Map() };
  if (environment === undefined) return view;
  const selected = environments.find((e) => specName(e) === environment);
  if (!selected) {
    const names = environments.map(specName);
    const hint = closestMatch(environment, names);
    ctx.diagnostics.push({
      file: ctx.tree.displayRoot,
      line: 1,
      col: 1,
      severity: 'error',
      code: 'unknown-environment',
      message: `no environment named ${JSON.stringify(environment)}${hint ? `; did you mean \`${hint}\`?` : names.length ? `; environments: ${names.join(', ')}` : '; define it as an Environment spec (environments/<name>.yaml)'}`,
    });
    return view;
  }
  const [chosen] = validSpecs([selected], 'Environment');
  if (!chosen) return view;
  const connections = chosen.value.connections ?? {};
  const lookups = chosen.value.lookups ?? {};
  view.specs = specs.map((s): ParsedSpec => {
    if (!s.valid) return s;
    if (s.kind === 'Connection' && connections[s.value.name]) {
      const over = connections[s.value.name];
      const options = over.options ? { ...s.value.options, ...over.options } : s.value.options;
      return { ...s, value: { ...s.value, ...over, ...(options ? { options } : {}) } };
    }
    if (s.kind === 'Lookup' && lookups[s.value.name]) {
      const name = s.value.name;
      const over = lookups[name];
      const replacesSource = over.entries !== undefined || over.csv !== undefined || over.resolve !== undefined;
      const { entries, csv, resolve, ...rest } = s.value;
      // Validation filled in the defaults inside the environment's `resolve` too (ajv applies them through $ref).
      const value = (
        replacesSource ? { ...rest, ...over } : { ...rest, entries, csv, resolve, ...over }
      ) as typeof s.value;
      if (over.csv !== undefined) view.csvBase.set(name, treePathOf(chosen));
      // A lookup whose values the environment gives is read (its expressions, its diagnostics) from there.
      const spec = replacesSource ? scopedSpecFile(chosen.spec, ['lookups', name]) : s.spec;
      return { ...s, spec, value };
    }
    return s;
  });
  return view;
}

function checkReferences(
  ctx: CompileContext,
  env: ParsedSpec,
  targets: { connections: Set<string>; lookups: Set<string> },
): void {
  for (const [section, kind] of [
    ['connections', 'Connection'],
    ['lookups', 'Lookup'],
  ] as const) {
    const known = targets[section];
    const settings = (env.value as Raw)[section];
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) continue;
    for (const name of Object.keys(settings)) {
      if (known.has(name)) continue;
      const hint = closestMatch(name, [...known]);
      ctx.errorAtKey(
        env.spec,
        [section],
        name,
        section === 'connections' ? 'unknown-connection' : 'unknown-lookup',
        `environment ${specName(env)} sets ${section} ${JSON.stringify(name)}, which no ${kind} spec defines${hint ? `; did you mean \`${hint}\`?` : ''}`,
      );
    }
  }
}

/** The part of `spec` at `prefix`, as a spec file of its own: positions and expression sources resolve inside it. */
function scopedSpecFile(spec: SpecFile, prefix: JsonPath): SpecFile {
  const doc = spec.doc;
  const scoped = {
    get contents() {
      return doc.getIn(prefix, true);
    },
    getIn: (path: Iterable<unknown>, keepScalar?: boolean) => doc.getIn([...prefix, ...path], keepScalar),
  } as unknown as Document.Parsed;
  let value: unknown = spec.value;
  for (const key of prefix) value = (value as Raw | undefined)?.[key as string];
  return { ...spec, doc: scoped, value };
}
