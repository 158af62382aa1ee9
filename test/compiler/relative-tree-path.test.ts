/** How a file a spec names (a lookup's CSV, a record schema, a test's event file) is found in the spec tree. */
import { expect, it } from 'vitest';
import { relativeTreePath } from '../../engine/compiler/spec-tree.js';

it('resolves a file beside the spec, below it and above it', () => {
  expect(relativeTreePath('lookups/tax.yaml', 'tax.csv')).toBe('lookups/tax.csv');
  expect(relativeTreePath('lookups/tax.yaml', './data/tax.csv')).toBe('lookups/data/tax.csv');
  expect(relativeTreePath('tests/orders.test.yaml', '../events/order.json')).toBe('events/order.json');
  expect(relativeTreePath('orders.yaml', 'schemas/order.json')).toBe('schemas/order.json');
});

it('reads a doubled slash as one and skips `.`, as a file system does', () => {
  expect(relativeTreePath('lookups/tax.yaml', 'data//tax.csv')).toBe('lookups/data/tax.csv');
  expect(relativeTreePath('tests/orders.test.yaml', '..//events/./order.json')).toBe('events/order.json');
});
