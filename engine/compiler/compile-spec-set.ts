/**
 * load -> validate -> compile for a whole spec tree. Returns every diagnostic, and the frozen CompiledSpecSet only
 * when there are no errors: a set that fails to compile never reaches a runtime.
 */
import type {
  CompiledAlert,
  CompiledConnection,
  CompiledIntegration,
  CompiledLookup,
  CompiledSpecSet,
} from './compiled-spec.js';
import { compileAlert } from './compile-alert.js';
import { CompileContext } from './compile-context.js';
import type { CompileOptions, StageTimes } from './compile-context.js';
import { compileConnection } from './compile-connection.js';
import { compileIntegration } from './compile-integration.js';
import { compileLookup } from './compile-lookup.js';
import { checkOwnershipConflicts } from './check-ownership.js';
import { checkSecretRefs } from './check-secret-refs.js';
import { checkTransforms } from './check-transforms.js';
import { checkStreamParams } from './check-stream-params.js';
import { checkStandInEvents } from './check-stand-in-events.js';
import { checkExpressions } from './checks/check-expressions.js';
import { checkTestReferences } from './checks/check-test-references.js';
import { checkRequirements } from './check-requirements.js';
import { readSchemaOverlays } from './schema-overlays.js';
import { applyEnvironment } from './apply-environment.js';
import { sortDiagnostics } from './diagnostics.js';
import { closestMatch } from './suggest.js';
import type { Diagnostic } from './diagnostics.js';
import type { IntegrationTest } from './generated/spec-types.js';
import { parseAndValidate, specName, validSpecs } from './parse-specs.js';
import type { ParsedSpec, ValidatedSpec } from './parse-specs.js';
import type { SpecKind } from './schema-registry.js';
import type { SpecTree } from './spec-tree.js';

export interface TestSpecFile {
  integration: string;
  file: string;
  /** Path inside the tree, to resolve `event_file`. */
  treePath: string;
  value: IntegrationTest;
  validated: ValidatedSpec<'Test'>;
}

export interface CompileResult {
  diagnostics: Diagnostic[];
  /** Time spent per stage (cross-checks = everything after schema validation that is not JSONata compilation). */
  times: StageTimes;
  /** Present only when there is no error. */
  specSet?: CompiledSpecSet;
  /** The connections that compiled, even when other specs have errors (`junction schema pull` needs only these). */
  connections: ReadonlyMap<string, CompiledConnection>;
  /** The integrations that compiled, even when other specs have errors (`junction schema pull` reads their steps). */
  integrations: ReadonlyMap<string, CompiledIntegration>;
  tests: TestSpecFile[];
  /** Names of the spec set's environments (`kind: Environment`), whichever one was compiled. */
  environments: string[];
}

/**
 * Never throws: an unexpected failure (a bug, not a spec problem) is still a diagnostic, so CI reports it and GitOps
 * records the commit as rejected instead of retrying it on every poll.
 */
export function compileSpecTree(tree: SpecTree, options: CompileOptions): CompileResult {
  try {
    return compileTree(tree, options);
  } catch (error) {
    const message = `Junction failed while compiling these specs (${(error as Error)?.message ?? String(error)}); this is a bug: please report it with the specs that trigger it`;
    return {
      diagnostics: [{ file: tree.displayRoot, line: 1, col: 1, severity: 'error', code: 'internal-error', message }],
      tests: [],
      connections: new Map(),
      integrations: new Map(),
      times: { parse: 0, schema: 0, jsonata: 0, crossChecks: 0 },
      environments: [],
    };
  }
}

