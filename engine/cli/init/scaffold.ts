/**
 * `junction init`: a new spec repository from the files in ./template. Names starting with `_` become dotfiles
 * (npm leaves `.gitignore` files out of packages), and `{{placeholders}}` are filled in: the repository's name,
 * where each file finds the installed schemas (for the editor's `$schema` line), the engine's GitHub
 * repository and version (for the reusable workflow).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagePath, packageVersion } from '../../package-root.js';
import { UsageError } from '../usage-error.js';

const TEMPLATE = fileURLToPath(new URL('./template/', import.meta.url));

interface ScaffoldOptions {
  /** GitHub `owner/name` of the Junction engine, for the workflow's `uses:` and the release tarball's URL. */
  engineRepo: string;
}

/** Writes the template into `dir` (created when missing); returns the files written, relative to `dir`. */
export function scaffoldSpecRepo(dir: string, options: ScaffoldOptions): string[] {
  const root = resolve(dir);
  const files = templateFiles(TEMPLATE)
    .map((file) => ({
      source: file,
      target: file
        .split('/')
        .map((part) => part.replace(/^_/, '.'))
        .join('/'),
    }))
    .sort((a, b) => (a.target < b.target ? -1 : 1));
  const taken = files.filter((f) => existsSync(join(root, f.target))).map((f) => f.target);
  if (taken.length > 0)
    throw new UsageError(`${dir} already has ${taken.join(', ')}; init never overwrites, so choose an empty directory`);
  for (const { source, target } of files) {
    const path = join(root, target);
    const values: Record<string, string> = {
      name: basename(root),
      schemas: schemasRef(dirname(path)),
      engine_repo: options.engineRepo,
      version: packageVersion(),
    };
    const text = readFileSync(join(TEMPLATE, source), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      if (!(key in values)) throw new Error(`template ${source} has an unknown placeholder {{${key}}}`);
      return values[key];
    });
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return files.map((f) => f.target);
}

/**
 * Where a spec's `$schema` line finds the schemas: relative to a local install (node_modules, the same on every
 * clone that installs the same way), else the installed package's absolute path.
 */
function schemasRef(fromDir: string): string {
  const relativePath = relative(fromDir, packagePath('schemas')).split(sep).join('/');
  return relativePath.split('/').includes('node_modules') ? relativePath : packagePath('schemas');
}

/** Every file under `root`, as a `/`-separated relative path. */
function templateFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? templateFiles(root, path) : [path];
  });
}

/** The engine's GitHub repository from package.json's `repository` field, when it names one. */
export function engineRepoFromPackage(): string | undefined {
  const { repository } = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
    repository?: string | { url?: string };
  };
  const url = typeof repository === 'string' ? repository : repository?.url;
  return (
    url?.match(/^(?:github:)?([\w.-]+\/[\w.-]+)$/)?.[1] ??
    url?.match(/github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?$/)?.[1]
  );
}
