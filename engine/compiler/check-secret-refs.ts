/**
 * Every `${env:NAME}` a spec can make the engine resolve (anywhere in a Connection; the source of an Integration,
 * where webhook secrets live; the receivers of an Alert) must be allowed by the engine's secret policy. Checked only
 * when the policy is configured: `junction run` always has one; validate, test and plan when JUNCTION_ALLOWED_SECRETS
 * is set.
 */
import type { CompileContext } from './compile-context.js';
import { validSpecs } from './parse-specs.js';
import type { ParsedSpec, ValidatedSpec } from './parse-specs.js';
import { notAllowedHint, referencedVariables } from './secret-ref.js';
import type { JsonPath } from './source-position.js';

export function checkSecretRefs(ctx: CompileContext, specs: readonly ParsedSpec[]): void {
  const policy = ctx.options.secretPolicy;
  if (!policy) return;
  for (const s of validSpecs(specs, 'Environment')) checkEnvironment(ctx, s);
  const kinds = [
    ...validSpecs(specs, 'Connection'),
    ...validSpecs(specs, 'Integration'),
    ...validSpecs(specs, 'Alert'),
  ];
  for (const s of kinds) {
    const name = s.value.name;
    const [root, value]: [JsonPath, unknown] =
      s.kind === 'Integration'
        ? [['source'], s.value.source]
        : s.kind === 'Alert'
          ? [['notify'], s.value.notify]
          : [[], s.value];
    for (const [path, text] of stringsUnder(value, root)) {
      for (const variable of referencedVariables(text)) {
        if (!policy.allows(variable, name))
          ctx.error(s.spec, path, 'secret-not-allowed', `\${env:${variable}}: ${notAllowedHint(variable)}`);
      }
    }
  }
}

/** An environment's connection settings, each as the connection it applies to. */
function checkEnvironment(ctx: CompileContext, s: ValidatedSpec<'Environment'>): void {
  const policy = ctx.options.secretPolicy!;
  for (const [name, settings] of Object.entries(s.value.connections ?? {}))
    for (const [path, text] of stringsUnder(settings, ['connections', name]))
      for (const variable of referencedVariables(text))
        if (!policy.allows(variable, name))
          ctx.error(s.spec, path, 'secret-not-allowed', `\${env:${variable}}: ${notAllowedHint(variable)}`);
}

/** Every string under `value` with its path. */
function stringsUnder(value: unknown, root: JsonPath): [JsonPath, string][] {
  const out: [JsonPath, string][] = [];
  const stack: [unknown, JsonPath][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') out.push([path, v]);
    else if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, [...path, i]]));
    else if (v !== null && typeof v === 'object')
      for (const [k, item] of Object.entries(v)) stack.push([item, [...path, k]]);
  }
  return out;
}
