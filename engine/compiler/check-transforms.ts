/**
 * Type checks of transforms, before anything runs: each step body's written fields against the operation's input
 * schema (unknown fields, required fields never set) and the integration's `owns` (fields the ownership filter would
 * silently drop), and the fields every expression reads against the source's record schema where it is known
 * (source-record-schema.ts). Positions point into the JSONata inside the YAML.
 */
import type { ConnectorDef, JsonSchema, OperationDef } from '../sdk/connector.js';
import type { CompiledExpression } from '../transform/transform-engine.js';
import type { CompiledConnection, CompiledIntegration, CompiledStep } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { positionInExpression } from './compile-expression.js';
import type { ExpressionSite } from './compile-expression.js';
import { constantAt, constantProblem } from './constant-fit.js';
import type { DiagnosticCode, Severity } from './diagnostics.js';
import type { TestSpecFile } from './compile-spec-set.js';
import type { ValidatedSpec } from './parse-specs.js';
import { checkFieldMetadata, upsertKeyProblem } from './check-field-metadata.js';
import { declaredFields, elementSchema, requiredFields } from './schema-fields.js';
import type { JsonPath } from './source-position.js';
import { checkSourceReads } from './source-reads.js';
import { sourceRecordSchema } from './source-record-schema.js';
import type { OperationOf, RecordSchema } from './source-record-schema.js';
import { bodyTypes, checkFieldType } from './checks/check-field-types.js';
import type { InferContext } from './checks/infer-type.js';
import { attributeCodes, entityInputSchema } from './schema-overlays.js';
import type { SchemaOverlays } from './schema-overlays.js';
import { closestMatch } from './suggest.js';
import { isNode, objectConstructor, resultObjects, tokenStart } from './transform-ast.js';
import type { ObjectWrite } from './transform-ast.js';

type Raw = Record<string, unknown>;

/** A compiled integration with the validated spec it came from (for positions). */
interface CheckedIntegration {
  compiled: CompiledIntegration;
  validated: ValidatedSpec<'Integration'>;
}

