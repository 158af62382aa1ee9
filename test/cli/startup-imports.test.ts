/**
 * `junction --help` starts within a few times a bare `node` start because declaring the commands loads only
 * commander, Node built-ins and small local files; each command imports its heavy modules (the compiler, NATS,
 * Octokit...) when it runs. This walks the static imports from the entry point and names any package that would
 * be loaded at start-up. (`npm run bench -- startup` measures the time itself.)
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './run-cli.js';

// The entry checks the Node.js version, then imports main.ts (dynamically, so an old Node never parses the rest).
const ENTRIES = ['engine/cli/junction.ts', 'engine/cli/main.ts'].map((file) => join(REPO_ROOT, file));
const ALLOWED_PACKAGES = new Set(['commander']);
// Value imports only: `import type` and `await import()` load nothing at start-up.
const STATIC_IMPORT = /^import\s+(?!type\s)(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function staticImports(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else if (!specifier.startsWith('node:')) packages.set(specifier, relative(REPO_ROOT, file));
    }
  };
  entries.forEach(visit);
  return { files, packages };
}

it('loads no package but commander before a command runs', () => {
  const { files, packages } = staticImports(ENTRIES);
  const heavy = [...packages].filter(([name]) => !ALLOWED_PACKAGES.has(name)).map(([p, file]) => `${p} (${file})`);
  expect(heavy).toEqual([]);
  // The walk followed the command files, so an empty list means something.
  expect([...files].map((f) => relative(REPO_ROOT, f))).toContain('engine/cli/commands/run.ts');
});
