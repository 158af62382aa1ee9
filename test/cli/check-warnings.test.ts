/**
 * `junction check` shows the specs' warnings at line:col before its rows: an M3 list polled without
 * `max_records: 0` reads only the first 100 records of each call (docs/connectors.md, Infor M3: "A list returns a
 * bounded number of records unless `maxrecs=0` is sent").
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './run-cli.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const ENV = {
  BNG_URL: 'https://bng.example.com',
  BNG_TOKEN: 't',
  M3_URL: 'https://m3.example.com',
  M3_USER: 'u',
  M3_PASSWORD: 'p',
};

/** The seed's M3 item poll and its connections in a directory of their own, its `params` line changed by `edit`. */
async function itemPoll(edit: (text: string) => string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'junction-check-'));
  await cp(join(REPO_ROOT, 'specs/bng-m3/connections'), join(dir, 'connections'), { recursive: true });
  const spec = await readFile(join(REPO_ROOT, 'specs/bng-m3/m3-items-to-bng.yaml'), 'utf8');
  await writeFile(join(dir, 'm3-items-to-bng.yaml'), edit(spec));
  return dir;
}

it('warns at line:col about an M3 list polled without max_records: 0', async () => {
  const cwd = await itemPoll((t) => t.replace('    params: { max_records: 0 }\n', ''));
  const result = await runCli(['check', '--offline', '.'], { cwd, env: ENV });
  expect(result.code).toBe(0);
  expect(result.stderr.split('\n')[0]).toBe(
    'm3-items-to-bng.yaml:14:16  warning  capped-list  MMS200MI/LstItmByChgDate without `max_records: 0` returns ' +
      'only its first 100 records per call, so a longer list is never read whole and the records beyond are ' +
      'missed: set `params: { max_records: 0 }` to read all of it',
  );
});

it('names the value when the poll asks for a number of records, and says nothing with max_records: 0', async () => {
  const cwd = await itemPoll((t) => t.replace('params: { max_records: 0 }', 'params: { max_records: 500 }'));
  const capped = await runCli(['check', '--offline', '.'], { cwd, env: ENV });
  expect(capped.stderr.split('\n')[0]).toMatch(
    /^m3-items-to-bng\.yaml:15:28 {2}warning {2}capped-list {2}MMS200MI\/LstItmByChgDate with `max_records: 500` returns at most that many records per call/,
  );
  await writeFile(
    join(cwd, 'm3-items-to-bng.yaml'),
    await readFile(join(REPO_ROOT, 'specs/bng-m3/m3-items-to-bng.yaml')),
  );
  const whole = await runCli(['check', '--offline', '.'], { cwd, env: ENV });
  expect(whole.stderr).not.toContain('warning');
});