/** Adds a diagnostic for every unknown, unowned or missing written field and every unknown field read. */
export function checkTransforms(
  ctx: CompileContext,
  integrations: readonly CheckedIntegration[],
  connections: ReadonlyMap<string, CompiledConnection>,
  overlays: SchemaOverlays,
  tests: readonly TestSpecFile[],
): void {
  for (const { compiled, validated } of integrations) {
    const report = (path: JsonPath, offset: number, code: DiagnosticCode, message: string, severity?: Severity) => {
      const site: ExpressionSite = { spec: validated.spec, path };
      ctx.diagnostics.push({
        file: validated.spec.file,
        ...positionInExpression(site, offset),
        severity: severity ?? 'error',
        code,
        message,
      });
    };
    const operationOf: OperationOf = (connection, name) => {
      const type = connections.get(connection)?.type;
      const connector: ConnectorDef | undefined = type === undefined ? undefined : ctx.options.connectors.get(type);
      return connector && { connector, operation: connector.operations[name] as OperationDef | undefined };
    };
    const event = sourceRecordSchema(ctx, compiled, validated, tests, operationOf);
    const reads = (path: JsonPath, expr: CompiledExpression | undefined, context: JsonSchema | undefined) =>
      event && expr ? checkReads(expr, context, event, (...problem) => report(path, ...problem)) : undefined;
    if (compiled.source.kind === 'schedule')
      reads(['source', 'schedule', 'cursor'], compiled.source.cursor, event?.schema);
    reads(['key'], compiled.key, event?.schema);
    reads(['dedup_id'], compiled.dedupId, event?.schema);
    reads(['when'], compiled.when, event?.schema);
    compiled.requires?.forEach((r, i) => reads(['requires', i, 'key'], r.key, event?.schema));
    compiled.steps.forEach((step, i) => {
      reads(['steps', i, 'when'], step.when, event?.schema);
      const context = step.forEach
        ? elementSchema(reads(['steps', i, 'for_each'], step.forEach, event?.schema))
        : event?.schema;
      reads(['steps', i, 'xref', 'source_id'], step.saveXref?.sourceId, context);
      step.requires?.forEach((r, j) => reads(['steps', i, 'requires', j, 'key'], r.key, context));
      reads(['steps', i, 'body'], step.body, context);
      reads(['steps', i, 'find', 'body'], step.find?.body, context);
      const written = (
        path: JsonPath,
        target: CompiledStep,
        body: CompiledExpression | undefined,
        bodyContext: JsonSchema | undefined,
      ) => {
        const found = body && operationOf(target.connection, target.operation);
        if (!body || !found?.operation) return;
        const label = `${found.connector.id} ${target.operation}`;
        const input = entityInputSchema(found.operation, target.params, target.object, overlays.get(target.connection));
        const at: Report = (offset, code, message) => report(path, offset, code, message);
        const types = bodyTypes(body, bodyContext, event?.schema);
        for (const object of resultObjects(body.ast?.(), body.source)) {
          checkWrites(object, { step: target, input, label, source: body.source, prefix: '', types }, at);
          checkRequired(object, target, input, label, at);
        }
      };
      written(['steps', i, 'body'], step, step.body, context);
      const operation = operationOf(step.connection, step.operation)?.operation;
      const keyProblem =
        operation &&
        upsertKeyProblem(
          operation,
          step.params as Raw,
          entityInputSchema(operation, step.params, step.object, overlays.get(step.connection)),
        );
      if (keyProblem)
        ctx.error(validated.spec, ['steps', i, 'params', keyProblem.param], 'invalid-params', keyProblem.message);
      // A find's and an abandon's inputs are checked like a body against their own operation; they write nothing,
      // so owns does not apply. An abandon's body reads the step's own result, which no schema describes.
      for (const [call, other] of [
        ['find', step.find],
        ['abandon', step.abandon],
      ] as const) {
        if (!other) continue;
        written(
          ['steps', i, call, 'body'],
          {
            ...step,
            operation: other.operation,
            kind: other.kind,
            params: other.params,
            ownedFields: undefined,
            identityFields: [],
          },
          other.body,
          call === 'abandon' ? undefined : context,
        );
      }
    });
  }
}

interface WriteScope {
  step: CompiledStep;
  input: JsonSchema | undefined;
  label: string;
  source: string;
  /** Dotted path of the object being written, for nested constructors (`address.`). */
  prefix: string;
  /** What type inference knows of the body. */
  types: InferContext;
}

type Report = (offset: number, code: DiagnosticCode, message: string, severity?: Severity) => void;

/** Every written field must exist in the input schema and be owned (or be the record's identity). */
function checkWrites(object: ObjectWrite, scope: WriteScope, report: Report): void {
  const fields = declaredFields(scope.input);
  const keep = [...(scope.step.ownedFields ?? []), ...scope.step.identityFields];
  for (const field of object.fields) {
    const path = scope.prefix + field.name;
    if (fields && !fields.has(field.name)) {
      const hint = closestMatch(field.name, [...fields.keys()]);
      report(
        field.start,
        'unknown-target-field',
        `\`${path}\` is not a field of ${scope.step.object ?? 'the record'} (${scope.label} input)${hint ? `; did you mean \`${hint}\`?` : ''}`,
      );
      continue;
    }
    const owned = !scope.step.ownedFields || keep.includes('*') || keep.includes(path);
    const partly = keep.some((k) => k.startsWith(path + '.'));
    if (!owned && !partly) {
      report(
        field.start,
        'unowned-field-write',
        `step \`${scope.step.id}\` writes \`${path}\`, which \`owns\` does not list for ${scope.step.object} on ${scope.step.connection}; the ownership filter would drop it. Add it to \`owns\` or remove it from the body`,
      );
      continue;
    }
    const nestedSchema = fields?.get(field.name);
    checkFieldMetadata(scope.step, path, nestedSchema, field, report);
    const constant = nestedSchema && constantAt(field.value, scope.source);
    const problem = constant && constantProblem(constant.value, nestedSchema);
    if (constant && problem)
      report(
        constant.start,
        'value-does-not-fit',
        `${JSON.stringify(constant.value)} does not fit \`${path}\` (${scope.label} input): ${problem}`,
      );
    checkFieldType(path, nestedSchema, field.value, scope.types, scope.source, report);
    checkAttribute(object, field, scope, report);
    const nested = { ...scope, input: nestedSchema, prefix: path + '.' };
    const inner = objectConstructor(field.value, scope.source);
    if (inner)
      checkWrites(inner, owned ? { ...nested, step: { ...scope.step, ownedFields: undefined } } : nested, report);
    else if (isNode(field.value) && field.value.type === 'unary' && field.value.value === '[') {
      for (const item of (field.value.expressions as unknown[]) ?? []) {
        const element = objectConstructor(item, scope.source);
        if (element)
          checkWrites(
            element,
            { ...nested, input: elementSchema(nestedSchema), step: { ...scope.step, ownedFields: undefined } },
            report,
          );
      }
    }
  }
}

