/**
 * `npm run demo` through a real broker outage: its embedded nats-server is killed once traffic flows and started
 * again (same port, same store) 6 s later, longer than the senders' old 3 s of retries. The demo says the broker
 * is unreachable, its senders keep their webhooks until the engine stores them, and the end check, made against the
 * emulators' records, still finds nothing lost and nothing twice.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { JUNCTION_ARGS } from '../cli/run-cli.js';
import { DEMO_TIMELINE, deadLetterList, endSummary, timelineSteps } from './demo-output.js';

const OUTAGE_MS = 6_000;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((undo) => undo()));

/** The embedded server's pid (from the demo's `.junction/demo-*\/.junction/nats.json`) and its command line. */
function embeddedServer(cwd: string): { pid: number; argv: string[] } {
  const demo = readdirSync(join(cwd, '.junction')).find((n) => n.startsWith('demo-'))!;
  const { pid } = JSON.parse(readFileSync(join(cwd, '.junction', demo, '.junction', 'nats.json'), 'utf8')) as {
    pid: number;
  };
  return { pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean) };
}

/** `junction demo --for <seconds>` in a temp directory, with what it printed so far. */
function startDemo(seconds: number) {
  const cwd = mkdtempSync(join(tmpdir(), 'junction-demo-outage-'));
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  const demo = spawn(process.execPath, [...JUNCTION_ARGS, 'demo', '--for', String(seconds), '--port', '0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => demo.kill('SIGKILL'));
  const out = { stdout: '', stderr: '' };
  demo.stdout.on('data', (d) => (out.stdout += d));
  demo.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => demo.on('close', resolve));
  /** Resolves true once stdout holds `pattern`, false if the demo ends without it. */
  const printed = (pattern: RegExp) =>
    new Promise<boolean>((resolve) => {
      const look = () => pattern.test(out.stdout) && resolve(true);
      demo.stdout.on('data', look);
      look();
      void exited.then(() => resolve(pattern.test(out.stdout)));
    });
  return { cwd, demo, out, exited, printed };
}

const TRAFFIC_FLOWING = /^\[ *\d+s\] commit \w+ {2}traffic flowing$/m;

it('rides out its nats-server being stopped and restarted: says so, and ends with nothing lost or duplicated', async () => {
  const { cwd, demo, out, exited, printed } = startDemo(20);
  expect(await printed(TRAFFIC_FLOWING)).toBe(true);
  const server = embeddedServer(cwd);
  process.kill(server.pid, 'SIGKILL');
  const killedAt = Date.now();
  const said = printed(/broker unreachable, retrying…/);
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  let restarted: ChildProcess | undefined;
  if (demo.exitCode === null) {
    restarted = spawn(server.argv[0], server.argv.slice(1), { stdio: 'ignore' });
    cleanups.push(() => restarted!.kill('SIGKILL'));
  }

  const code = await exited;
  expect({ code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
  expect(await said).toBe(true);
  expect(restarted).toBeDefined();
  const lines = out.stdout.trim().split('\n');
  // The header said why nothing moved: a sender waiting for the engine to store its webhook, or the engine's status.
  expect(lines.filter((l) => l.includes('broker unreachable, retrying…'))[0]).toMatch(
    /^\[ *\d+s\] (commit \w+ {2})?broker unreachable, retrying… \((the webhook of [\w-]+: the engine answered 503: .*NATS is not connected.*; retried with backoff for \d+ s of up to 120 s|the engine is cut off from NATS: lag and dead letters are not known until it reconnects)\)$/,
  );
  const summary = endSummary(lines);
  // On a mismatch, the demo's own list of its dead letters says which and why.
  expect(summary, deadLetterList(lines)).toMatchObject({ lost: 0, duplicates: 0, dead_lettered: 1, replayed: 1 });
  expect(summary.delivered).toBe(summary.events);
  // Every step of the timeline still happened, in order, after the outage.
  expect(timelineSteps(lines)).toEqual(DEMO_TIMELINE);
  expect(Date.now() - killedAt).toBeGreaterThan(OUTAGE_MS);
}, 300_000);

it('stops at once on Ctrl-C while the broker is away, saying there is no end check', async () => {
  const { cwd, demo, out, exited, printed } = startDemo(60);
  expect(await printed(TRAFFIC_FLOWING)).toBe(true);
  process.kill(embeddedServer(cwd).pid, 'SIGKILL');
  expect(await printed(/broker unreachable, retrying…/)).toBe(true);
  demo.kill('SIGINT');
  // Not the 120 s of patience: the wait ends at its next try (at most 4 s away).
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))]);
  expect(code).toBe(1);
  expect(out.stderr).toMatch(
    /^junction demo: stopped \(Ctrl-C\) while retrying (the webhook of [\w-]+|listing the dead letters|the drain) \(.+\): the end check needs NATS, so there is none\. Nothing of the demo is left running\.\n$/,
  );
  expect(out.stdout).not.toMatch(/"lost"/);
}, 300_000);
