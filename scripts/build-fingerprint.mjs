// What dist/ was built from, as one hash: every file under engine/ and connectors/ (path, size, modification time),
// the build's configs and the TypeScript version. `npm run build` stores it in dist/; `prepare` (run by `npm ci`, by
// `npm pack`, and by every first `npx junction` in this checkout, which links the package into npx's cache) builds
// only when it no longer matches: an unchanged checkout is not compiled again.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const FINGERPRINT_FILE = 'dist/.build-fingerprint';

const SOURCE_DIRS = ['engine', 'connectors'];
const BUILD_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];

/** The fingerprint of the sources in the working directory. */
export function buildFingerprint() {
  const hash = createHash('sha256');
  const add = (path) => {
    const { size, mtimeMs } = statSync(path);
    hash.update(`${path}\0${size}\0${mtimeMs}\n`);
  };
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else add(path);
    }
  };
  SOURCE_DIRS.forEach(walk);
  BUILD_FILES.filter((file) => existsSync(file)).forEach(add);
  const typescript = createRequire(import.meta.url)('typescript/package.json').version;
  hash.update(`typescript ${typescript}\n`);
  return hash.digest('hex');
}

/** True when dist/ was built from exactly these sources. */
export function distIsCurrent() {
  return existsSync(FINGERPRINT_FILE) && readFileSync(FINGERPRINT_FILE, 'utf8').trim() === buildFingerprint();
}