function compileTree(tree: SpecTree, options: CompileOptions): CompileResult {
  const ctx = new CompileContext(options, tree);
  const parsed = parseAndValidate(ctx);
  checkSecretRefs(ctx, parsed);
  const checksStart = performance.now();
  const treePathOf = (s: ParsedSpec) => tree.files.find((f) => s.spec.absolutePath === f.path)?.path ?? '';
  const environments = uniqueByName(
    ctx,
    parsed.filter((s) => s.kind === 'Environment'),
  );
  const { specs, csvBase } = applyEnvironment(ctx, parsed, options.environment, treePathOf);
  const byKind = (kind: SpecKind) =>
    uniqueByName(
      ctx,
      specs.filter((s) => s.kind === kind),
    );

  const connections = new Map<string, CompiledConnection>();
  const connectionSpecs = byKind('Connection');
  for (const s of validSpecs(connectionSpecs, 'Connection')) {
    const c = compileConnection(ctx, s);
    if (c) connections.set(c.name, c);
  }
  const overlays = readSchemaOverlays(ctx, connections);
  const connectionScope = { connections, connectionNames: names(connectionSpecs) };
  const lookups = new Map<string, CompiledLookup>();
  const lookupSpecs = byKind('Lookup');
  for (const s of validSpecs(lookupSpecs, 'Lookup')) {
    const l = compileLookup(ctx, s, csvBase.get(s.value.name) ?? treePathOf(s), connectionScope);
    if (l) lookups.set(l.name, l);
  }
  const resolvedLookups = new Set(
    validSpecs(lookupSpecs, 'Lookup')
      .filter((l) => l.value.resolve !== undefined)
      .map((l) => l.value.name),
  );
  const scope = { ...connectionScope, lookupNames: names(lookupSpecs) };
  const integrationSpecs = byKind('Integration');
  const integrations = new Map<string, CompiledIntegration>();
  const compiledWithSource: { compiled: CompiledIntegration; validated: ValidatedSpec<'Integration'> }[] = [];
  const validIntegrations = validSpecs(integrationSpecs, 'Integration');
  for (const s of validIntegrations) {
    const compiled = compileIntegration(ctx, s, scope);
    if (compiled) {
      integrations.set(compiled.name, compiled);
      compiledWithSource.push({ compiled, validated: s });
    }
  }
  checkOwnershipConflicts(ctx, compiledWithSource);
  checkRequirements(ctx, compiledWithSource);
  const tests = checkTests(ctx, validSpecs(specs, 'Test'), names(integrationSpecs), treePathOf);
  checkTransforms(ctx, compiledWithSource, connections, overlays, tests);
  checkStreamParams(ctx, compiledWithSource, connections, overlays);
  checkStandInEvents(ctx, compiledWithSource, connections);
  checkExpressions(ctx, validIntegrations, lookups, connections);
  const alerts = new Map<string, CompiledAlert>();
  for (const s of validSpecs(byKind('Alert'), 'Alert')) {
    const a = compileAlert(ctx, s, names(integrationSpecs));
    if (a) alerts.set(a.name, a);
  }
  checkTestReferences(ctx, tests, {
    integrations: validIntegrations,
    connections: scope.connectionNames,
    lookups: scope.lookupNames,
    resolvedLookups,
  });

  ctx.times.crossChecks = performance.now() - checksStart - ctx.times.jsonata;
  const diagnostics = sortDiagnostics(ctx.diagnostics);
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  const specSet = hasErrors
    ? undefined
    : deepFreeze({ commit: options.commit ?? 'working-tree', connections, lookups, integrations, overlays, alerts });
  return {
    diagnostics,
    specSet,
    connections,
    integrations,
    tests,
    times: ctx.times,
    environments: environments.map(specName),
  };
}

function checkTests(
  ctx: CompileContext,
  specs: ValidatedSpec<'Test'>[],
  integrationNames: Set<string>,
  treePathOf: (s: ParsedSpec) => string,
): TestSpecFile[] {
  const out: TestSpecFile[] = [];
  for (const s of specs) {
    const integration = s.value.integration;
    if (!integrationNames.has(integration)) {
      const hint = closestMatch(integration, [...integrationNames]);
      ctx.error(
        s.spec,
        ['integration'],
        'unknown-integration',
        `no integration named ${JSON.stringify(integration)} to test${hint ? `; did you mean \`${hint}\`?` : ''}`,
      );
      continue;
    }
    const seen = new Set<string>();
    s.value.cases.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.error(
          s.spec,
          ['cases', i, 'name'],
          'duplicate-test-case',
          `test case name ${JSON.stringify(c.name)} is used twice in this file`,
        );
      seen.add(c.name);
    });
    out.push({ integration, file: s.spec.file, treePath: treePathOf(s), value: s.value, validated: s });
  }
  return out;
}

/** Drops (and reports) every spec whose name an earlier spec of the same kind already took. */
function uniqueByName(ctx: CompileContext, specs: ParsedSpec[]): ParsedSpec[] {
  const seen = new Map<string, ParsedSpec>();
  const out: ParsedSpec[] = [];
  for (const s of specs) {
    const name = specName(s);
    const first = seen.get(name);
    if (first) {
      ctx.error(
        s.spec,
        ['name'],
        'duplicate-name',
        `${s.kind} name ${JSON.stringify(name)} is already used in ${first.spec.file}`,
      );
      continue;
    }
    seen.set(name, s);
    out.push(s);
  }
  return out;
}

function names(specs: ParsedSpec[]): Set<string> {
  return new Set(specs.map(specName));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) deepFreeze(v);
    else for (const v of Object.values(value)) if (typeof v !== 'function') deepFreeze(v);
  }
  return value;
}
