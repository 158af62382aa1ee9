/**
 * Defaults live in the schemas only: validation fills every `default` of schemas/ into the spec (ajv useDefaults),
 * and the compiler reads them from there. Each default is listed here with a spec that leaves it out; the test
 * fails when a schema gains a default that is not listed, or when validation does not fill one in.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SCHEMAS_DIR, kindValidator } from '../../engine/compiler/schema-registry.js';
import type { SpecKind } from '../../engine/compiler/schema-registry.js';

const head = (kind: string, name = 'a') => ({ apiVersion: 'junction/v1', kind, name });
const integration = (extra: Record<string, unknown>) => ({
  ...head('Integration'),
  key: 'id',
  source: { webhook: { verify: 'none' } },
  steps: [{ id: 's', connection: 'c', operation: 'post' }],
  ...extra,
});

/** A spec that leaves defaults out, and where each lands: schema location -> path in the validated value. */
const CASES: { kind: SpecKind; spec: Record<string, unknown>; filled: Record<string, string> }[] = [
  {
    kind: 'Connection',
    spec: { ...head('Connection'), type: 'http', base_url: 'https://api.example.com' },
    filled: {
      'connection.schema.json#/properties/auth': 'auth',
      'connection.schema.json#/properties/timeout': 'timeout',
      'connection.schema.json#/properties/commit_window': 'commit_window',
    },
  },
  {
    kind: 'Connection',
    spec: {
      ...head('Connection'),
      type: 'magento',
      base_url: 'https://shop.example.com',
      auth: { type: 'magento_admin_token', username: '${env:U}', password: '${env:P}' },
    },
    filled: { 'connection.schema.json#/definitions/auth_magento_admin_token/properties/token_url': 'auth.token_url' },
  },
  {
    kind: 'Connection',
    spec: {
      ...head('Connection'),
      type: 'magento',
      base_url: 'https://shop.example.com',
      auth: {
        type: 'oauth1',
        consumer_key: '${env:A}',
        consumer_secret: '${env:B}',
        access_token: '${env:C}',
        access_token_secret: '${env:D}',
      },
    },
    filled: { 'connection.schema.json#/definitions/auth_oauth1/properties/signature_method': 'auth.signature_method' },
  },
  {
    kind: 'Integration',
    spec: integration({
      source: {
        webhook: {
          verify: { hmac_sha256: { header: 'X-Signature', secret: '${env:S}', timestamp: { header: 'X-Timestamp' } } },
        },
      },
      steps: [
        {
          id: 's',
          connection: 'c',
          operation: 'post',
          find: { operation: 'get' },
          requires: [{ xref: 'customer', key: 'customer_id' }],
        },
      ],
      owns: [{ connection: 'c', object: 'order', fields: ['total'] }],
    }),
    filled: {
      'integration.schema.json#/properties/retry': 'retry',
      'integration.schema.json#/definitions/retry/properties/max_attempts': 'retry.max_attempts',
      'integration.schema.json#/definitions/retry/properties/initial': 'retry.initial',
      'integration.schema.json#/definitions/retry/properties/max': 'retry.max',
      'integration.schema.json#/definitions/retry/properties/multiplier': 'retry.multiplier',
      'integration.schema.json#/definitions/retry/properties/dependency_deadline': 'retry.dependency_deadline',
      'integration.schema.json#/definitions/retry/properties/throttle_deadline': 'retry.throttle_deadline',
      'integration.schema.json#/definitions/webhook_source/properties/max_body_bytes': 'source.webhook.max_body_bytes',
      'integration.schema.json#/definitions/webhook_source/properties/verify/properties/hmac_sha256/properties/encoding':
        'source.webhook.verify.hmac_sha256.encoding',
      'integration.schema.json#/definitions/webhook_source/properties/verify/properties/hmac_sha256/properties/prefix':
        'source.webhook.verify.hmac_sha256.prefix',
      'integration.schema.json#/definitions/webhook_source/properties/verify/properties/hmac_sha256/properties/timestamp/properties/tolerance':
        'source.webhook.verify.hmac_sha256.timestamp.tolerance',
      'integration.schema.json#/definitions/find/properties/when': 'steps.0.find.when',
      'integration.schema.json#/definitions/requirement/properties/fetch': 'steps.0.requires.0.fetch',
      'integration.schema.json#/definitions/ownership/properties/records': 'owns.0.records',
    },
  },
  {
    kind: 'Integration',
    spec: integration({ source: { webhook: { verify: { adobe_io_events: { client_id: 'abc' } } } } }),
    filled: {
      'integration.schema.json#/definitions/webhook_source/properties/verify/properties/adobe_io_events/properties/public_key_base_url':
        'source.webhook.verify.adobe_io_events.public_key_base_url',
    },
  },
  {
    kind: 'Integration',
    spec: integration({
      source: { schedule: { connection: 'c', operation: 'list', every: '1m', cursor: 'updated_at' } },
    }),
    filled: {
      'integration.schema.json#/definitions/schedule_source/properties/snapshot': 'source.schedule.snapshot',
    },
  },
  {
    kind: 'Integration',
    spec: integration({ reconcile: { every: '1h' } }),
    filled: {
      'integration.schema.json#/definitions/reconcile_schedule/properties/sample': 'reconcile.sample',
      'integration.schema.json#/definitions/reconcile_schedule/properties/fix': 'reconcile.fix',
    },
  },
  {
    kind: 'Integration',
    spec: integration({ source: { stream: { connection: 'c', stream: 'changes' } } }),
    filled: {
      'integration.schema.json#/definitions/stream_source/properties/start': 'source.stream.start',
      'integration.schema.json#/definitions/stream_source/properties/batch_size': 'source.stream.batch_size',
    },
  },
  {
    kind: 'Lookup',
    spec: { ...head('Lookup'), resolve: { connection: 'c', operation: 'query', value: 'Id' } },
    filled: { 'lookup.schema.json#/properties/resolve/properties/ttl': 'resolve.ttl' },
  },
  ...[
    ['dlq_growth', ['more_than', 'within']],
    ['auth_failures', ['more_than', 'within']],
    ['error_rate', ['min_attempts', 'within']],
    ['source_failing', ['rounds']],
    ['source_stalled', ['intervals', 'stream_interval']],
  ].map(([condition, fields]) => ({
    kind: 'Alert' as const,
    spec: {
      ...head('Alert'),
      condition: { [condition as string]: condition === 'error_rate' ? { more_than: 0.1 } : {} },
      notify: [{ email: { host: 'smtp.example.com', from: 'j@example.com', to: ['o@example.com'] } }],
    },
    filled: Object.fromEntries([
      ...(fields as string[]).map((f) => [
        `alert.schema.json#/definitions/condition/properties/${condition}/properties/${f}`,
        `condition.${condition}.${f}`,
      ]),
      ...(condition === 'dlq_growth'
        ? [
            ['alert.schema.json#/properties/severity', 'severity'],
            ['alert.schema.json#/properties/for', 'for'],
            ['alert.schema.json#/properties/repeat_every', 'repeat_every'],
            ['alert.schema.json#/definitions/notifier/properties/email/properties/port', 'notify.0.email.port'],
            ['alert.schema.json#/definitions/notifier/properties/email/properties/tls', 'notify.0.email.tls'],
          ]
        : []),
    ]),
  })),
  {
    kind: 'Test',
    spec: { apiVersion: 'junction/v1', kind: 'Test', integration: 'a', cases: [{ name: 'c', event: {}, expect: {} }] },
    filled: { 'test.schema.json#/definitions/expectation/properties/outcome': 'cases.0.expect.outcome' },
  },
];

