/** `ast()` matches jsonata-js's shape (the spec validator walks it for `$steps.<id>` and `$lookup("name", …)`). */
import jsonata from 'jsonata';
import { expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';

const EXPRESSIONS = [
  '$steps.fetch.body.items[price > 1].sku',
  '$lookup("countries", country)',
  '"lit"',
  '$f(1, "s", a.b)',
  '{ "a": $steps.x.y, "b": $lookup("n", $steps.z) }',
  '$map(items, function($i, $n) { $i.sku & $n })',
  'x ~> $uppercase()',
  'items^(>price)',
  'a@$x.b#$i',
  'x ? y : z',
  '[1..3]',
  '-1',
  '|a|{"b":1}|',
  'Account.Order.%.x',
  'a ?? b',
  'a[0].b[]',
];

it.each(EXPRESSIONS)('ast(%s) equals jsonata-js', (expr) => {
  expect(JSON.parse(JSON.stringify(junctionEngine.compile(expr).ast?.()))).toEqual(
    JSON.parse(JSON.stringify(jsonata(expr).ast())),
  );
});
