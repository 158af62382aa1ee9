/**
 * Cross-integration check of `requires`: a required cross-reference map that no step of any integration writes is
 * reported (a warning, since `junction xref import` can fill a map by hand), so a typo in a map name does not make
 * every event wait until its deadline.
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
    const sites: [JsonPath, string][] = [
      ...(compiled.requires ?? []).map((r, n): [JsonPath, string] => [['requires', n, 'xref'], r.map]),
      ...compiled.steps.flatMap((s, i) =>
        (s.requires ?? []).map((r, n): [JsonPath, string] => [['steps', i, 'requires', n, 'xref'], r.map]),
      ),
    ];
    for (const [path, map] of sites) {
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
}