/**
 * In an attribute list item (`{"attribute_code": "loyalty_tier", "value": …}`, pulled by `junction schema pull`): a
 * literal code the system does not have is an unknown field, and the value meets the attribute's metadata.
 */
function checkAttribute(object: ObjectWrite, field: ObjectWrite['fields'][number], scope: WriteScope, report: Report) {
  const attributes = attributeCodes(scope.input);
  if (!attributes || field.name !== attributes.key) return;
  const code = isNode(field.value) && field.value.type === 'string' ? String(field.value.value) : undefined;
  if (code === undefined) return;
  const known = attributes.codes[code];
  if (!known) {
    const hint = closestMatch(code, Object.keys(attributes.codes));
    report(
      tokenStart(scope.source, field.value.position ?? 0, code),
      'unknown-target-field',
      `${JSON.stringify(code)} is not an attribute of ${scope.step.object ?? 'the record'} (${scope.label}, pulled from the system)${hint ? `; did you mean \`${hint}\`?` : ''}`,
    );
    return;
  }
  const value = object.fields.find((f) => f.name === attributes.value);
  if (value) checkFieldMetadata(scope.step, `${scope.prefix}${code}`, known, value, report);
}

/** Creates (and upserts, which may create) must set every required field; updates only the identity. */
function checkRequired(
  object: ObjectWrite,
  step: CompiledStep,
  input: JsonSchema | undefined,
  label: string,
  report: Report,
): void {
  if (object.dynamic || step.kind === 'delete') return;
  const required = requiredFields(input).filter((f) => step.kind !== 'update' || step.identityFields.includes(f));
  const written = new Set(object.fields.map((f) => f.name));
  const missing = required.filter((f) => !written.has(f));
  if (missing.length === 0) return;
  const list = missing.map((f) => `\`${f}\``).join(', ');
  report(
    object.start,
    'missing-required-field',
    `step \`${step.id}\` never sets ${list}, which ${label} requires${step.object ? ` for ${step.object}` : ''}`,
  );
}

/** Reports the fields `expr` reads that its input schema does not declare; returns the schema of its value. */
function checkReads(
  expr: CompiledExpression,
  context: JsonSchema | undefined,
  event: RecordSchema,
  report: Report,
): JsonSchema | undefined {
  const { unknown, result } = checkSourceReads(expr.ast?.(), expr.source, context, event.schema);
  for (const read of unknown) {
    // `order-id` unquoted is `order` minus `id`: when the record has the hyphenated field, say to quote it
    const after = /^-([A-Za-z_]\w*)/.exec(expr.source.slice(read.start + read.name.length))?.[1];
    const hyphenated = after !== undefined && read.known.includes(`${read.name}-${after}`) && `${read.name}-${after}`;
    report(
      read.start,
      'unknown-source-field',
      hyphenated
        ? `${event.unknown(read.name, '')}: \`${hyphenated}\` is, and a field name with a hyphen is quoted with ` +
            `backticks (\`\`${hyphenated}\`\`); unquoted, ${hyphenated} subtracts \`${after}\` from \`${read.name}\``
        : event.unknown(read.name, closestMatch(read.name, read.known) ?? ''),
      event.severity,
    );
  }
  return result;
}
