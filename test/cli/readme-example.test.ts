/**
 * The integration README.md shows under "An integration" is what a new user copies first: it must validate against
 * the seed connections and lookups it names (ff, ff-products). It once created invoice lines without the fields
 * FinancialForce requires, which `junction validate` refused.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { junction } from '../ops/cli-in-process.js';
import { REPO_ROOT } from './run-cli.js';

let dir: string | undefined;
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

it("README.md's example integration validates, with only the warning that its customer xref map is imported", async () => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const example = /### An integration\n+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toContain('kind: Integration');
  dir = await mkdtemp(join(tmpdir(), 'junction-readme-'));
  for (const folder of ['connections', 'lookups'])
    await cp(join(REPO_ROOT, 'specs/magento-ff', folder), join(dir, folder), { recursive: true });
  await writeFile(join(dir, 'example.yaml'), example!);
  const { code, stdout } = await junction('validate', dir, '--format', 'json');
  const found = (JSON.parse(stdout) as { severity: string; code: string }[]).map((d) => `${d.severity} ${d.code}`);
  expect({ code, found }).toEqual({ code: 0, found: ['warning unknown-xref-map'] });
}, 60_000);
