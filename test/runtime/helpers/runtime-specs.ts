/**
 * Spec sets for the runtime tests, compiled from YAML text exactly as the CLI compiles a directory: a `target`
 * connection to the fake target and integrations built from a few knobs.
 */
import { compileSpecTree } from '../../../engine/compiler/compile-spec-set.js';
import type { TransformEngine } from '../../../engine/transform/transform-engine.js';
import type { CompiledSpecSet } from '../../../engine/compiler/compiled-spec.js';
import { guardedReferenceEngine } from './guarded-engine.js';
import { targetConnectors } from './target-connector.js';

interface IntegrationKnobs {
  name?: string;
  /** Webhook HMAC secret env var (adds verification). */
  hmacEnv?: string;
  /** The key expression (default `$string(id)`). */
  key?: string;
  dedupId?: string;
  maxAttempts?: number;
  initial?: string;
  max?: string;
  /** `retry.throttle_deadline`. */
  throttleDeadline?: string;
  maxBodyBytes?: number;
  /** Replaces the default body of the upsert step. */
  body?: string;
  /** Extra YAML appended to the integration (e.g. a second step). */
  source?: string;
  steps?: string;
  when?: string;
  /** Replaces the default `owns` entries (YAML list items). */
  owns?: string;
  /**
   * The http connector's `put` to `/records/{key}` (object `record`, default body `{ "key": $string(id) }`) in place
   * of the upsert step, for specs on a real `type: http` connection; `owns` then that connection's records.
   */
  put?: { connection?: string; body?: string };
  /** The http connector's `post` to `path` (object `resource`) in place of the upsert step; `owns` all of it. */
  post?: { connection?: string; path: string; body: string };
  /**
   * Leaves out `max_body_bytes` and the `retry` knobs not given, so the schema's defaults apply (1 MiB; 10 attempts
   * from 1s to 5m), as in a user's spec.
   */
  schemaDefaults?: boolean;
}

/** A create step on the fake target (POST, which ignores Idempotency-Key, as the vendors do). */
export const CREATE_STEP = `  - id: create
    connection: target
    operation: records.create
    body: '{ "key": $string(id), "seq": seq }'`;

/** The create with its look-up by natural key, so a create whose outcome is unknown is never sent twice. */
export const FOUND_CREATE_STEP = `${CREATE_STEP}
    find:
      operation: records.find
      body: '{ "key": $body.key }'
      match: 'items[key = $body.key]'`;

export function integrationYaml(k: IntegrationKnobs = {}): string {
  const verify = k.hmacEnv
    ? `verify: { hmac_sha256: { header: X-Signature, secret: "\${env:${k.hmacEnv}}", prefix: "sha256=" } }`
    : 'verify: none';
  const maxBody = k.maxBodyBytes ?? (k.schemaDefaults ? undefined : 65536);
  const source = k.source ?? `{ webhook: { ${maxBody === undefined ? '' : `max_body_bytes: ${maxBody}, `}${verify} } }`;
  const [steps, owns] = stepsAndOwns(k);
  return `apiVersion: junction/v1
kind: Integration
name: ${k.name ?? 'orders'}
source: ${source}
key: ${k.key ?? '$string(id)'}
${k.dedupId ? `dedup_id: '${k.dedupId}'\n` : ''}${k.when ? `when: '${k.when}'\n` : ''}steps:
${steps}
owns:
${owns}
${retryLine(k)}`;
}

function stepsAndOwns(k: IntegrationKnobs): [steps: string, owns: string] {
  const owned = (connection: string, object: string) =>
    `  - { connection: ${connection}, object: ${object}, fields: ["*"] }`;
  let steps = `  - id: write
    connection: target
    operation: records.upsert
    body: '${k.body ?? '{ "key": $string(id), "seq": seq, "status": status }'}'`;
  let owns = `${owned('target', 'record')}\n${owned('target', 'entry')}`;
  if (k.put) {
    const connection = k.put.connection ?? 'target';
    steps = `  - id: write
    connection: ${connection}
    operation: put
    params: { path: "/records/{key}", object: record, id_field: key }
    body: '${k.put.body ?? '{ "key": $string(id) }'}'`;
    owns = owned(connection, 'record');
  } else if (k.post) {
    const connection = k.post.connection ?? 'target';
    steps = `  - id: write
    connection: ${connection}
    operation: post
    params: { path: ${k.post.path} }
    body: '${k.post.body}'`;
    owns = owned(connection, 'resource');
  }
  return [k.steps ?? steps, k.owns ?? owns];
}

function retryLine(k: IntegrationKnobs): string {
  const knobs = [
    ['max_attempts', k.maxAttempts ?? (k.schemaDefaults ? undefined : 5)],
    ['initial', k.initial ?? (k.schemaDefaults ? undefined : '20ms')],
    ['max', k.max ?? (k.schemaDefaults ? undefined : '200ms')],
    ['throttle_deadline', k.throttleDeadline],
  ].filter(([, value]) => value !== undefined);
  return knobs.length === 0 ? '' : `retry: { ${knobs.map(([name, value]) => `${name}: ${value}`).join(', ')} }\n`;
}

/** Compiles a spec set with the `target` connection pointing at `targetUrl`. */
/**
 * A two-way pair over the fake target, whose records live as `a:<id>` and `b:<id>`: a-to-b owns `name` on B records
 * and b-to-a owns `stock` on A records.
 */
export function twoWayPair(): string[] {
  return [
    integrationYaml({
      name: 'a-to-b',
      body: '{ "key": "b:" & $string(id), "name": name }',
      owns: '  - { connection: target, object: record, fields: [name] }',
    }),
    integrationYaml({
      name: 'b-to-a',
      body: '{ "key": "a:" & $string(id), "stock": stock }',
      owns: '  - { connection: target, object: record, fields: [stock] }',
    }),
  ];
}

export function compileRuntimeSpecs(
  targetUrl: string,
  integrations: string[],
  options: {
    timeout?: string;
    /** More YAML lines for the target connection (e.g. `max_concurrency: 2`). */
    connection?: string;
    commit?: string;
    extra?: Record<string, string>;
    engine?: TransformEngine;
  } = {},
): CompiledSpecSet {
  const files: Record<string, string> = {
    'target.yaml': `apiVersion: junction/v1\nkind: Connection\nname: target\ntype: target\nbase_url: ${targetUrl}\ntimeout: ${options.timeout ?? '2s'}\n${options.connection ?? ''}`,
    ...options.extra,
  };
  integrations.forEach((text, i) => (files[`integration-${i}.yaml`] = text));
  const tree = {
    displayRoot: '.',
    files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) })),
  };
  const result = compileSpecTree(tree, {
    connectors: targetConnectors(),
    engine: options.engine ?? guardedReferenceEngine(),
  });
  if (!result.specSet)
    throw new Error(
      `test specs do not compile:\n${result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`).join('\n')}`,
    );
  return options.commit ? { ...result.specSet, commit: options.commit } : result.specSet;
}
