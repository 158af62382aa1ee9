/**
 * The CLI's first impressions, through the real binary: `--version`, a bare `junction`, usage mistakes reported
 * before anything connects, and the `status` table with long integration names.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

it('prints the version from package.json', async () => {
  expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
});

it('prints the help to stdout and exits 1 when no command is given, as git and npm do', async () => {
  const bare = await runCli([]);
  expect(bare.code).toBe(1);
  expect(bare.stderr).toBe('');
  expect(bare.stdout).toBe(readFileSync(new URL('./golden/help.txt', import.meta.url), 'utf8'));
});

it('reports a dlq replay without a selector before it tries NATS', async () => {
  // An unreachable broker: had the command connected first, it would complain about the connection instead.
  const env = { JUNCTION_NATS_URL: 'nats://127.0.0.1:1' };
  expect(await runCli(['dlq', 'replay'], { env })).toEqual({
    code: 2,
    stdout: '',
    stderr: 'junction: dlq replay needs ids, --integration <name> or --all\n',
  });
  expect(await runCli(['dlq', 'replay', 'abc-0', '--all'], { env })).toEqual({
    code: 2,
    stdout: '',
    stderr: 'junction: dlq replay takes ids or a selector (--integration, --all), not both\n',
  });
  expect((await runCli(['dlq', 'show'], { env })).stderr).toBe("error: missing required argument 'id'\n");
}, 60_000);

it('a command that needs NATS and finds none says where it looked and the three ways to name one', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'junction-no-nats-'));
  try {
    const stderr =
      'junction: no NATS URL: pass --nats <url>, set JUNCTION_NATS_URL, or run this in the directory where ' +
      `\`junction run\` runs with its embedded server (there is no ${join(cwd, '.junction', 'nats.json')})\n`;
    const env = { JUNCTION_NATS_URL: '' };
    // `dlq` connects through the CLI's NATS helper, `xref` through the cluster connection: both say the same.
    expect(await runCli(['dlq', 'list'], { cwd, env })).toEqual({ code: 2, stdout: '', stderr });
    expect(await runCli(['xref', 'list', 'customer'], { cwd, env })).toEqual({ code: 2, stdout: '', stderr });

    // Where an engine ran and stopped (its store stays, its nats-server is gone), it says so and how to get it back.
    mkdirSync(join(cwd, '.junction', 'nats'), { recursive: true });
    expect(await runCli(['dlq', 'list'], { cwd, env })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `junction: no NATS URL: the embedded nats-server of \`junction run\` in ${cwd} is not running (it runs only ` +
        `while that engine does; its data stays in ${join(cwd, '.junction', 'nats')}): start \`junction run\` there ` +
        'again, or pass --nats <url> or set JUNCTION_NATS_URL for another server\n',
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}, 60_000);

it('keeps the status table aligned for long integration names', async () => {
  const body = {
    commit: 'abc1234',
    integrations: [
      { name: 'orders', lag: 0, deadLetters: 0, counts: {} },
      { name: 'magento-invoice-payments-to-ff-cash-entries', lag: 12, deadLetters: 3, counts: {} },
    ],
  };
  const server = createServer((_req, res) => res.end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await runCli(['status', '--url', url])).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'active commit   abc1234',
        'integration     orders                                       ok           lag 0  dead letters 0',
        'integration     magento-invoice-payments-to-ff-cash-entries  dead-letters lag 12  dead letters 3',
        '',
      ].join('\n'),
    });
  } finally {
    server.close();
  }
});
