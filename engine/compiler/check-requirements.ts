/**
 * Cross-integration check of `requires`: a required cross-reference map that no step of any integration writes is
 * reported (a warning, since `junction xref import` can fill a map by hand), so a typo in a map name does not make
 * every event wait until its deadline. Integrations that require each other's maps (a cycle) are refused: a record's
 * event waits for the other integration's record, whose event (its dependency fetch too) waits for the first, so both
 * wait until their dependency deadline and are dead-lettered.
 */
import type { CompiledIntegration } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import type { ValidatedSpec } from './parse-specs.js';
import { valuePosition } from './source-position.js';
import type { JsonPath } from './source-position.js';
import { closestMatch } from './suggest.js';

export function checkRequirements(
  ctx: CompileContext,
  integrations: { compiled: CompiledIntegration; validated: ValidatedSpec<'Integration'> }[],
): void {
  const written = new Set(integrations.flatMap((i) => i.compiled.steps.flatMap((s) => s.saveXref?.map ?? [])));
  for (const { compiled, validated } of integrations) {
    for (const [path, map] of requirementSites(compiled)) {
      if (written.has(map)) continue;
      const hint = closestMatch(map, [...written]);
      ctx.diagnostics.push({
        file: validated.spec.file,
        ...valuePosition(validated.spec, path),
        severity: 'warning',
        code: 'unknown-xref-map',
        message: `no step writes the cross-reference map \`${map}\`${hint ? `; did you mean \`${hint}\`?` : ''}: events will wait for it until their dependency deadline unless it is filled with \`junction xref import\``,
      });
    }
  }
  checkRequirementCycles(ctx, integrations);
}

/** Every `requires` entry of an integration and of its steps, with where its `xref` is written. */
function requirementSites(compiled: CompiledIntegration): [JsonPath, string][] {
  return [
    ...(compiled.requires ?? []).map((r, n): [JsonPath, string] => [['requires', n, 'xref'], r.map]),
    ...compiled.steps.flatMap((s, i) =>
      (s.requires ?? []).map((r, n): [JsonPath, string] => [['steps', i, 'requires', n, 'xref'], r.map]),
    ),
  ];
}

interface RequirementEdge {
  from: string;
  to: string;
  map: string;
  file: string;
  path: JsonPath;
  spec: ValidatedSpec<'Integration'>['spec'];
}

/**
 * One error at each `requires` entry of a cycle (integration A requires a map B writes, ..., back to A), naming the
 * whole cycle. An integration that requires a map it writes itself (a parent category synced before its children)
 * is no cycle: the records differ, and the dependency fetch syncs the parent.
 */
function checkRequirementCycles(
  ctx: CompileContext,
  integrations: { compiled: CompiledIntegration; validated: ValidatedSpec<'Integration'> }[],
): void {
  const writers = new Map<string, Set<string>>();
  for (const { compiled } of integrations)
    for (const step of compiled.steps)
      if (step.saveXref)
        writers.set(step.saveXref.map, (writers.get(step.saveXref.map) ?? new Set()).add(compiled.name));
  const edges = new Map<string, RequirementEdge[]>();
  for (const { compiled, validated } of integrations)
    for (const [path, map] of requirementSites(compiled))
      for (const to of [...(writers.get(map) ?? [])].sort())
        if (to !== compiled.name)
          edges.set(compiled.name, [
            ...(edges.get(compiled.name) ?? []),
            { from: compiled.name, to, map, file: validated.spec.file, path, spec: validated.spec },
          ]);
  const reported = new Set<string>();
  for (const name of [...edges.keys()].sort()) {
    const cycle = findCycle(name, edges);
    if (!cycle) continue;
    const id = [...cycle.map((e) => e.from)].sort().join('\u0000');
    if (reported.has(id)) continue;
    reported.add(id);
    const described = cycle.map((e) => `${e.from} requires \`${e.map}\` (written by ${e.to})`).join(', ');
    for (const edge of cycle)
      ctx.diagnostics.push({
        file: edge.file,
        ...valuePosition(edge.spec, edge.path),
        severity: 'error',
        code: 'requires-cycle',
        message:
          `integrations require each other: ${described}. A record's event would wait for a record whose event waits ` +
          'for it, until both are dead-lettered at their dependency deadline; drop one of these `requires` (link ' +
          'that record in a later step, or let its target resolve it)',
      });
  }
}

/** The shortest path of requirements from `start` back to itself, if there is one (breadth first). */
function findCycle(start: string, edges: ReadonlyMap<string, RequirementEdge[]>): RequirementEdge[] | undefined {
  const via = new Map<string, RequirementEdge>();
  const queue = [start];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const edge of edges.get(at) ?? []) {
      if (edge.to === start) {
        const path = [edge];
        for (let back = via.get(edge.from); back; back = via.get(back.from)) path.unshift(back);
        return path;
      }
      if (via.has(edge.to)) continue;
      via.set(edge.to, edge);
      queue.push(edge.to);
    }
  }
  return undefined;
}
