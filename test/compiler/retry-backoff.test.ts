/**
 * A retry policy whose `initial` delay is longer than its `max`: the backoff caps every delay at `max`, so `initial`
 * would do nothing. Validate says so at the value the author wrote, with both durations and the fix.
 */
import { describe, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { testConnectors } from './test-connectors.js';

const SHOP =
  'apiVersion: junction/v1\nkind: Connection\nname: shop\ntype: shop\nbase_url: https://shop.example.com\n' +
  'auth: { type: bearer, token: "${env:SHOP_TOKEN}" }\n';

function problems(retry: string): string[] {
  const integration =
    'apiVersion: junction/v1\nkind: Integration\nname: orders\nsource: { webhook: { verify: none } }\nkey: id\n' +
    `steps:\n  - { id: a, connection: shop, operation: orders.get }\n${retry}\n`;
  const result = compileSpecTree(
    {
      displayRoot: '.',
      files: [
        { path: 'shop.yaml', bytes: Buffer.from(SHOP) },
        { path: 'orders.yaml', bytes: Buffer.from(integration) },
      ],
    },
    { connectors: testConnectors(), engine: referenceEngine },
  );
  return result.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`);
}

describe('retry backoff', () => {
  it('refuses an initial delay longer than max, at initial', () => {
    expect(problems('retry: { max_attempts: 5, initial: 10m, max: 1m }')).toEqual([
      'orders.yaml:8:36 invalid-value retry.initial (10m) is longer than retry.max (1m): the backoff never waits ' +
        'longer than max, so initial would do nothing and every retry would wait about 1m; set initial to 1m or ' +
        'less, or max to 10m or more',
    ]);
  });

  it('refuses a max below the default initial, at max', () => {
    expect(problems('retry:\n  max: 500ms')).toEqual([
      'orders.yaml:9:8 invalid-value retry.initial (1s, the default) is longer than retry.max (500ms): the backoff ' +
        'never waits longer than max, so initial would do nothing and every retry would wait about 500ms; set ' +
        'initial to 500ms or less, or max to 1s or more',
    ]);
  });

  it('accepts an initial equal to max (a constant delay)', () => {
    expect(problems('retry: { initial: 1m, max: 1m }')).toEqual([]);
  });
});
