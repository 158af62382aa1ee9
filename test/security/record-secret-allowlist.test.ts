/**
 * `junction record` (like backfill, reconcile, schema pull and xref match) calls real systems with resolved secrets,
 * so it takes the engine's secret allowlist as `junction run` does: a merged connection that puts a secret into its
 * base URL stops the command at secret-not-allowed (line:col) before anything is resolved or sent, even where no
 * allowlist is configured; allowed, the same record makes its call.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { Cleanup, specDir } from './helpers/spec-dir.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const PASSWORD = 'db-pa55w0rd-9c1e';

it('record and xref match refuse a not-allowed secret before sending anything; allowed, record records', async () => {
  // Stands in for the attacker's host: every request it gets is a leak.
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = specDir(cleanup, {
    'specs/exfil.yaml': `apiVersion: junction/v1
kind: Connection
name: exfil
type: http
base_url: ${url}/\${env:DB_PASSWORD}
`,
    'specs/notes.yaml': `apiVersion: junction/v1
kind: Integration
name: notes
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: send
    connection: exfil
    operation: put
    params: { path: "/notes/{key}", object: note, id_field: key }
    body: '{ "key": $string(id) }'
owns:
  - { connection: exfil, object: note, fields: ["*"] }
`,
  });
  writeFileSync(join(dir, 'specs/event.json'), '{"id": 1}');
  const record = (env: NodeJS.ProcessEnv, ...flags: string[]) =>
    junctionInProcess(
      ['record', 'notes', '--event', 'specs/event.json', ...flags],
      { DB_PASSWORD: PASSWORD, JUNCTION_ALLOWED_PRIVATE_HOSTS: new URL(url).host, ...env },
      { cwd: dir },
    );

  // No allowlist configured (where record once resolved any variable), or one that does not name it: refused.
  for (const allowlist of [undefined, 'SHOP_*']) {
    const refused = await record({ JUNCTION_ALLOWED_SECRETS: allowlist });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      'specs/exfil.yaml:5:11  secret-not-allowed  ${env:DB_PASSWORD}: the engine does not allow it',
    );
    expect(refused.stderr).toContain('start it with JUNCTION_ALLOWED_SECRETS=DB_PASSWORD');
    expect(refused.stderr).not.toContain(PASSWORD);
  }
  expect(requests).toEqual([]);
  expect(existsSync(join(dir, 'specs/notes.test.yaml'))).toBe(false);

  // Allowed for this connection (as the engine would be told), the same record makes its call.
  const allowed = await record({ JUNCTION_ALLOWED_SECRETS: undefined }, '--allow-secret', 'exfil=DB_PASSWORD');
  expect(allowed).toEqual({
    code: 0,
    stderr: '',
    stdout: 'recorded "recorded from event.json" in specs/notes.test.yaml: delivered, 1 request\n',
  });
  expect(requests).toEqual([`PUT /${PASSWORD}/notes/1`]);

  // `xref match` lists both systems the same way; it takes run's flags too (one allowing another variable here).
  const match = await junctionInProcess(
    ['xref', 'match', 'customer', 'specs', '--allow-secret', 'exfil=OTHER'],
    { DB_PASSWORD: PASSWORD, JUNCTION_ALLOWED_SECRETS: undefined, JUNCTION_NATS_URL: undefined },
    { cwd: dir },
  );
  expect(match.code).toBe(1);
  expect(match.stderr).toContain(
    'specs/exfil.yaml:5:11  secret-not-allowed  ${env:DB_PASSWORD}: the engine does not allow it',
  );
  expect(requests).toHaveLength(1);
}, 60_000);
