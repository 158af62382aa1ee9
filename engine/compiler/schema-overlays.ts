/**
 * Schema overlays: a live system's field metadata, pulled into the spec repository by `junction schema pull` as
 * `schemas/overlays/<connection>/<entity>.json`. The compiler reads them over the connectors' built-in entity schemas,
 * so an org's custom fields (`Loyalty_Tier__c`, a Magento EAV attribute) validate with no connector change, and a
 * misspelled one is still an error. Overlays are data files of the spec tree: validate, test, plan and the runtime
 * (GitOps compiles the same tree) all see them.
 */
import type { EntityOverlay, JsonSchema, OperationDef } from '../sdk/connector.js';
import type { CompiledConnection } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { dataLimit, displayPath, tooLargeData } from './spec-tree.js';

/**
 * Overlays by connection name, then entity: the operation's record type (`Account`, `product`), or the operation
 * itself where the vendor describes each operation's input (M3 `CRS610MI/Add`, in `CRS610MI/Add.json`).
 */
export type SchemaOverlays = ReadonlyMap<string, ReadonlyMap<string, EntityOverlay>>;

const OVERLAY_PATH = /(?:^|\/)schemas\/overlays\/([^/]+)\/([^/]+(?:\/[^/]+)?)\.json$/;

/** Reads every overlay file of the tree; a malformed one, or one for no known connection, is an error. */
export function readSchemaOverlays(
  ctx: CompileContext,
  connections: ReadonlyMap<string, CompiledConnection>,
): SchemaOverlays {
  const out = new Map<string, Map<string, EntityOverlay>>();
  for (const file of ctx.tree.files) {
    const match = OVERLAY_PATH.exec(file.path);
    if (!match) continue;
    const [, connection, entity] = match;
    const where = displayPath(ctx.tree, file.path);
    if (file.oversize !== undefined) {
      // An overlay holds one entity's fields: a file this large is not what a pull wrote.
      const fix = `pull it again with \`junction schema pull ${connection} --entity ${entity}\``;
      const message = tooLargeData('the file', file.oversize, fix, dataLimit(ctx.tree));
      ctx.diagnostics.push({ file: where, line: 1, col: 1, severity: 'error', code: 'file-too-large', message });
      continue;
    }
    const report = (message: string, offset = 0) => {
      const text = file.bytes.toString('utf8').slice(0, offset);
      const lines = text.split('\n');
      ctx.diagnostics.push({
        file: where,
        line: lines.length,
        col: lines.at(-1)!.length + 1,
        severity: 'error',
        code: 'invalid-schema-overlay',
        message: `${message}; pull it again with \`junction schema pull ${connection}\``,
      });
    };
    let value: unknown;
    const text = file.bytes.toString('utf8');
    try {
      value = JSON.parse(text);
    } catch (error) {
      report(`not valid JSON (${(error as Error).message})`, jsonErrorOffset(text));
      continue;
    }
    const problem = overlayProblem(value, connection, entity, connections.get(connection));
    if (problem) {
      report(problem);
      continue;
    }
    const byEntity = out.get(connection) ?? new Map<string, EntityOverlay>();
    byEntity.set(entity, value as EntityOverlay);
    out.set(connection, byEntity);
  }
  return out;
}

