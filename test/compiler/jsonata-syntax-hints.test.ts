/**
 * A JSONata syntax error says what is wrong (jsonata's code and message), where (the file's line:col, inside block,
 * folded and quoted YAML scalars too) and how to fix it, with a line for each error the parser raises and for the
 * habits that cause most of them: JavaScript operators, `=` for `:=`, a trailing comma, a quote inside a string,
 * a field name with a space, a bracket left open. Both engines (Junction's and jsonata-js) give the same result.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../engine/compiler/compile-expression.js';
import type { Diagnostic } from '../../engine/compiler/diagnostics.js';
import { parseSpecText } from '../../engine/compiler/load-yaml.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';

/** `line:col [char there] code message` of the syntax error of the expression at `path`, as both engines see it. */
function syntaxError(yaml: string, path: (string | number)[] = ['key']): string {
  const loaded = parseSpecText(Buffer.from(yaml), '/specs/x.yaml', 'x.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const spec = loaded.spec;
  const [ours, reference] = [junctionEngine, referenceEngine].map((engine) => {
    const diagnostics: Diagnostic[] = [];
    // a source the cache has not seen for this engine: each test compiles afresh
    compileExpression(engine, { spec, path }, diagnostics);
    return diagnostics.map((d) => {
      const char = yaml.split('\n')[d.line - 1][d.col - 1];
      return `${d.line}:${d.col} [${char}] ${d.code} ${d.message}`;
    });
  });
  expect(reference).toEqual(ours);
  expect(ours).toHaveLength(1);
  return ours[0];
}

/** The expression as the one line of a block scalar: its first character stands at 2:3. */
const inBlock = (expression: string) => syntaxError(`key: |\n  ${expression}\n`);

describe('JSONata syntax errors: what, where and how to fix', () => {
  it('JavaScript operators: ===, !==, &&, ||, !, =>, <>', () => {
    expect(inBlock('status === "open"')).toBe(
      '2:10 [=] jsonata-syntax JSONata S0211 The symbol "=" cannot be used as a unary operator; write = for ===: ' +
        'JSONata compares with = and !=',
    );
    expect(inBlock('status !== "open"')).toBe(
      '2:10 [!] jsonata-syntax JSONata S0211 The symbol "=" cannot be used as a unary operator; write != for !==: ' +
        'JSONata compares with = and !=',
    );
    expect(inBlock('paid && shipped')).toBe(
      '2:8 [&] jsonata-syntax JSONata S0211 The symbol "&" cannot be used as a unary operator; write and for && ' +
        '(JSONata combines conditions with and, or, $not(); & joins strings)',
    );
    expect(inBlock('paid || shipped')).toBe(
      '2:8 [|] jsonata-syntax JSONata S0201 Syntax error: "|"; write or for || (JSONata combines conditions with ' +
        'and, or, $not())',
    );
    expect(inBlock('!paid')).toBe(
      '2:3 [!] jsonata-syntax JSONata S0204 Unknown operator: "!"; JSONata has no ! operator: negate with $not(x), ' +
        'write "not equal" as !=',
    );
    expect(inBlock('$map(lines, (l) => l.qty)')).toBe(
      '2:19 [=] jsonata-syntax JSONata S0211 The symbol ">" cannot be used as a unary operator; JSONata has no ' +
        'arrow functions: write function($x) { $x * 2 }',
    );
    expect(inBlock('status <> "open"')).toBe(
      '2:10 [<] jsonata-syntax JSONata S0211 The symbol ">" cannot be used as a unary operator; write "not equal" as !=',
    );
  });

  it('undefined and null: a missing field is tested with $exists', () => {
    expect(inBlock('email === undefined')).toBe(
      '2:9 [=] jsonata-syntax JSONata S0211 The symbol "=" cannot be used as a unary operator; JSONata has no ' +
        'undefined and no ===: test a missing field with $exists(field) (or $not($exists(field))), a JSON null with ' +
        'field = null',
    );
  });

  it('= for :=, and statements outside a block', () => {
    expect(inBlock('$total = price * qty; $total')).toBe(
      '2:23 [;] jsonata-syntax JSONata S0201 Syntax error: ";"; = compares; assign with := ($x := 5), and put the ' +
        'assignments and the result in a block: ($x := 5; $x * 2)',
    );
    expect(inBlock('$total := price * qty; $total')).toBe(
      '2:24 [;] jsonata-syntax JSONata S0201 Syntax error: ";"; expressions separated by ; must stand in a block: ' +
        'wrap them in parentheses ($x := 5; $x * 2)',
    );
    expect(inBlock('$total := price * qty $total')).toBe(
      '2:25 [$] jsonata-syntax JSONata S0201 Syntax error: "total"; an assignment and what follows it stand in a ' +
        'block, separated by ; : ($x := 1; $x * 2)',
    );
    expect(inBlock('price := 5')).toBe(
      '2:3 [p] jsonata-syntax JSONata S0212 The left side of := must be a variable name (start with $); assign to a ' +
        '$variable ($total := price * qty), and compare with = instead',
    );
  });

  it('quotes: an unclosed string at its opening quote, an apostrophe in a single-quoted string, escapes', () => {
    expect(inBlock('"Order " & id & "')).toBe(
      '2:19 ["] jsonata-syntax JSONata S0101 String literal must be terminated by a matching quote; the string that ' +
        'starts here has no closing ": end it with "',
    );
    expect(inBlock("'it's'")).toBe(
      '2:7 [s] jsonata-syntax JSONata S0201 Syntax error: "s\'"; the quote before this ends the string: quote a ' +
        'string that holds an apostrophe with " ("it\'s"), and a string that holds " with \' (or write \\")',
    );
    expect(inBlock("'it\\'s'")).toBe(
      '2:6 [\\] jsonata-syntax JSONata S0103 Unsupported escape sequence: \\"\'"; JSONata has no \\\' escape: quote a ' +
        'string that holds an apostrophe with " ("it\'s")',
    );
    expect(inBlock('"C:\\data"')).toBe(
      '2:6 [\\] jsonata-syntax JSONata S0103 Unsupported escape sequence: \\"d"; a backslash in a JSONata string ' +
        'starts an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX): write \\\\ for a backslash',
    );
    expect(inBlock('"\\u12"')).toBe(
      '2:4 [\\] jsonata-syntax JSONata S0104 The escape sequence \\u must be followed by 4 hex digits; write \\u ' +
        'with exactly 4 hex digits (\\u00e9 for é)',
    );
  });

  it('field names with a space: in backticks, and an unclosed backtick', () => {
    expect(inBlock('first name')).toBe(
      '2:9 [n] jsonata-syntax JSONata S0201 Syntax error: "name"; two values stand side by side: put an operator ' +
        '(& joins strings, and/or combine conditions) or a comma between them, or quote a field name that holds a ' +
        'space with ` (`first name`)',
    );
    expect(inBlock('`first name')).toBe(
      '2:3 [`] jsonata-syntax JSONata S0105 Quoted property name must be terminated with a backquote (`); the field ' +
        'name quoted with ` here has no closing `: end it with `',
    );
  });

  it('brackets: the one left open or mismatched, by its line:col, and one that closes nothing', () => {
    expect(syntaxError('key: |\n  (\n    a + b\n')).toBe(
      '3:9 [b] jsonata-syntax JSONata S0203 Expected ")" before end of expression; the ( at 2:3 is never closed: ' +
        'add ) where it should end',
    );
    expect(syntaxError('key: |\n  {\n    "price": $round(price, 2\n  }\n')).toBe(
      '4:3 [}] jsonata-syntax JSONata S0202 Expected ")", got "}"; this } does not match the ( at 3:20: close it with )',
    );
    expect(inBlock('$round(price * (1 + tax, 2)')).toBe(
      '2:26 [,] jsonata-syntax JSONata S0202 Expected ")", got ","; the ( at 2:18 is still open here: close it with ) ' +
        'before the ,',
    );
    expect(inBlock('$lookup("x", key))')).toBe(
      '2:20 [)] jsonata-syntax JSONata S0201 Syntax error: ")"; this ) closes no bracket: remove it, or add the ' +
        'bracket it should close',
    );
    expect(inBlock('{ "key": id "seq": seq }')).toBe(
      '2:15 ["] jsonata-syntax JSONata S0202 Expected "}", got "seq"; a comma may be missing before this (between ' +
        'entries, items or arguments), or an operator (& joins strings, and/or combine conditions); a field name ' +
        'that holds a space is quoted with ` (`first name`)',
    );
    expect(inBlock('{"sku" sku}')).toBe(
      '2:10 [s] jsonata-syntax JSONata S0202 Expected ":", got "sku"; an object entry is written "key": value, and a ' +
        'condition a ? b : c',
    );
  });

  it('trailing commas, a stray comma, if/then/else, a half condition, JSONPath filters, an expression cut short', () => {
    expect(inBlock('$sum(lines.qty,)')).toBe(
      '2:17 [,] jsonata-syntax JSONata S0211 The symbol ")" cannot be used as a unary operator; remove the trailing ' +
        'comma before ): JSONata does not allow one',
    );
    expect(inBlock('{"a": 1,}')).toBe(
      '2:10 [,] jsonata-syntax JSONata S0211 The symbol "}" cannot be used as a unary operator; remove the trailing ' +
        'comma before }: JSONata does not allow one',
    );
    expect(inBlock('sku, name')).toBe(
      '2:6 [,] jsonata-syntax JSONata S0201 Syntax error: ","; a , separates array items, object entries or ' +
        'arguments: for several values, write an array [a, b]',
    );
    expect(inBlock('if paid then 1 else 0')).toBe(
      '2:3 [i] jsonata-syntax JSONata S0201 Syntax error: "paid"; JSONata has no if/then/else: write condition ? ' +
        'value : otherwise',
    );
    expect(inBlock('paid ? 1 0')).toBe(
      '2:12 [0] jsonata-syntax JSONata S0201 Syntax error: 0; a condition needs both branches: condition ? value : ' +
        'otherwise',
    );
    expect(inBlock('paid ? : 0')).toBe(
      '2:10 [:] jsonata-syntax JSONata S0211 The symbol ":" cannot be used as a unary operator; a value is missing ' +
        'before : (an object entry is "key": value, a condition a ? b : c)',
    );
    expect(inBlock('lines[?(@.qty > 1)]')).toBe(
      '2:9 [?] jsonata-syntax JSONata S0211 The symbol "?" cannot be used as a unary operator; JSONata filters with ' +
        'a plain predicate, not JSONPath ?(@…): write items[price > 10]',
    );
    expect(inBlock('paid and')).toBe(
      '2:8 [a] jsonata-syntax JSONata S0207 Unexpected end of expression; the expression ends after and: complete ' +
        'it, or remove and',
    );
    expect(syntaxError('key: ""\n')).toBe(
      '1:6 ["] jsonata-syntax JSONata S0207 Unexpected end of expression; the expression is empty: write one (a ' +
        'field name such as id is one)',
    );
  });

  it('every other error the parser raises, each with its fix', () => {
    expect(inBlock('1e400')).toBe(
      '2:3 [1] jsonata-syntax JSONata S0102 Number out of range: "1e400"; a number must fit in a 64-bit float: ' +
        'write a long identifier as a string ("…")',
    );
    expect(inBlock('sku /* note')).toBe(
      '2:7 [/] jsonata-syntax JSONata S0106 Comment has no closing tag; the comment that starts here has no ' +
        'closing */: end it with */',
    );
    expect(inBlock('function($x, y) { $x }')).toBe(
      '2:16 [y] jsonata-syntax JSONata S0208 Parameter 2 of function definition must be a variable name (start ' +
        'with $); name every parameter with a $ (function($x, $y) { … })',
    );
    expect(inBlock('$x{"a": 1}[0]')).toBe(
      '2:13 [[] jsonata-syntax JSONata S0209 A predicate cannot follow a grouping expression in a step; put the ' +
        'predicate [ … ] before the grouping { … } on the step',
    );
    expect(inBlock('lines{"a": 1}{"b": 2}')).toBe(
      '2:16 [{] jsonata-syntax JSONata S0210 Each step can only have one grouping expression; merge the two { … } ' +
        'groupings of the step into one object',
    );
    expect(inBlock('price := 5')).toContain('S0212');
    expect(inBlock('lines.1')).toBe(
      '2:9 [1] jsonata-syntax JSONata S0213 The literal value 1 cannot be used as a step within a path expression; ' +
        'a number cannot be a step of a path: index an array with [n] (items[0]), quote a field named by digits ' +
        'with ` (a.`1`)',
    );
    expect(inBlock('lines@5')).toBe(
      '2:9 [5] jsonata-syntax JSONata S0214 The right side of "@" must be a variable name (start with $); bind a ' +
        '$variable after @ (items@$item, items#$index)',
    );
    expect(inBlock('lines@$x[0]@$y')).toBe(
      '2:15 [$] jsonata-syntax JSONata S0215 A context variable binding must precede any predicates on a step; ' +
        'move the @$variable binding before the predicate [ … ] on the step',
    );
    expect(inBlock('lines^(qty)@$x')).toBe(
      "2:15 [$] jsonata-syntax JSONata S0216 A context variable binding must precede the 'order-by' clause on a " +
        'step; move the @$variable binding before the order-by ^( … ) on the step',
    );
    expect(inBlock('%.sku')).toBe(
      "2:3 [%] jsonata-syntax JSONata S0217 The object representing the 'parent' cannot be derived from this " +
        'expression; % (the parent) is used in a path step only (items.%.id); it has no parent here',
    );
    expect(inBlock('$match(sku, //)')).toBe(
      '2:15 [/] jsonata-syntax JSONata S0301 Empty regular expressions are not allowed; a regular expression needs ' +
        'a pattern between its slashes (/[0-9]+/); for none, use a string',
    );
    expect(inBlock('$match(sku, /[0-9]+)')).toBe(
      '2:22 [)] jsonata-syntax JSONata S0302 No terminating / in regular expression; end the regular expression ' +
        'with / (a / inside it is written \\/)',
    );
    expect(inBlock('λ($x)<x<n>>{1}')).toBe(
      '2:11 [n] jsonata-syntax JSONata S0401 Type parameters can only be applied to functions and arrays; simplify ' +
        'the function signature <…> (see docs.jsonata.org/embedding-extending#function-signature-syntax)',
    );
  });
});

describe('JSONata syntax errors are placed inside every kind of YAML scalar', () => {
  it('a folded (>) block: lines folded into one, a more-indented line kept', () => {
    const yaml =
      'steps:\n  - id: a\n    body: >\n      {\n        "sku": sku,\n        "price": price === 0\n      }\n';
    expect(syntaxError(yaml, ['steps', 0, 'body'])).toBe(
      '6:24 [=] jsonata-syntax JSONata S0211 The symbol "=" cannot be used as a unary operator; write = for ===: ' +
        'JSONata compares with = and !=',
    );
    const folded = 'key: >-\n  $string(id)\n  & "-"\n\n  && code\n';
    expect(syntaxError(folded)).toBe(
      '5:3 [&] jsonata-syntax JSONata S0211 The symbol "&" cannot be used as a unary operator; write and for && ' +
        '(JSONata combines conditions with and, or, $not(); & joins strings)',
    );
  });

  it('a double-quoted string with escapes before the error, folded over two lines', () => {
    expect(syntaxError('key: "\\"Order \\" & id\n  && \\"x\\""\n')).toBe(
      '2:3 [&] jsonata-syntax JSONata S0211 The symbol "&" cannot be used as a unary operator; write and for && ' +
        '(JSONata combines conditions with and, or, $not(); & joins strings)',
    );
    expect(syntaxError('key: "\\u0022a\\" & \\"C:\\\\data\\""\n')).toBe(
      '1:23 [\\] jsonata-syntax JSONata S0103 Unsupported escape sequence: \\"d"; a backslash in a JSONata string ' +
        'starts an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX): write \\\\ for a backslash; in a YAML ' +
        'double-quoted value each backslash is doubled again (or use a block |)',
    );
  });

  it("a single-quoted string with '' and a plain scalar over two lines", () => {
    expect(syntaxError("key: 'name & '' ('' & code === 1'\n")).toBe(
      '1:28 [=] jsonata-syntax JSONata S0211 The symbol "=" cannot be used as a unary operator; write = for ===: ' +
        'JSONata compares with = and !=',
    );
    expect(syntaxError('key: $string(id)\n  & code === 1\n')).toBe(
      '2:10 [=] jsonata-syntax JSONata S0211 The symbol "=" cannot be used as a unary operator; write = for ===: ' +
        'JSONata compares with = and !=',
    );
  });
});