/** Every `default` keyword in schemas/, as `<file>#<pointer>` -> the default value. */
function schemaDefaults(): Map<string, unknown> {
  const found = new Map<string, unknown>();
  const walk = (node: unknown, pointer: string, file: string, parentKey?: string) => {
    if (node === null || typeof node !== 'object') return;
    // under `properties`, a key named "default" is a property, not the keyword
    if (parentKey !== 'properties' && !Array.isArray(node) && 'default' in node)
      found.set(`${file}#${pointer}`, (node as { default: unknown }).default);
    for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`, file, key);
  };
  for (const file of readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')))
    walk(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')), '', file);
  return found;
}

const at = (value: unknown, path: string) =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], value);

it('lists every default of the schemas', () => {
  const listed = CASES.flatMap((c) => Object.keys(c.filled)).sort();
  expect(listed).toEqual([...schemaDefaults().keys()].sort());
});

it.each(CASES.map((c) => [Object.values(c.filled).join(', '), c] as const))('fills in %s', (_, c) => {
  const validate = kindValidator(c.kind);
  const value = structuredClone(c.spec);
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  const defaults = schemaDefaults();
  for (const [location, path] of Object.entries(c.filled)) {
    // an object default (`retry: {}`) is then filled in further by its own properties' defaults
    const expected = defaults.get(location);
    if (expected !== null && typeof expected === 'object') expect(at(value, path)).toMatchObject(expected);
    else expect(at(value, path)).toEqual(expected);
  }
});
