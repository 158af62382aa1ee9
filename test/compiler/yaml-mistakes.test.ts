/**
 * The YAML mistakes a spec author makes by hand, each reported where it stands with what to do about it: an alias of
 * no anchor, a key that is a list or empty, an unclosed quote (at its opening quote), `: ` in a plain value, a tab
 * in a block scalar, a missing `: `. None of them is an exception, a Node warning or a line:col of 1:1.
 */
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../engine/compiler/load-yaml.js';

const HEAD = 'apiVersion: junction/v1\nkind: Integration\nname: typo\n';

/** The diagnostics of `body` under a valid head (its line 1 is line 4 of the file). */
function problems(body: string): string[] {
  const result = parseSpecText(Buffer.from(HEAD + body), '/specs/typo.yaml', 'typo.yaml');
  return result.ok ? [] : result.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);
}

describe('YAML mistakes', () => {
  it('names an alias whose anchor does not exist, or comes after it, at the alias', () => {
    expect(problems('key: *nope\n')).toEqual([
      '4:6 yaml-syntax the alias `*nope` names no anchor: an alias repeats a value marked `&nope` earlier in the same file; add the anchor there, or fix the name',
    ]);
    expect(problems('key: *k\nwhen: &k x\n')).toEqual([
      '4:6 yaml-syntax the alias `*k` names no anchor: an alias repeats a value marked `&k` earlier in the same file; add the anchor there, or fix the name',
    ]);
  });

  it('refuses a key that is a list, a mapping, null or missing, at the key, without a Node warning', () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(problems('? [a, b]\n: c\n{ x: 1 }: d\n~: e\n')).toEqual([
        '4:3 yaml-syntax this key is a list: a key must be a name (quote it if it holds [ ] { } or :)',
        '6:1 yaml-syntax this key is a mapping: a key must be a name (quote it if it holds [ ] { } or :)',
        '7:1 yaml-syntax the key `~` is null, not a name; write the property name',
      ]);
      expect(problems('steps:\n  - : x\n')).toEqual([
        '5:5 yaml-syntax this mapping entry has no key before its `:`; write the property name',
      ]);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('points an unclosed quote at the quote that opens it', () => {
    expect(problems('key: "$string(id)\nwhen: x\n')).toEqual([
      '4:6 yaml-syntax the double quote opened here is never closed: end the value with "',
    ]);
    expect(problems("key: '$string(id)\nwhen: x\n")).toEqual([
      "4:6 yaml-syntax the single quote opened here is never closed: end the value with '",
    ]);
  });

  it('explains `: ` in a plain value once, with the block scalar that fixes it', () => {
    expect(problems('key: a ? b : c\n')).toEqual([
      '4:6 yaml-syntax a value here holds `: ` (or the next line is indented under it), which YAML reads as a nested key: quote the value, or write an expression with a `:` (a condition `a ? b : c`, an object) as a block (`|`), or fix the indentation of the next line',
    ]);
  });

  it('says a tab is the problem when it indents a line of a block scalar', () => {
    expect(problems('steps:\n  - body: |\n      a = 1\n\tand b = 2\n')).toEqual([
      '7:1 yaml-syntax Block scalar lines must not be less indented than their first line; indent with spaces, ' +
        'never tabs (the parser reports one more problem right after this one, which follows from it: fix this one ' +
        'and validate again)',
    ]);
  });

  it("names the two columns a list item's line can move to when it stands between the `-` and the keys", () => {
    const diagnostics = problems('steps:\n  - id: order\n    connection: api\n   operation: put\n    body: x\n');
    expect(diagnostics[0]).toBe(
      '7:4 yaml-syntax this line is indented to column 4, between the `-` of the list item on line 5 (column 3) and ' +
        "that item's keys (column 5): indent it to column 5 to go on with the item, or start a new item with `- ` at " +
        'column 3 (the parser reports one more problem right after this one, which follows from it: fix this one and ' +
        'validate again)',
    );
    // A new item's dash one column in: the same explanation, counted from that item.
    expect(problems('steps:\n  -   id: order\n   connection: api\n')[0]).toBe(
      '6:4 yaml-syntax this line is indented to column 4, between the `-` of the list item on line 5 (column 3) and ' +
        "that item's keys (column 7): indent it to column 7 to go on with the item, or start a new item with `- ` at " +
        'column 3',
    );
  });

  it('asks for the colon or its space when a line is not `key: value`', () => {
    expect(problems('key:$string(id)\nwhen: x\n')).toEqual([
      '4:1 yaml-syntax Implicit keys need to be on a single line: this line is not `key: value` (is the `:` or the space after it missing?), or the lines around it are not indented alike',
    ]);
  });

  it('says to quote a value that starts with a reserved character, and how to write a backslash', () => {
    expect(problems('key: @id\n')).toEqual([
      '4:6 yaml-syntax Plain value cannot start with reserved character @; quote the value',
    ]);
    expect(problems('key: "a\\qb"\n')).toEqual([
      "4:8 yaml-syntax Invalid escape sequence \\q; in double quotes a backslash is written \\\\, or quote the value with ' instead",
    ]);
  });

  it('refuses YAML nested too deeply to read, as a problem of the file, not a crash', () => {
    // Alone: whatever else the parser reports after its stack ran out depends on where it ran out.
    const found = problems(`key: ${'['.repeat(3000)}${']'.repeat(3000)}\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^4:\d+ yaml-syntax the YAML is nested too deeply to read \(thousands of levels of \[ or \{\): a spec needs only a few$/,
    );
  });

  it('points a [ or { list that is never closed, or closed by the other bracket, at its opening bracket', () => {
    expect(problems('owns:\n  - { connection: shop, object: product, fields: [price, name]\nkey: id\n')).toEqual([
      '5:5 yaml-syntax the { opened here is never closed: end the mapping with }',
    ]);
    expect(problems('labels: [a, b\nkey: id\n')).toEqual([
      '4:9 yaml-syntax the [ opened here is never closed: end the list with ]',
    ]);
    expect(problems('owns:\n  - { connection: shop, object: product, fields: [price, name }\nkey: id\n')).toEqual([
      '5:50 yaml-syntax the [ opened here is closed by the } at 5:63: close it with ] ' +
        '(the parser reports one more problem right after this one, which follows from it: fix this one and validate again)',
    ]);
    // quotes and comments in between hold no bracket
    expect(problems('description: "a [b" # and [c\nlabels: [a, b\nkey: id\n')).toEqual([
      '5:9 yaml-syntax the [ opened here is never closed: end the list with ]',
    ]);
  });

  it('says the lines of a [ ] or { } written over several lines must be indented more than its first', () => {
    expect(problems('owns:\n  - { connection: shop,\n  object: product }\nkey: id\n')).toEqual([
      '5:5 yaml-syntax the lines of the { } mapping opened here must be indented more than the line it opens on: ' +
        'indent them, or write the mapping on one line (the parser reports one more problem right after this one, which follows from it: fix this one and validate again)',
    ]);
  });

  it('names the columns a misindented key can move to', () => {
    expect(problems('source:\n  webhook:\n    path: /x\n key: id\n')).toEqual([
      '7:2 yaml-syntax this line is indented to column 2, where no mapping above it has its keys: indent it to ' +
        'columns 5, 3 or 1, like the keys of the mapping it belongs to',
    ]);
    expect(problems('steps:\n  - id: a\n    connection: shop\n  operation: x\n')).toEqual([
      '7:3 yaml-syntax this line is indented to column 3, the column of the `-` of the list item on line 5, not that ' +
        "of the item's keys (column 5): indent it to column 5 to go on with the item, or start a new item with `- ` " +
        'at column 3',
    ]);
  });

  it('reports a key indented under the value above it at the key, with the column to move it to', () => {
    expect(problems('steps:\n  - id: a\n    connection: shop\n      operation: x\n')).toEqual([
      '7:7 yaml-syntax this line is indented to column 7, under the value of line 6, which YAML then reads as one ' +
        'multi-line value: indent it to column 5 like the key above it, or further in only under a key with no value',
    ]);
  });

  it('leaves out the problems the parser reports right after a mistake, and says how many', () => {
    // one misindented line: the parser also reads the two lines after it as values holding `: `
    expect(problems('steps:\n  - id: a\n   connection: shop\n    operation: x\n    body: y\n')).toEqual([
      '6:4 yaml-syntax this line is indented to column 4, between the `-` of the list item on line 5 (column 3) ' +
        "and that item's keys (column 5): indent it to column 5 to go on with the item, or start a new item with " +
        '`- ` at column 3 (the parser reports 2 more problems right after this one, which follow from it: fix this ' +
        'one and validate again)',
    ]);
    // two mistakes far apart are both reported; a repeated key is never a follow-on
    expect(problems('key: id\nlabels: [a\n\n\nwhen: x\nwhen: y\n')).toEqual([
      '5:9 yaml-syntax the [ opened here is never closed: end the list with ]',
      '9:1 yaml-duplicate-key `when` is already a key of this mapping (line 8); each key may appear once',
    ]);
  });
});
