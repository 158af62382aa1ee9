/**
 * An older Node.js than package.json's `engines` gets one line saying which version it has, which it needs and how
 * to get it (npm only warns about `engines`), before the CLI loads any command. The real command, with
 * `process.versions.node` replaced before the entry runs.
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { unsupportedNode } from '../../engine/cli/node-version.js';
import { JUNCTION_ARGS, REPO_ROOT } from './run-cli.js';

const TOO_OLD =
  'Node.js 18.20.4 is too old: Junction needs Node.js 20.19 or later; install a current LTS release ' +
  '(https://nodejs.org/, or `nvm install --lts`) and run it again';

it('accepts 20.19 and later, and names the version, the minimum and the fix below it', () => {
  expect(['20.19.0', '20.20.1', '22.1.0', '24.0.0'].map(unsupportedNode)).toEqual([
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
  expect(unsupportedNode('18.20.4')).toBe(TOO_OLD);
  expect(unsupportedNode('20.18.3')).toBe(TOO_OLD.replace('18.20.4', '20.18.3'));
});

it('the command stops with that line and exit 1 before it parses anything else', async () => {
  const pretend = 'Object.defineProperty(process,"versions",{value:{...process.versions,node:"18.20.4"}})';
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${pretend}`, ...JUNCTION_ARGS, 'validate'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: '', stderr: `junction: ${TOO_OLD}\n` });
}, 60_000);
