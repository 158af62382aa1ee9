/**
 * Field ownership across the whole set: no two integrations may own the same field of the same object on the same
 * connection, or two systems would overwrite each other. `*` owns every field of the object. Owners of only the
 * records they created (`records: created`) share fields with each other, never with an owner of all records.
 */
import type { CompiledIntegration } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import type { ValidatedSpec } from './parse-specs.js';

export function checkOwnershipConflicts(
  ctx: CompileContext,
  integrations: { compiled: CompiledIntegration; validated: ValidatedSpec<'Integration'> }[],
): void {
  const owners = new Map<string, { integration: string; field: string; created: boolean }[]>();
  for (const { compiled, validated } of integrations) {
    compiled.owns.forEach((own, i) => {
      const scope = `${own.connection}/${own.object}`;
      const claimed = owners.get(scope) ?? [];
      own.fields.forEach((field, j) => {
        const created = own.records === 'created';
        const clash = claimed.find(
          (c) => c.integration !== compiled.name && overlaps(c.field, field) && !(created && c.created),
        );
        if (clash) {
          ctx.error(
            validated.spec,
            ['owns', i, 'fields', j],
            'owned-field-conflict',
            `field \`${field}\` of ${own.object} on ${own.connection} is already owned by integration \`${clash.integration}\` (as \`${clash.field}\`); a field has one owner`,
          );
        }
      });
      claimed.push(
        ...own.fields.map((field) => ({ integration: compiled.name, field, created: own.records === 'created' })),
      );
      owners.set(scope, claimed);
    });
  }
}

/** `a` and `a.b` overlap; `*` overlaps everything. */
function overlaps(a: string, b: string): boolean {
  return a === '*' || b === '*' || a === b || a.startsWith(b + '.') || b.startsWith(a + '.');
}
