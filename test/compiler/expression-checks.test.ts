/**
 * The expression checks on expressions alone: valid JSONata that must never be reported (user functions, context
 * arguments, `~>`, partial application, higher-order functions, unknown data), and the exact messages of problems.
 */
import { describe, expect, it } from 'vitest';
import { checkFunctions } from '../../engine/compiler/checks/check-functions.js';
import { checkPictures } from '../../engine/compiler/checks/check-pictures.js';
import { checkVariables } from '../../engine/compiler/checks/check-variables.js';
import { expressionScope, stepValues } from '../../engine/compiler/checks/expression-scopes.js';
import type { ExpressionReport } from '../../engine/compiler/checks/expression-report.js';
import { functionCalls } from '../../engine/compiler/checks/function-calls.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';

/** `steps`: the integration's steps, for the $index, $body and $result an expression at `path` sees. */
function problems(
  source: string,
  engine = junctionEngine,
  path?: (string | number)[],
  steps: { id?: string; for_each?: string; restart_from?: string }[] = [{ for_each: 'lines' }],
): string[] {
  const out: string[] = [];
  const report: ExpressionReport = (offset, severity, code, message) =>
    out.push(`${offset} ${severity} ${code}: ${message}`);
  const calls = functionCalls(engine.compile(source).ast?.(), source);
  const scope = path && expressionScope(path);
  checkFunctions(calls, source, report, scope);
  checkPictures(calls, source, report);
  checkVariables(calls, report, scope, path && stepValues(path, steps));
  return out;
}

const VALID = [
  '$substring(name, 0, 3)',
  'name.$substring(0, 3)',
  'name ~> $substring(1) ~> $uppercase',
  '($f := function($x) { $x * 2 }; $f(price))',
  '($pad5 := $pad(?, 5); $pad5(sku))',
  '$map(items, function($i) { $i.qty }) ~> $sum',
  '$map(items, $string)',
  '$sum(items.(qty * price))',
  '$join(["a", $string(n)], ", ")',
  '$string()',
  '$now()',
  '$now("[Y0001]-[M01]-[D01]", "+0100")',
  '$formatNumber(total, "#,##0.00")',
  '$formatNumber(total, "#.##0,00", { "decimal-separator": ",", "grouping-separator": "." })',
  '$toMillis(when, "[Y0001]-[M01]-[D01]")',
  '$fromMillis($millis(), "[H01]:[m01]")',
  '$formatInteger(n, "w")',
  '$lookup("warehouses", store)',
  '$xref("customers", id)',
  'items@$i#$p.$i.$string($p)',
  '$exists(x) ? $number(x) : 0',
  '$replace(s, /a+/, "b")',
  '$count($split(s, ","))',
  '$event.id & $steps.a.id',
  '$index + 1 & $result.id & $body.sku & $key & $cursor',
  '$$.id & $.id & $[0]',
  '($a := 1; $b := function($v, $w) { $v + $w + $a }; $b(1, 2))',
  'items@$it#$pos.{ "n": $pos, "sku": $it.sku }',
  '$ ~> | items | { "seen": true } |',
  '$sort(items, function($l, $r) { $l.n > $r.n })',
];

