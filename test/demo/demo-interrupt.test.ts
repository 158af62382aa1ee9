/**
 * Ctrl-C in the demo's first seconds: a real SIGINT at three points of its start-up (its emulators starting, its
 * nats-server up while the engine starts, the engine's Git sync starting) stops what has started, says what, exits
 * 130 and leaves no process of the demo running (none holds its directory in its command line) and no directory.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { JUNCTION_ARGS } from '../cli/run-cli.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((undo) => undo()));

const EMULATORS = 'the emulators (Magento, FinancialForce, Salesforce, M3, BNG)';

/** The demo's own directory (`.junction/demo-*` under its working directory), once runDemo has made it. */
function demoRoot(cwd: string): string | undefined {
  const name = existsSync(join(cwd, '.junction'))
    ? readdirSync(join(cwd, '.junction')).find((n) => n.startsWith('demo-'))
    : undefined;
  return name && join(cwd, '.junction', name);
}

/** Every live process whose command line names `dir` (nats-server's store and config, Git's mirror). */
function processesNaming(dir: string): string[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      const cmdline = (() => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        } catch {
          return ''; // ended while we looked
        }
      })();
      return cmdline.includes(dir) ? [`${pid} ${cmdline}`] : [];
    });
}

/** The embedded nats-server's pid, once the engine has written its `nats.json` (whole). */
function natsPid(root: string | undefined): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(root!, '.junction', 'nats.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts `junction demo`, sends SIGINT once `reached(cwd)` holds, and returns how it ended. */
async function interruptDemoWhen(reached: (cwd: string) => boolean) {
  const cwd = mkdtempSync(join(tmpdir(), 'junction-demo-interrupt-'));
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  const demo = spawn(process.execPath, [...JUNCTION_ARGS, 'demo', '--port', '0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => demo.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  demo.stdout.on('data', (d) => (stdout += d));
  demo.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => demo.on('exit', resolve));
  let ended = false;
  void exited.then(() => (ended = true));
  while (!ended && !reached(cwd)) await sleep(50);
  expect(ended, `the demo ended before the point: ${stdout}${stderr}`).toBe(false);
  const root = demoRoot(cwd)!;
  // Read before the signal: stopping the server removes the file.
  const nats = natsPid(root);
  demo.kill('SIGINT');
  const code = await exited;
  return { code, stdout, stderr, cwd, root, nats };
}

/** The last line: what was starting, then what was stopped. */
const INTERRUPTED =
  /^junction demo: interrupted \(SIGINT\) while (.+); stopped (.+)\. Nothing of the demo is left running\.\n$/;

function expectNothingLeft(ended: Awaited<ReturnType<typeof interruptDemoWhen>>) {
  expect(ended.code).toBe(130);
  expect(ended.stdout).toBe('');
  expect(processesNaming(ended.cwd)).toEqual([]);
  if (ended.nats) expect(alive(ended.nats)).toBe(false);
  expect(existsSync(ended.root)).toBe(false);
}

it('while its emulators start: stops what has started, says so, exits 130', async () => {
  const ended = await interruptDemoWhen((cwd) => demoRoot(cwd) !== undefined);
  const said = INTERRUPTED.exec(ended.stderr);
  expect(said, ended.stderr).not.toBeNull();
  // Start-up goes on while the signal travels; whichever step it reached, the line names it and what it stopped.
  expect([
    'starting the emulators',
    'creating the demo spec repository',
    'starting nats-server and the engine',
  ]).toContain(said![1]);
  expect(said![2]).toContain(EMULATORS);
  expectNothingLeft(ended);
}, 180_000);

it('while the engine starts on its nats-server: stops the engine, its nats-server and the emulators', async () => {
  const ended = await interruptDemoWhen((cwd) => natsPid(demoRoot(cwd)) !== undefined);
  const said = INTERRUPTED.exec(ended.stderr);
  expect(said, ended.stderr).not.toBeNull();
  expect(ended.nats).toBeGreaterThan(0);
  expect(said![2]).toMatch(new RegExp(`the engine and its nats-server, ${EMULATORS.replace(/[()]/g, '\\$&')}$`));
  expectNothingLeft(ended);
}, 180_000);

it("while the engine's Git sync starts: stops the sync, the engine, its nats-server and the emulators", async () => {
  const ended = await interruptDemoWhen((cwd) => {
    const root = demoRoot(cwd);
    return root !== undefined && existsSync(join(root, 'git'));
  });
  const said = INTERRUPTED.exec(ended.stderr);
  expect(said, ended.stderr).not.toBeNull();
  expect([
    "starting the engine's Git sync",
    "waiting for the engine to run the demo repository's first commit",
    'waiting for the first customers to be delivered',
  ]).toContain(said![1]);
  expect(said![2]).toBe(`the Git sync, the engine and its nats-server, ${EMULATORS}`);
  expectNothingLeft(ended);
}, 180_000);
