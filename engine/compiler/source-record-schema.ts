/**
 * What one source record looks like, for the checks of the fields expressions read: a schedule source's poll
 * operation output (through `records`); a webhook, stream or NATS source's declared `record` schema (inline, or a
 * .json file beside the spec); failing that, the union of the events its test cases record. Declared schemas are
 * exact, so a field outside them is an error; recorded events are samples, so a field none carries is a warning.
 */
import type { ConnectorDef, JsonSchema, OperationDef } from '../sdk/connector.js';
import type { CompiledIntegration } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import type { TestSpecFile } from './compile-spec-set.js';
import type { Severity } from './diagnostics.js';
import type { Source } from './generated/spec-types.js';
import { inferRecordSchema } from './infer-record-schema.js';
import type { ValidatedSpec } from './parse-specs.js';
import { elementSchema } from './schema-fields.js';
import { checkSourceReads } from './source-reads.js';
import { dataLimit, relativeTreePath, tooLargeData } from './spec-tree.js';

export interface RecordSchema {
  schema: JsonSchema;
  severity: Severity;
  /** The message for a field the schema does not have (`hint`: a did-you-mean, or ''). */
  unknown(name: string, hint: string): string;
}

export type OperationOf = (
  connection: string,
  name: string,
) => { connector: ConnectorDef; operation?: OperationDef } | undefined;

/** The record schema of `compiled`'s source, or undefined when nothing tells it (then nothing is checked). */
export function sourceRecordSchema(
  ctx: CompileContext,
  compiled: CompiledIntegration,
  validated: ValidatedSpec<'Integration'>,
  tests: readonly TestSpecFile[],
  operationOf: OperationOf,
): RecordSchema | undefined {
  const source = compiled.source;
  if (source.kind === 'schedule') {
    const found = operationOf(source.connection, source.operation);
    const output = found?.operation?.output;
    if (!found || !output) return undefined;
    const listed = source.records
      ? checkSourceReads(source.records.ast?.(), source.records.source, output, undefined).result
      : output;
    const schema = elementSchema(listed);
    const label = `${found.connector.id} ${source.operation}`;
    return schema && exact(schema, `the records ${label} returns`);
  }
  const kind = Object.keys(validated.value.source)[0] as Exclude<keyof Source, 'schedule'>;
  const declared = validated.value.source[kind]?.record;
  if (declared !== undefined) {
    const schema = declaredSchema(ctx, validated, kind, declared);
    return schema && exact(schema, `the events \`source.${kind}.record\` declares`);
  }
  const mine = tests.filter((t) => t.integration === compiled.name);
  const schema = inferRecordSchema(mine.flatMap((t) => recordedEvents(ctx, t)));
  if (!schema) return undefined;
  const files = mine.map((t) => t.file.split('/').pop()).join(', ');
  return {
    schema,
    severity: 'warning',
    unknown: (name, hint) =>
      `no recorded test event (${files}) has \`${name}\`${hint ? ` (did you mean \`${hint}\`?)` : ''}; if real events carry it, declare the source's \`record\` schema`,
  };
}

function exact(schema: JsonSchema, records: string): RecordSchema {
  return {
    schema,
    severity: 'error',
    unknown: (name, hint) => `\`${name}\` is not a field of ${records}${hint ? `; did you mean \`${hint}\`?` : ''}`,
  };
}

/** The inline schema, or the schema file's content; a file that is missing or not a JSON object is reported. */
function declaredSchema(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  kind: string,
  declared: object | string,
): JsonSchema | undefined {
  if (typeof declared === 'object') return declared as JsonSchema;
  const path = relativeTreePath(validated.spec.absolutePath, declared);
  const at = ['source', kind, 'record'];
  const found = ctx.tree.files.find((f) => f.path === path);
  if (!found) {
    ctx.error(
      validated.spec,
      at,
      'invalid-record-schema',
      `record schema file ${declared} does not exist (looked for ${path})`,
    );
    return undefined;
  }
  if (found.oversize !== undefined) {
    const fix = 'declare only the fields the integration reads';
    ctx.error(
      validated.spec,
      at,
      'file-too-large',
      tooLargeData(`record schema file ${declared}`, found.oversize, fix, dataLimit(ctx.tree)),
    );
    return undefined;
  }
  try {
    const schema: unknown = JSON.parse(found.bytes.toString('utf8'));
    if (schema && typeof schema === 'object' && !Array.isArray(schema)) return schema as JsonSchema;
    ctx.error(
      validated.spec,
      at,
      'invalid-record-schema',
      `record schema file ${declared} does not hold a JSON Schema object`,
    );
  } catch (error) {
    ctx.error(
      validated.spec,
      at,
      'invalid-record-schema',
      `record schema file ${declared} is not valid JSON: ${(error as Error).message}`,
    );
  }
  return undefined;
}

/** The events of a test file's cases, inline or from their `event_file` (one that cannot be read is skipped). */
function recordedEvents(ctx: CompileContext, test: TestSpecFile): unknown[] {
  return test.value.cases.flatMap((c) => {
    if (c.event_file === undefined) return c.event === undefined ? [] : [c.event];
    const found = ctx.tree.files.find((f) => f.path === relativeTreePath(test.treePath, c.event_file!));
    // One missing, too large or not JSON is reported by the test reference checks.
    if (!found || found.oversize !== undefined) return [];
    try {
      return [JSON.parse(found.bytes.toString('utf8'))];
    } catch {
      return [];
    }
  });
}
