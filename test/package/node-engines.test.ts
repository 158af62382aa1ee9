/**
 * `npm ci` on the oldest Node.js this package supports (package.json `engines`) installs only packages that say they
 * run there, and every install script it runs is one the project approved (`allowScripts`, which npm 12 enforces).
 * Read from the lockfile, so a dependency update that brings in a Node-22-only package fails here, not on a user's
 * machine as an `EBADENGINE` warning (or an error under `engine-strict`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/run-cli.js';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
  optional?: boolean;
  os?: string[];
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const installed = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

it('every locked package admits the oldest Node.js in engines', () => {
  const oldest = semver.minVersion(manifest.engines.node)!.version;
  const refusing = installed
    .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node)
    .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
    .map(([path, p]) => `${nameOf(path)}@${p.version} wants node ${(p.engines as { node: string }).node}`);
  expect(refusing).toEqual([]);
});

it('every package with an install script is approved in allowScripts', () => {
  const unapproved = installed
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => nameOf(path))
    .filter((name) => manifest.allowScripts?.[name] !== true);
  expect(unapproved).toEqual([]);
});
