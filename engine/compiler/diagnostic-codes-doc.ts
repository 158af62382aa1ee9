/**
 * The diagnostic-code table in README.md, between its `diagnostic-codes` markers, is generated from
 * DIAGNOSTIC_CODES (`npm run gen:docs`); a test fails when the two differ.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DIAGNOSTIC_CODES } from './diagnostics.js';
import { packagePath } from '../package-root.js';

export const README_PATH = packagePath('README.md');
const SECTION = /<!-- diagnostic-codes:start -->[\s\S]*<!-- diagnostic-codes:end -->/;

function diagnosticCodesTable(): string {
  const rows = Object.entries(DIAGNOSTIC_CODES).map(([code, doc]) => `| \`${code}\` | ${doc} |`);
  return ['| code | meaning |', '|---|---|', ...rows].join('\n');
}

export function withCodesTable(readme: string): string {
  return readme.replace(
    SECTION,
    `<!-- diagnostic-codes:start -->\n${diagnosticCodesTable()}\n<!-- diagnostic-codes:end -->`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(README_PATH, withCodesTable(await readFile(README_PATH, 'utf8')));
  process.stdout.write('README.md diagnostic codes updated\n');
}
