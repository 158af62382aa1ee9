/**
 * The two format errors spec authors meet first, said so that the fix is plain: a name that is not kebab-case or too
 * long (with the name that would do), and a secret reference written wrong (`${vault:X}`, `${env:my-token}`), which is
 * not a literal secret and is not echoed back either.
 */
import { describe, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { testConnectors } from './test-connectors.js';

function problems(yaml: string): string[] {
  const result = compileSpecTree(
    { displayRoot: '.', files: [{ path: 'shop.yaml', bytes: Buffer.from(yaml) }] },
    { connectors: testConnectors(), engine: referenceEngine },
  );
  return result.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);
}

const connection = (name: string, token: string) =>
  `apiVersion: junction/v1\nkind: Connection\nname: ${name}\ntype: shop\nbase_url: https://shop.example.com\n` +
  `auth: { type: bearer, token: "${token}" }\n`;

const RULE =
  '`name` is not valid (Unique name within its kind: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters)';

describe('name and secret messages', () => {
  it('offers the kebab-case name for one with capitals or underscores, and counts a long one', () => {
    expect(problems(connection('Shop_Main', '${env:SHOP_TOKEN}'))).toEqual([
      `3:7 invalid-format ${RULE}, got "Shop_Main"; did you mean \`shop-main\`?`,
    ]);
    const long = 'shop-' + 'x'.repeat(70);
    expect(problems(connection(long, '${env:SHOP_TOKEN}'))).toEqual([
      `3:7 invalid-format ${RULE}, got "${long}" (75 characters); did you mean \`${long.slice(0, 63)}\`?`,
    ]);
    expect(problems(connection('"2shop"', '${env:SHOP_TOKEN}'))).toEqual([
      `3:7 invalid-format ${RULE}, got "2shop"; did you mean \`shop\`?`,
    ]);
  });

  it('tells a malformed reference from a literal secret, and never repeats either', () => {
    const malformed =
      '6:30 secret-literal `auth.token` is not a well-formed environment reference: write ${env:NAME}, NAME being letters, digits and underscores, not starting with a digit';
    expect(problems(connection('shop', '${vault:SHOP_TOKEN}'))).toEqual([malformed]);
    expect(problems(connection('shop', '${env:shop-token}'))).toEqual([malformed]);
    expect(problems(connection('shop', 's3cr3t-t0ken'))).toEqual([
      '6:30 secret-literal `auth.token` holds a literal secret; write it as an environment reference like ${env:MY_SECRET}',
    ]);
  });
});