describe('expression checks', () => {
  for (const source of VALID)
    it(`reports nothing for ${source}`, () => {
      expect(problems(source)).toEqual([]);
      expect(problems(source, referenceEngine)).toEqual([]);
    });

  it('names an unknown function at its $ with the closest one', () => {
    expect(problems('{ "a": $uppercas(x) }')).toEqual([
      "7 error unknown-function: `$uppercas` is not a function: neither a JSONata function, a Junction extension ($lookup, $xref, $localDate, $zoneOffset), one of the integration's `functions` nor one this expression binds with :=; did you mean `$uppercase`?",
    ]);
    expect(problems('x ~> $frobnicate')[0]).toMatch(/^5 error unknown-function: `\$frobnicate` .*:=$/);
  });

  it('names a variable nothing binds at its $, with the closest bound name', () => {
    for (const engine of [junctionEngine, referenceEngine]) {
      expect(problems('{ "id": $evnet.id, "n": ($total := 1; $totl), "x": $x, "again": $x }', engine)).toEqual([
        "8 error unknown-variable: `$evnet` is not bound: it is neither a value Junction binds ($event, $steps, $index, $result, $body, $key, $cursor), a function, one of the integration's `functions`, nor one this expression binds with :=, so it would have no value; did you mean `$event`?",
        "38 error unknown-variable: `$totl` is not bound: it is neither a value Junction binds ($event, $steps, $index, $result, $body, $key, $cursor), a function, one of the integration's `functions`, nor one this expression binds with :=, so it would have no value; did you mean `$total`?",
        "51 error unknown-variable: `$x` is not bound: it is neither a value Junction binds ($event, $steps, $index, $result, $body, $key, $cursor), a function, one of the integration's `functions`, nor one this expression binds with :=, so it would have no value",
      ]);
    }
  });

  it('says to assign with := when a variable nothing binds is compared with = (a JavaScript habit)', () => {
    expect(problems('($total = price * qty; $total > 100)')).toEqual([
      '1 error unknown-variable: `$total` is not bound: it is neither a value Junction binds ($event, $steps, $index, ' +
        "$result, $body, $key, $cursor), a function, one of the integration's `functions`, nor one this expression " +
        'binds with :=, so it would have no ' +
        'value; `$total = …` compares: assign with `$total := …`',
    ]);
  });

  it('refuses what is not bound where key, dedup_id and on_error rules are evaluated', () => {
    expect(problems('$lookup("stores", store) & $event.sku & $index', junctionEngine, ['key'])).toEqual([
      '0 error unknown-function: `$lookup` is not available in `key`, which is computed as the event arrives, before any step, with only $event bound: the call would fail at run time',
      '40 error unknown-variable: `$index` is not bound in `key`, which is computed as the event arrives, before any step, with only $event bound',
    ]);
    expect(problems('$localDate(updated_at, "UTC")', referenceEngine, ['dedup_id'])[0]).toMatch(
      /^0 error unknown-function: `\$localDate` is not available in `dedup_id`/,
    );
    expect(problems('code = "validation" and $xref("m", $event.id)', junctionEngine, ['on_error', 1, 'match'])).toEqual(
      [
        '24 error unknown-function: `$xref` is not available in `on_error[1].match`, which is evaluated over the failure alone (code, status, vendor_code, message, step, sent_before), with no $ bindings: the call would fail at run time',
        '35 error unknown-variable: `$event` is not bound in `on_error[1].match`, which is evaluated over the failure alone (code, status, vendor_code, message, step, sent_before), with no $ bindings',
      ],
    );
    expect(problems('($s := $string(sku); $s & $event.x)', junctionEngine, ['key'])).toEqual([]);
    expect(problems('$lookup("stores", store) & $index', junctionEngine, ['steps', 0, 'body'])).toEqual([]);
  });

  it('refuses $index outside a for_each step, and $body and $result outside the parts of a step that bind them', () => {
    const INDEX =
      "only in a `for_each` step's `body`, `requires`, `find` and `xref`, and in the `abandon` of a step that a " +
      '`for_each` step restarts from (`restart_from`: the index of the element that restarts)';
    const BODY = "only in a step's `find` and `abandon` (what the step sent)";
    const RESULT = "only in a step's `xref` `source_id` and `target_id` (the step's answer)";
    expect(problems('{ "line": $index, "sku": sku }', junctionEngine, ['steps', 0, 'body'], [{}])).toEqual([
      `10 error unknown-variable: \`$index\` is not bound here: Junction binds it ${INDEX}`,
    ]);
    expect(problems('$index > 0', junctionEngine, ['steps', 0, 'when'])).toEqual([
      `0 error unknown-variable: \`$index\` is not bound here: Junction binds it ${INDEX}`,
    ]);
    expect(problems('{ "id": $result.id, "sku": $body.sku }', junctionEngine, ['steps', 0, 'body'])).toEqual([
      `8 error unknown-variable: \`$result\` is not bound here: Junction binds it ${RESULT}`,
      `27 error unknown-variable: \`$body\` is not bound here: Junction binds it ${BODY}`,
    ]);
    expect(problems('$body.sku', junctionEngine, ['steps', 0, 'xref', 'target_id'])).toEqual([
      `0 error unknown-variable: \`$body\` is not bound here: Junction binds it ${BODY}`,
    ]);
    expect(problems('$result.id', junctionEngine, ['steps', 0, 'find', 'match'])).toEqual([
      `0 error unknown-variable: \`$result\` is not bound here: Junction binds it ${RESULT}`,
    ]);
    expect(problems('$result.id & $index', junctionEngine, ['steps', 0, 'xref', 'match', 'source_key'])).toEqual([
      `0 error unknown-variable: \`$result\` is not bound here: Junction binds it ${RESULT}`,
      `13 error unknown-variable: \`$index\` is not bound here: Junction binds it ${INDEX}`,
    ]);
    expect(problems('records[ref = $body.ref and n = $index]', junctionEngine, ['steps', 0, 'find', 'match'])).toEqual(
      [],
    );
    expect(problems('$result.id & $index', junctionEngine, ['steps', 0, 'xref', 'target_id'])).toEqual([]);
  });

  it("binds $index in an abandon only when a for_each step restarts from the abandon's step", () => {
    const INDEX =
      "only in a `for_each` step's `body`, `requires`, `find` and `xref`, and in the `abandon` of a step that a " +
      '`for_each` step restarts from (`restart_from`: the index of the element that restarts)';
    const abandon = ['steps', 0, 'abandon', 'body'];
    const restartedByLines = [{ id: 'head' }, { id: 'lines', for_each: 'lines', restart_from: 'head' }];
    expect(problems('{ "Id": $body.id, "Line": $index }', junctionEngine, abandon, restartedByLines)).toEqual([]);
    // Restarted by a plain step only: the abandon runs with that step's bindings, which have no $index.
    const restartedByTotal = [{ id: 'head' }, { id: 'total', restart_from: 'head' }];
    expect(problems('{ "Id": $body.id, "Line": $index }', junctionEngine, abandon, restartedByTotal)).toEqual([
      `26 error unknown-variable: \`$index\` is not bound here: Junction binds it ${INDEX}`,
    ]);
    // The abandon step's own for_each does not bind it (the abandon runs in the restarting step).
    const ownForEach = [
      { id: 'head', for_each: 'heads' },
      { id: 'total', restart_from: 'head' },
    ];
    expect(problems('$index', junctionEngine, abandon, ownForEach)).toEqual([
      `0 error unknown-variable: \`$index\` is not bound here: Junction binds it ${INDEX}`,
    ]);
  });

  it('reports arity and types against the signature, inferred through bindings and conditions', () => {
    expect(problems('$substring("abc")')).toEqual([
      '0 error invalid-arguments: `$substring` needs argument 2, which the call does not pass (signature <s-nn?:s>)',
    ]);
    expect(problems('($n := 1 + 2; $uppercase(c ? $n : "x" & $n))')).toEqual([]);
    expect(problems('($n := 1 + 2; $uppercase($n))')).toEqual([
      '25 error invalid-arguments: argument 1 of `$uppercase` is a number, which the function does not take there (signature <s-:s>)',
    ]);
    expect(problems('$length(a, b, c)')).toEqual([
      '11 error invalid-arguments: `$length` takes 1 argument at most; argument 2 is one too many (signature <s-:n>)',
    ]);
    expect(problems('"x" ~> $round')).toEqual([
      '0 error invalid-arguments: argument 1 of `$round` is a string, which the function does not take there (signature <n-n?:n>)',
    ]);
  });

  it('gives the runtime error of a bad picture', () => {
    expect(problems('$formatNumber(1, "#,,##0")')).toEqual([
      '17 error invalid-picture: the picture "#,,##0" of `$formatNumber` is invalid: JSONata D3089 The sub-picture must not contain two adjacent instances of the \'grouping-separator\' character',
    ]);
    expect(problems('$toMillis(d, "[Y0001]-[W01]")')[0]).toMatch(/^13 error invalid-picture: .* D3136 /);
  });
});
