/**
 * The spec-language JSON Schemas, compiled once per process with ajv. The same files in `schemas/` serve editors
 * (yaml-language-server) and validation, so the two never disagree.
 */
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { Alert, Connection, Environment, Integration, IntegrationTest, Lookup } from './generated/spec-types.js';
import { packagePath } from '../package-root.js';

// Environment last: its schema refers to the Connection and Lookup schemas, which must be compiled first.
export const SPEC_KINDS = ['Connection', 'Integration', 'Lookup', 'Test', 'Alert', 'Environment'] as const;
export type SpecKind = (typeof SPEC_KINDS)[number];

/** What each kind's schema guarantees, as generated from schemas/ (with the schema's defaults filled in). */
export interface SpecValues {
  Connection: Connection;
  Integration: Integration;
  Lookup: Lookup;
  Test: IntegrationTest;
  Environment: Environment;
  Alert: Alert;
}

const SCHEMA_FILES: Record<SpecKind, string> = {
  Connection: 'connection.schema.json',
  Integration: 'integration.schema.json',
  Lookup: 'lookup.schema.json',
  Test: 'test.schema.json',
  Environment: 'environment.schema.json',
  Alert: 'alert.schema.json',
};

export const SCHEMAS_DIR = packagePath('schemas') + sep;

export function readSchema(fileName: string): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMAS_DIR + fileName, 'utf8')) as Record<string, unknown>;
}

/**
 * A configured ajv instance: all errors, parent schemas kept for did-you-mean hints, and every schema `default`
 * filled into the value, so defaults live in the schemas only (and editors show the same ones).
 */
function createAjv(): Ajv {
  return new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    discriminator: true,
    allowUnionTypes: true,
    useDefaults: true,
  });
}

let validators: Map<SpecKind, ValidateFunction> | undefined;

/** One compiled validator per spec kind, built on first use. It fills the schema's defaults into what it validates. */
export function kindValidator<K extends SpecKind>(kind: K): ValidateFunction<SpecValues[K]> {
  if (!validators) {
    const ajv = createAjv();
    ajv.addSchema(readSchema('common.schema.json'));
    validators = new Map(SPEC_KINDS.map((k) => [k, ajv.compile(readSchema(SCHEMA_FILES[k]))]));
  }
  return validators.get(kind) as ValidateFunction<SpecValues[K]>;
}

const extraValidators = new WeakMap<object, ValidateFunction>();
let extraAjv: Ajv | undefined;

/** Compiles (once) a schema that a connector declares: options, operation params, record schemas. */
export function connectorSchemaValidator(schema: Record<string, unknown>): ValidateFunction {
  let validate = extraValidators.get(schema);
  if (!validate) {
    extraAjv ??= new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
    validate = extraAjv.compile(schema);
    extraValidators.set(schema, validate);
  }
  return validate;
}
