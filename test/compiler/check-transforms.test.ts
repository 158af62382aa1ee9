/**
 * The transform checks on the shapes the corpus does not cover: conditions, blocks, nested constructors, dotted
 * `owns`, computed keys, `for_each` element context, `$event`, variables, and everything the walk must stay silent on.
 */
import { describe, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { sharedCorpus } from './shared-corpus.js';
import { testConnectors } from './test-connectors.js';

/** Compiles one integration whose step writes shop products (owning `owns`), returning `line:col code` per problem. */
function check(
  body: string,
  options: {
    owns?: string;
    source?: string;
    forEach?: string;
    when?: string;
    events?: string[];
    operation?: string;
  } = {},
): string[] {
  const yaml = [
    'apiVersion: junction/v1',
    'kind: Integration',
    'name: t',
    `source: ${options.source ?? '{ webhook: { verify: none } }'}`,
    'key: $string(id)',
    ...(options.when ? [`when: ${options.when}`] : []),
    'steps:',
    '  - id: p',
    ...(options.forEach ? [`    for_each: ${options.forEach}`] : []),
    '    connection: shop',
    `    operation: ${options.operation ?? 'products.update'}`,
    `    body: '${body}'`,
    'owns:',
    `  - { connection: shop, object: product, fields: ${options.owns ?? '[price, name]'} }`,
  ].join('\n');
  const tests = options.events && [
    'apiVersion: junction/v1',
    'kind: Test',
    'integration: t',
    'cases:',
    ...options.events.map((e, i) => `  - { name: c${i}, event: ${e}, expect: { outcome: delivered } }`),
  ];
  const files = [{ path: 't.yaml', bytes: Buffer.from(yaml) }];
  if (tests) files.push({ path: 't.test.yaml', bytes: Buffer.from(tests.join('\n')) });
  const result = compileSpecTree(
    { displayRoot: '.', files: [...sharedCorpus, ...files] },
    { connectors: testConnectors(), engine: referenceEngine },
  );
  return result.diagnostics
    .filter((d) => d.severity === 'error' || d.code === 'unknown-source-field')
    .map((d) => `${d.line}:${d.col} ${d.code}${d.severity === 'warning' ? ' (warning)' : ''}`);
}

const POLLED =
  '{ schedule: { connection: shop, operation: orders.search, every: 1m, records: orders, cursor: updated_at } }';

describe('written fields', () => {
  it('checks both branches of a condition and the last expression of a block', () => {
    expect(check('x ? { "sku": sku, "bogus": 1 } : { "sku": sku, "price": 2 }')).toEqual([
      '10:30 unknown-target-field',
    ]);
    expect(check('( $p := price; { "sku": sku, "price": $p, "weight": 1 } )')).toEqual(['10:54 unknown-target-field']);
  });

  it('checks nested constructors against the nested schema, and dotted owns', () => {
    expect(check('{ "sku": sku, "stock": { "qty": 1, "qtty": 2 } }', { owns: '[stock]' })).toEqual([
      '10:47 unknown-target-field',
    ]);
    expect(check('{ "sku": sku, "stock": { "qty": 1, "source": "a" } }', { owns: '[stock.qty]' })).toEqual([
      '10:47 unowned-field-write',
    ]);
    expect(
      check('{ "sku": sku, "stock": { "qty": 1, "source": "a" } }', { owns: '[stock.qty, stock.source]' }),
    ).toEqual([]);
  });

  it('accepts the identity and `*`, and points at a quoted key with escapes', () => {
    expect(check('{ "sku": sku, "warehouse": "W1" }', { owns: '["*"]' })).toEqual([]);
    expect(check('{ "sku": sku, "na\\"me": 1 }')).toEqual(['10:26 unknown-target-field']);
  });

  it('asks an update only for its identity, and skips computed keys', () => {
    expect(check('{ "price": price }')).toEqual(['10:12 missing-required-field']);
    expect(check('{ "price": price, $string(kind): 1 }')).toEqual([]);
  });

  it('knows nothing, and says nothing, about bodies that are not constructors', () => {
    expect(check('$merge([{ "sku": sku }, { "bogus": 1 }])')).toEqual([]);
  });
});

describe('an input schema with local $refs', () => {
  it('reads field types, picklists and nested fields through $defs, definitions, ref chains and a ref to the root', () => {
    const body = '{ "sku": sku, "price": $string(cost), "tier": "gold", "parts": [{ "sku": sku, "qtty": 1 }] }';
    expect(check(body, { operation: 'bundles.update', owns: '[price, tier, parts]' })).toEqual([
      '10:35 invalid-field-type',
      '10:50 invalid-value',
      '10:90 unknown-target-field',
    ]);
  });
});

describe('fields read from a schedule source', () => {
  it('reads paths, predicates, $event and variables against the record schema', () => {
    expect(check('{ "sku": $string(id), "name": customer.nmae }', { source: POLLED })).toEqual([
      '10:51 unknown-source-field',
    ]);
    expect(check('{ "sku": $string(id), "name": $string($count(items[qtty > 0])) }', { source: POLLED })).toEqual([
      '10:63 unknown-source-field',
    ]);
    expect(check('( $c := customer; { "sku": $string(id), "name": $c.nmae } )', { source: POLLED })).toEqual([
      '10:63 unknown-source-field',
    ]);
    expect(check('{ "sku": $string(id) }', { source: POLLED, when: 'statuss = "paid"' })).toEqual([
      '6:7 unknown-source-field',
    ]);
  });

  it('reads a for_each body against the element, and $event against the record', () => {
    expect(check('{ "sku": skuu, "name": $event.customer.name }', { source: POLLED, forEach: 'items' })).toEqual([
      '11:21 unknown-source-field',
    ]);
    expect(check('{ "sku": sku, "name": $event.customer.nam }', { source: POLLED, forEach: 'items' })).toEqual([
      '11:50 unknown-source-field',
    ]);
  });

  it('stays silent inside lambdas, on wildcards and on webhook sources', () => {
    expect(
      check('{ "sku": $string(id), "name": $join($map(items, function($i) { $i.bogus }), ",") }', { source: POLLED }),
    ).toEqual([]);
    expect(check('{ "sku": $string(id), "name": customer.*.x }', { source: POLLED })).toEqual([]);
    expect(check('{ "sku": sku, "name": whatever.you.like }')).toEqual([]);
  });
});

describe('fields read from a webhook source, as its recorded test events show them', () => {
  const events = ['{ id: 1, sku: A1, customer: { name: Ada, fax: null }, items: [{ qty: 1 }] }', '{ id: 2, sku: B2 }'];

  it('warns of a field no event carries, in the key, conditions and bodies', () => {
    expect(check('{ "sku": sku, "name": customer.nmae }', { events, when: 'idd > 0' })).toEqual([
      '6:7 unknown-source-field (warning)',
      '11:43 unknown-source-field (warning)',
    ]);
    expect(check('{ "sku": sku, "name": $string($count(items[qtty > 0])) }', { events })).toEqual([
      '10:55 unknown-source-field (warning)',
    ]);
  });

  it('knows a field one event carries, and nothing below a value seen only as null, empty or of mixed kinds', () => {
    const mixed = [...events, '{ id: 3, sku: C3, customer: Bo, items: [] }'];
    expect(check('{ "sku": sku, "name": customer.name & customer.fax.number }', { events })).toEqual([]);
    expect(check('{ "sku": sku, "name": customer.anything }', { events: mixed })).toEqual([]);
    expect(check('{ "sku": sku, "name": whatever }', { events: ['{}'] })).toEqual([]);
    expect(check('{ "sku": sku, "name": $string(undefined) }', { events })).toEqual([]);
  });
});

describe('a field name with a hyphen', () => {
  it('says to quote it in backticks when the record has it and the expression subtracts its parts', () => {
    const yaml = [
      'apiVersion: junction/v1',
      'kind: Integration',
      'name: t',
      'source:',
      '  webhook:',
      '    verify: none',
      '    record: { type: object, properties: { order-id: { type: string }, sku: { type: string } } }',
      'key: order-id',
      'steps:',
      '  - { id: p, connection: shop, operation: products.update, body: \'{ "sku": sku, "name": `order-id` }\' }',
      'owns:',
      '  - { connection: shop, object: product, fields: [name] }',
    ].join('\n');
    const result = compileSpecTree(
      { displayRoot: '.', files: [...sharedCorpus, { path: 't.yaml', bytes: Buffer.from(yaml) }] },
      { connectors: testConnectors(), engine: referenceEngine },
    );
    const reads = result.diagnostics.filter((d) => d.code === 'unknown-source-field');
    expect(reads.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([
      '8:6 unknown-source-field `order` is not a field of the events `source.webhook.record` declares: `order-id` ' +
        'is, and a field name with a hyphen is quoted with backticks (``order-id``); unquoted, order-id subtracts ' +
        '`id` from `order`',
      '8:12 unknown-source-field `id` is not a field of the events `source.webhook.record` declares',
    ]);
  });
});
