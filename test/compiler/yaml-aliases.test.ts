/**
 * YAML aliases: a real file with many anchors (300, and one shared `&defaults` merged into every entry) loads, which
 * the `yaml` package's own guard (maxAliasCount 100: an anchor used 101 times) refused; an alias bomb, whose values
 * come almost all from aliases, is refused at the alias where the chain explodes.
 */
import { parseDocument } from 'yaml';
import { expect, it } from 'vitest';
import { parseSpecText } from '../../engine/compiler/load-yaml.js';

const parse = (text: string) => parseSpecText(Buffer.from(text), '/specs/file.yaml', 'specs/file.yaml');

/** A lookup of 300 warehouses: each its own anchor (reused by a `-alt` key) over the shared defaults. */
function warehouses(): string {
  const lines = [
    'apiVersion: junction/v1',
    'kind: Lookup',
    'name: warehouses',
    'defaults: &defaults { country: DE, currency: EUR, active: true }',
    'entries:',
  ];
  for (let i = 1; i <= 300; i++) {
    lines.push(`  wh-${i}: &wh-${i} { <<: *defaults, code: "${i}", city: City ${i} }`);
    lines.push(`  wh-${i}-alt: *wh-${i}`);
  }
  return lines.join('\n') + '\n';
}

it('loads a file with 300 anchors and a shared anchor merged 300 times, as it would be written out', () => {
  const text = warehouses();
  // What the yaml package's default guard makes of it: refused, though it expands to a few thousand values.
  expect(() => parseDocument(text, { merge: true }).toJS()).toThrow(
    'Excessive alias count indicates a resource exhaustion attack',
  );
  const loaded = parse(text);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const entries = (loaded.spec.value as { entries: Record<string, unknown> }).entries;
  expect(Object.keys(entries)).toHaveLength(600);
  const w150 = { country: 'DE', currency: 'EUR', active: true, code: '150', city: 'City 150' };
  expect(entries['wh-150']).toEqual(w150);
  expect(entries['wh-150-alt']).toEqual(w150);
});

it('refuses a billion laughs (ten levels of ten aliases) at the alias where it explodes', () => {
  const lines = ['apiVersion: junction/v1', 'kind: Lookup', 'name: bomb', 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  lines.push('entries: { <<: *l9 }');
  const loaded = parse(lines.join('\n') + '\n');
  expect(loaded.ok).toBe(false);
  expect(!loaded.ok && loaded.diagnostics).toEqual([
    {
      file: 'specs/file.yaml',
      line: 14,
      col: 16,
      severity: 'error',
      code: 'yaml-alias-limit',
      message:
        "the alias `*l9` repeats 11,111,111,111 values, and the file's aliases make 23,456,790,101 of its " +
        '23,456,790,141 values, over the 10% allowed (an alias bomb would exhaust memory): write the values out, or ' +
        'remove the alias chain',
    },
  ]);
});

it('refuses a small chain of nine-fold aliases: 74,744 values, 26 of them written', () => {
  const loaded = parse(
    'apiVersion: junction/v1\nkind: Lookup\nname: small\n' +
      'a: &a ["x","x","x","x","x","x","x","x","x"]\n' +
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n' +
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n' +
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
  );
  expect(!loaded.ok && loaded.diagnostics.map((d) => [d.line, d.col, d.code, d.message])).toEqual([
    [
      8,
      5,
      'yaml-alias-limit',
      "the alias `*d` repeats 7,381 values, and the file's aliases make 74,718 of its 74,744 values, over the 99% " +
        'allowed (an alias bomb would exhaust memory): write the values out, or remove the alias chain',
    ],
  ]);
});
