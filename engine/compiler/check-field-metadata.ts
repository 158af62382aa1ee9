/**
 * Checks of what a step writes against the vendor field metadata in the connectors' entity schemas (the same
 * declaration the emulators enforce): a field the vendor computes (`readOnly`: formulas, roll-ups, auto-numbers) or
 * sets only on create (`x-updateable: false`, written by an update), a literal that is not one of a restricted
 * picklist's values (`enum`), and an upsert keyed on a field that is not an external id (`x-external-id`,
 * `x-id-lookup`). Each would be refused by the vendor on every event.
 */
import type { JsonSchema, OperationDef } from '../sdk/connector.js';
import type { CompiledStep } from './compiled-spec.js';
import type { DiagnosticCode } from './diagnostics.js';
import { declaredFields } from './schema-fields.js';
import { isNode } from './transform-ast.js';

type Report = (offset: number, code: DiagnosticCode, message: string) => void;

/** The written field `path` (its schema `field`, its value node) against the field's metadata. */
export function checkFieldMetadata(
  step: CompiledStep,
  path: string,
  field: JsonSchema | undefined,
  written: { start: number; value: unknown },
  report: Report,
): void {
  if (!field || step.identityFields.includes(path)) return;
  if (field.readOnly === true)
    report(
      written.start,
      'read-only-field',
      `\`${path}\` is computed by the vendor (${field['x-calculated'] ? 'a formula or roll-up' : field['x-auto-number'] ? 'an auto-number' : 'read-only'}) and cannot be written: remove it from the body`,
    );
  else if (field['x-updateable'] === false && step.kind === 'update')
    report(
      written.start,
      'read-only-field',
      `\`${path}\` can be set only when the record is created; step \`${step.id}\` updates: remove it from the body`,
    );
  const literal = isNode(written.value) && written.value.type === 'string' ? written.value.value : undefined;
  if (Array.isArray(field.enum) && typeof literal === 'string' && !field.enum.includes(literal))
    report(
      written.start,
      'invalid-value',
      `${JSON.stringify(literal)} is not a value of \`${path}\`, a restricted picklist: ${field.enum.map((v) => JSON.stringify(v)).join(', ')}`,
    );
}

/**
 * For an upsert keyed by a param (Salesforce `external_id_field`): the message when the named field is not one an
 * upsert may match on, in an input schema that marks those fields.
 */
export function upsertKeyProblem(
  operation: OperationDef,
  params: Record<string, unknown>,
  input: JsonSchema | undefined,
): { param: string; message: string } | undefined {
  const identity = operation.identity;
  if (operation.kind !== 'upsert' || !identity || Array.isArray(identity)) return undefined;
  const fields = declaredFields(input);
  const name = params[identity.param];
  if (!fields || typeof name !== 'string') return undefined;
  const keys = [...fields].filter(([, f]) => f['x-external-id'] === true || f['x-id-lookup'] === true).map(([n]) => n);
  if (keys.length === 0 || keys.includes(name)) return undefined;
  return {
    param: identity.param,
    message: `${JSON.stringify(name)} is not an external id field, so the upsert would answer 404; use one of ${keys.map((k) => `\`${k}\``).join(', ')}`,
  };
}
