/**
 * Generates TypeScript types from the spec JSON Schemas (json-schema-to-typescript). `--check` fails when the
 * checked-in file differs from a fresh generation, so the schemas and the types never drift.
 * The types describe validated values: validation fills in every schema `default` (ajv `useDefaults`), so a property
 * with a default is required in its type (see forGenerator).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import type { JSONSchema } from 'json-schema-to-typescript';
import { SCHEMAS_DIR, readSchema } from './schema-registry.js';

const OUTPUT = fileURLToPath(new URL('./generated/spec-types.ts', import.meta.url));
const HEADER =
  '/* Generated from schemas/*.schema.json by `npm run gen:types`. Do not edit: change the schema and regenerate.\n' +
  ' * Types of validated specs: a property with a schema default is always present (validation fills it in). */\n';
const KINDS = ['connection', 'integration', 'lookup', 'test', 'environment', 'alert'];

async function generateSpecTypes(): Promise<string> {
  const parts: string[] = [];
  for (const kind of KINDS) {
    const schema = forGenerator(readSchema(`${kind}.schema.json`)) as JSONSchema;
    parts.push(
      await compile(schema, schema.title ?? kind, {
        bannerComment: '',
        cwd: SCHEMAS_DIR,
        additionalProperties: false,
        declareExternallyReferenced: true,
        format: true,
        style: { singleQuote: true, printWidth: 120 },
      }),
    );
  }
  return HEADER + dedupeDeclarations(parts.join('\n'));
}

const SHAPE_KEYWORDS = ['type', '$ref', 'oneOf', 'anyOf', 'allOf', 'enum', 'const', 'properties', 'items', 'not'];

/**
 * A copy of `schema` for the generator: every property that has a default is also required, and a property schema
 * that constrains nothing (any JSON value: an event, a response body) is `unknown` rather than an object type.
 */
function forGenerator(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forGenerator);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, forGenerator(v)]));
  const properties = copy.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties && typeof properties === 'object') {
    const defaulted = Object.keys(properties).filter((name) => properties[name]?.default !== undefined);
    if (defaulted.length > 0) copy.required = [...new Set([...((copy.required as string[]) ?? []), ...defaulted])];
    for (const property of Object.values(properties))
      if (!SHAPE_KEYWORDS.some((k) => k in property)) property.tsType = 'unknown';
  }
  return copy;
}

/** Shared definitions (from common.schema.json) are emitted once per schema; keep the first of each. */
function dedupeDeclarations(source: string): string {
  const seen = new Set<string>();
  return source
    .split(/\n(?=(?:\/\*\*[\s\S]*?\*\/\n)?export )/)
    .filter((block) => {
      const name = /export (?:type|interface) (\w+)/.exec(block)?.[1];
      if (!name) return true;
      if (seen.has(name)) return false;
      seen.add(name);
      return true;
    })
    .join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const fresh = await generateSpecTypes();
  if (process.argv.includes('--check')) {
    const current = await readFile(OUTPUT, 'utf8').catch(() => '');
    if (current !== fresh) {
      process.stderr.write(`${OUTPUT} is out of date with schemas/: run \`npm run gen:types\` and commit the result\n`);
      process.exit(1);
    }
    process.stdout.write('generated spec types are up to date\n');
  } else {
    await writeFile(OUTPUT, fresh);
    process.stdout.write(`wrote ${OUTPUT}\n`);
  }
}
