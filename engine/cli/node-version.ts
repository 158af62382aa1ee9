/**
 * The Node.js check the `junction` command makes before it loads anything else. npm only warns when a package's
 * `engines` does not match, so on an older Node the CLI would otherwise fail later with an error that names a
 * missing API deep in a dependency instead of the version.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-root.js';

/** The oldest Node.js release package.json's `engines.node` (`>=20.19`) accepts, as [major, minor]. */
function minimumNode(): [number, number] {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { engines: { node: string } };
  const [major, minor = 0] = pkg.engines.node
    .replace(/^>=\s*/, '')
    .split('.')
    .map(Number);
  return [major, minor];
}

/** Why this Node.js release (`process.versions.node`) cannot run Junction and what to do, or undefined if it can. */
export function unsupportedNode(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor, needMinor] = minimumNode();
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `Node.js ${version} is too old: Junction needs Node.js ${needMajor}.${needMinor} or later; ` +
    'install a current LTS release (https://nodejs.org/, or `nvm install --lts`) and run it again'
  );
}
