/**
 * An integration's `functions`: each diagnostic at its exact line:col with its message, and what a spec that uses
 * them plans (the dry run, which runs the compiled expressions as the runtime does), on both transform engines.
 */
import { describe, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import type { TransformEngine } from '../../engine/transform/transform-engine.js';
import { sharedCorpus } from './shared-corpus.js';
import { testConnectors } from './test-connectors.js';

/** An integration writing shop products, with `functions` (YAML lines) and the given key and body. */
function spec(functions: string[], options: { key?: string; body?: string; onError?: string } = {}): string {
  return [
    'apiVersion: junction/v1',
    'kind: Integration',
    'name: t',
    'source: { webhook: { verify: none } }',
    'functions:',
    ...functions.map((line) => `  ${line}`),
    `key: ${options.key ?? '$string(sku)'}`,
    'steps:',
    '  - id: p',
    '    connection: shop',
    '    operation: products.update',
    `    body: '${options.body ?? '{ "sku": sku, "name": $label(name) }'}'`,
    'owns:',
    '  - { connection: shop, object: product, fields: [name, warehouse] }',
    ...(options.onError ? ['on_error:', `  - { match: '${options.onError}', action: skip }`] : []),
  ].join('\n');
}

function compile(yaml: string, engine: TransformEngine = referenceEngine) {
  return compileSpecTree(
    { displayRoot: '.', files: [...sharedCorpus, { path: 't.yaml', bytes: Buffer.from(yaml) }] },
    { connectors: testConnectors(), engine },
  );
}

/** `line:col code: message` of each error. */
function errors(yaml: string): string[] {
  return compile(yaml)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.line}:${d.col} ${d.code}: ${d.message}`);
}

const LABEL = 'label: function($s) { $uppercase($trim($s)) }';

describe('functions', () => {
  it('reports a syntax error inside a function at its line:col in the YAML', () => {
    const found = errors(spec(['label: |', '    function($s) {', '      $uppercase($trim($s)', '    }']));
    expect(found).toEqual([
      '9:7 jsonata-syntax: JSONata S0202 Expected ")", got "}"; this } does not match the ( at 8:19: close it with )',
    ]);
  });

  it('refuses a value that is not a function, at its first character', () => {
    expect(errors(spec(['label: $uppercase(name)']))).toEqual([
      "6:10 not-a-function: `functions.label` is a function call (it gives the call's result), not a function, so " +
        '`$label(…)` would fail on every event: write it as `function($param, …) { … }`, the parameters being what ' +
        'the callers pass',
    ]);
  });

  it('refuses a name that hides a built-in, or that `$name` cannot call, at the name', () => {
    expect(
      errors(spec([LABEL, 'string: function($v) { $v }', 'lookup: function($v) { $v }', 'event: function() { 1 }'])),
    ).toEqual([
      '7:3 shadowed-builtin: `$string` is a JSONata function: a function of that name would hide it in every ' +
        'expression of this integration; give the function a name of its own',
      '8:3 shadowed-builtin: `$lookup` is a Junction extension: a function of that name would hide it in every ' +
        'expression of this integration; give the function a name of its own',
      '9:3 shadowed-builtin: `$event` is a value Junction binds ($event, $steps, $index, $result, $body, $key, ' +
        '$cursor): a function of that name would hide it in every expression of this integration; give the ' +
        'function a name of its own',
    ]);
    expect(errors(spec([LABEL, 'my-fn: function($v) { $v }']))).toEqual([
      '7:3 invalid-format: function name `my-fn` cannot be called as `$my-fn`: a name is letters, digits and ' +
        'underscores, not starting with a digit (`my_fn`)',
    ]);
  });

  it('names an unknown function, in a function or an expression, with the closest of the spec', () => {
    expect(
      errors(
        spec([LABEL, 'shout: function($s) { $lable($s) & "!" }'], { body: '{ "sku": sku, "name": $shuot(name) }' }),
      ),
    ).toEqual([
      "7:25 unknown-function: `$lable` is not a function: neither a JSONata function, a Junction extension ($lookup, $xref, $localDate, $zoneOffset), one of the integration's `functions` nor one this expression binds with :=; did you mean `$label`?",
      "13:34 unknown-function: `$shuot` is not a function: neither a JSONata function, a Junction extension ($lookup, $xref, $localDate, $zoneOffset), one of the integration's `functions` nor one this expression binds with :=; did you mean `$shout`?",
    ]);
  });

  it('refuses a call, where an extension is not bound, of a function that needs it (through another function too)', () => {
    const found = errors(
      spec([LABEL, 'store: function($s) { $lookup("warehouses", $s) }', 'code: function($s) { $store($s) & "-" }'], {
        key: '$code(store) & sku',
        onError: 'code = "validation" and $label(step) = "P"',
      }),
    );
    expect(found).toEqual([
      '9:6 unknown-function: `$code` needs `$lookup`, which is not available in `key`, which is computed as the ' +
        'event arrives, before any step, with only $event bound: the call would fail at run time',
    ]);
  });

  it("refuses Junction's values in a function: the function takes them as arguments", () => {
    expect(errors(spec(['label: function($s) { $s & $event.id & $steps.p.id }']))).toEqual([
      '6:30 unknown-variable: `$event` is not bound in function `$label`, which is called from expressions that ' +
        'see different values: pass it what it needs as an argument',
      '6:42 unknown-variable: `$steps` is not bound in function `$label`, which is called from expressions that ' +
        'see different values: pass it what it needs as an argument',
    ]);
  });

  for (const engine of [junctionEngine, referenceEngine])
    it(`plans the writes of a spec whose functions call each other and the built-ins (${engine.name})`, async () => {
      const yaml = spec(
        [
          LABEL,
          // recursive, and reads the record the calling expression reads ($$)
          `path: 'function($n) { $n <= 1 ? $$.sku : $path($n - 1) & "/" & $string($n) }'`,
          `store: 'function($s) { $s ? $lookup("warehouses", $s) : $error("no store for " & $$.sku) }'`,
        ],
        {
          key: '$label(sku)',
          body: '{ "sku": $label(sku), "name": $label(name) & " " & $path(3), "warehouse": $store(store) }',
        },
      );
      const result = compile(yaml, engine);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const run = (event: unknown) =>
        dryRun(result.specSet!, testConnectors(), {
          integration: 't',
          event,
          responses: { p: { status: 200, body: {} } },
        });
      const planned = await run({ sku: ' mug-1', name: ' mug ', store: '2' });
      expect(planned.outcome).toBe('delivered');
      expect(planned.bodies).toEqual([{ step: 'p', body: { sku: 'MUG-1', name: 'MUG  mug-1/2/3', warehouse: 'W02' } }]);
      const failed = await run({ sku: 'cup-1', name: 'cup' });
      expect(failed.outcome).toBe('failed');
      expect(failed.failure).toMatchObject({
        step: 'p',
        code: 'transform-error',
        message: 'JSONata D3137: no store for cup-1',
      });
    });
});
