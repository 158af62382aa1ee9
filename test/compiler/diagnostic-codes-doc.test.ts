import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_PATH, withCodesTable } from '../../engine/compiler/diagnostic-codes-doc.js';
import { DIAGNOSTIC_CODES } from '../../engine/compiler/diagnostics.js';

describe('diagnostic code registry', () => {
  it('is documented in README.md exactly (run `npm run gen:docs` after changing a code)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(withCodesTable(readme));
    for (const code of Object.keys(DIAGNOSTIC_CODES)) expect(readme).toContain(`| \`${code}\` |`);
  });

  it('uses kebab-case codes with one-line docs', () => {
    for (const [code, doc] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
      expect(doc).not.toContain('\n');
    }
  });
});
