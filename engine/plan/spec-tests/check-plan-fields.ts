/**
 * The transform checks again, on what a dry run actually produced: every record a step sent must use only fields
 * of the operation's input schema, set the required ones, and contain no field the ownership filter had to drop.
 * This catches what the static checks cannot see (computed keys, `$merge`, bodies built by functions).
 */
import type { ConnectorRegistry, JsonSchema } from '../../sdk/connector.js';
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import { declaredFields, elementSchema, requiredFields } from '../../compiler/schema-fields.js';
import { attributeCodes, entityInputSchema } from '../../compiler/schema-overlays.js';
import type { DryRunResult } from '../dry-run.js';
import type { JsonDifference } from '../diff/json-diff.js';

/** Problems as differences: `path` names the step call and field, `expected` says what the schema allows. */
export function checkPlanFields(
  result: DryRunResult,
  integration: CompiledIntegration,
  specSet: CompiledSpecSet,
  connectors: ConnectorRegistry,
): JsonDifference[] {
  const out: JsonDifference[] = [];
  const at = (step: string, index?: number) => `steps.${step}${index === undefined ? '' : `[${index}]`}.body`;
  for (const call of result.bodies) {
    const step = integration.steps.find((s) => s.id === call.step);
    const connection = step && specSet.connections.get(step.connection);
    const operation = step && connection && connectors.get(connection.type)?.operations[step.operation];
    if (!step || !operation || !isRecord(call.body)) continue;
    const input = entityInputSchema(operation, step.params, step.object, specSet.overlays?.get(step.connection));
    const label = `a field of ${connection.type} ${step.operation} input`;
    out.push(...unknownFields(call.body, input, at(call.step, call.index), label));
    if (step.kind !== 'delete') {
      const required = requiredFields(input).filter((f) => step.kind !== 'update' || step.identityFields.includes(f));
      for (const field of required)
        if (call.body[field] === undefined)
          out.push({
            path: `${at(call.step, call.index)}.${field}`,
            expected: `(required by ${connection.type} ${step.operation})`,
            actual: undefined,
          });
    }
  }
  for (const w of result.withheld ?? []) {
    const step = integration.steps.find((s) => s.id === w.step);
    const connection = step && specSet.connections.get(step.connection);
    const operation = step && connection && connectors.get(connection.type)?.operations[step.operation];
    const fields = declaredFields(
      operation && entityInputSchema(operation, step.params, step.object, specSet.overlays?.get(step.connection)),
    );
    for (const field of w.fields) {
      const unknown = fields && !fields.has(field.split('.')[0]);
      const expected = unknown
        ? `(not a field of ${connection!.type} ${step!.operation} input)`
        : '(not written: `owns` does not list it)';
      out.push({
        path: `${at(w.step, w.index)}.${field}`,
        expected,
        actual: '(written, then dropped by the ownership filter)',
      });
    }
  }
  return out;
}

function unknownFields(
  record: Record<string, unknown>,
  schema: JsonSchema | undefined,
  path: string,
  label: string,
): JsonDifference[] {
  const out: JsonDifference[] = [];
  const attributes = attributeCodes(schema);
  const code = attributes && record[attributes.key];
  if (attributes && typeof code === 'string' && !attributes.codes[code])
    out.push({ path: `${path}.${attributes.key}`, expected: '(not an attribute the system has)', actual: code });
  const fields = declaredFields(schema);
  if (!fields) return out;
  for (const [key, value] of Object.entries(record)) {
    const field = fields.get(key);
    if (!field) out.push({ path: `${path}.${key}`, expected: `(not ${label})`, actual: value });
    else if (isRecord(value)) out.push(...unknownFields(value, field, `${path}.${key}`, label));
    else if (Array.isArray(value))
      value.forEach(
        (v, i) => isRecord(v) && out.push(...unknownFields(v, elementSchema(field), `${path}.${key}[${i}]`, label)),
      );
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