/** What is wrong with an overlay file's content, or undefined. */
function overlayProblem(
  value: unknown,
  connection: string,
  entity: string,
  compiled: CompiledConnection | undefined,
): string | undefined {
  if (!isObject(value)) return 'an overlay is a JSON object';
  if (!compiled) return `no connection named ${JSON.stringify(connection)} (the folder names the connection)`;
  if (value.connection !== connection) return `"connection" must be ${JSON.stringify(connection)}, its folder`;
  if (value.entity !== entity) return `"entity" must be ${JSON.stringify(entity)}, its file name`;
  if (value.connector !== compiled.type)
    return `"connector" is ${JSON.stringify(value.connector)} but connection ${connection} is ${compiled.type}`;
  if (value.fields !== undefined && !(isObject(value.fields) && Object.values(value.fields).every(isObject)))
    return '"fields" maps each field name to its schema';
  if (value.required !== undefined && !isStringList(value.required)) return '"required" is a list of field names';
  const a = value.attributes;
  if (
    a !== undefined &&
    !(
      isObject(a) &&
      typeof a.field === 'string' &&
      typeof a.key === 'string' &&
      typeof a.value === 'string' &&
      isObject(a.codes) &&
      Object.values(a.codes).every(isObject)
    )
  )
    return '"attributes" is {field, key, value, codes} with a schema per attribute code';
  return undefined;
}

/**
 * Where JSON text first goes wrong: the shortest prefix that fails for a reason other than ending early (V8's messages
 * do not always say the position, and say it at the end for a cut-off prefix). A prefix that fails stays failed when
 * it grows, so a binary search finds it.
 */
function jsonErrorOffset(text: string): number {
  const broken = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      const at = /at position (\d+)/.exec(message);
      return !/end of JSON input/.test(message) && !(at && Number(at[1]) >= length);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (broken(mid + 1)) high = mid;
    else low = mid + 1;
  }
  return low;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

const merged = new WeakMap<EntityOverlay, Map<JsonSchema | undefined, JsonSchema>>();

/**
 * The record schema a step writes: the operation's own, with the connection's overlay for the step's object laid
 * over it. An overlay applies only to operations whose input is that entity's record (a param-typed operation such as
 * Salesforce `sobjects.*`, an input schema titled with the object, or the operation's own `overlayEntity`), never to a
 * search's criteria.
 */
export function entityInputSchema(
  operation: OperationDef,
  params: Readonly<Record<string, unknown>>,
  object: string | undefined,
  overlays: ReadonlyMap<string, EntityOverlay> | undefined,
): JsonSchema | undefined {
  const base = operation.inputFor?.(params as Record<string, unknown>) ?? operation.input;
  const entity = operation.overlayEntity ?? object;
  const overlay = entity === undefined ? undefined : overlays?.get(entity);
  if (!overlay || !(operation.overlayEntity || operation.inputFor || base?.title === object)) return base;
  let cache = merged.get(overlay);
  if (!cache) merged.set(overlay, (cache = new Map()));
  let schema = cache.get(base);
  if (!schema) cache.set(base, (schema = overlaid(base, overlay, entity!)));
  return schema;
}

/** The pulled fields replace the built-in ones (the live system is the truth); object-level metadata stays. */
export function overlaid(base: JsonSchema | undefined, overlay: EntityOverlay, entity: string): JsonSchema {
  const out: JsonSchema = { ...(base ?? { type: 'object', title: entity }) };
  const properties = { ...((base?.properties ?? {}) as Record<string, JsonSchema>) };
  if (overlay.fields) {
    for (const name of Object.keys(properties)) if (!(name in overlay.fields)) delete properties[name];
    Object.assign(properties, overlay.fields);
  }
  if (overlay.attributes) {
    const { field, key, value, codes } = overlay.attributes;
    const list = properties[field] ?? { type: 'array' };
    const items = (list.items ?? {
      type: 'object',
      properties: { [key]: { type: 'string' }, [value]: {} },
    }) as JsonSchema;
    properties[field] = { ...list, items: { ...items, 'x-attributes': { key, value, codes } } };
  }
  out.properties = properties;
  if (overlay.required) out.required = overlay.required;
  return out;
}

/** An attribute list item's `x-attributes`: which field names the attribute, which holds its value, and the codes. */
export function attributeCodes(
  schema: JsonSchema | undefined,
): { key: string; value: string; codes: Record<string, JsonSchema> } | undefined {
  const a = schema?.['x-attributes'];
  return isObject(a) ? (a as { key: string; value: string; codes: Record<string, JsonSchema> }) : undefined;
}
