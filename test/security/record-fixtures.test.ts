/**
 * #14 items 2 and 4 for recorded fixtures: `junction record` masks the integration's `redact` paths (personal data)
 * in the event it copies and in every response body, with their values wherever quoted, and every secret's value
 * (here in the connection's base URL) in bodies and kept headers; the masked case still passes offline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { Cleanup, specDir } from './helpers/spec-dir.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const SECRET = 'k3y-7f1c2a9e5b';
const EMAIL = 'ada@example.com';
const PHONE = '+44 20 7946 0958';

/** A CRM on loopback that keys its API by a secret in the path and echoes the contact, quoting the e-mail. */
async function startCrm(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      bodies.push(body);
      res.writeHead(201, {
        'content-type': 'application/json',
        location: `${req.url}?api_key_echo=${SECRET}`,
      });
      res.end(
        JSON.stringify({
          Id: '003A',
          Email: body.Email,
          Phone: body.Phone,
          message: `created contact for ${EMAIL} via key ${SECRET}`,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, bodies };
}

it('record masks redact paths and secret values in the case it writes, which still passes offline', async () => {
  const crm = await startCrm();
  const dir = specDir(cleanup, {
    'specs/crm.yaml': `apiVersion: junction/v1
kind: Connection
name: crm
type: http
base_url: ${crm.url}/api/\${env:CRM_KEY}
timeout: 5s
`,
    'specs/contacts.yaml': `apiVersion: junction/v1
kind: Integration
name: contacts
source: { webhook: { verify: none } }
key: $string(id)
redact: [customer.email, customer.phone, Email, Phone]
steps:
  - id: upsert
    connection: crm
    operation: put
    params: { path: "/contacts/{key}", object: contact, id_field: key }
    body: '{ "key": $string(id), "Name": customer.name, "Email": customer.email, "Phone": customer.phone }'
owns:
  - { connection: crm, object: contact, fields: ["*"] }
`,
  });
  // Outside the spec directory, so the case copies the event.
  const events = mkdtempSync(join(tmpdir(), 'junction-event-'));
  cleanup.push(() => rmSync(events, { recursive: true, force: true }));
  writeFileSync(
    join(events, 'ada.json'),
    JSON.stringify({ id: 7, customer: { name: 'Ada', email: EMAIL, phone: PHONE } }),
  );
  const env = {
    CRM_KEY: SECRET,
    JUNCTION_ALLOWED_SECRETS: 'CRM_KEY',
    JUNCTION_ALLOWED_PRIVATE_HOSTS: new URL(crm.url).host,
  };

  const recorded = await junctionInProcess(
    ['record', 'contacts', '--event', join(events, 'ada.json'), '--case', 'ada'],
    env,
    { cwd: dir },
  );
  expect(recorded).toEqual({
    code: 0,
    stderr: '',
    stdout: 'recorded "ada" in specs/contacts.test.yaml: delivered, 1 request\n',
  });
  // The live call carried the real data: only what is written down is masked.
  expect(crm.bodies).toEqual([{ key: '7', Name: 'Ada', Email: EMAIL, Phone: PHONE }]);

  const text = readFileSync(join(dir, 'specs/contacts.test.yaml'), 'utf8');
  for (const secretOrPersonal of [SECRET, EMAIL, PHONE]) expect(text).not.toContain(secretOrPersonal);
  expect(text).toContain(
    [
      '    event:',
      '      id: 7',
      '      customer:',
      '        name: Ada',
      '        email: "[redacted]"',
      '        phone: "[redacted]"',
    ].join('\n'),
  );
  expect(text).toContain('        location: /api/[redacted]/contacts/7?api_key_echo=[redacted]\n');
  expect(text).toContain('          Email: "[redacted]"\n          Phone: "[redacted]"\n');
  expect(text).toContain('          message: created contact for [redacted] via key [redacted]\n');
  // The expectation is the plan of the masked case, so `junction test` passes as written.
  expect(text).toMatch(/body:\n\s+key: "7"\n\s+Name: Ada\n\s+Email: "\[redacted\]"\n\s+Phone: "\[redacted\]"/);

  const offline = await junctionInProcess(['test', 'specs'], {}, { cwd: dir });
  expect(offline.stdout).toContain('✓ contacts › ada\n');
  expect(offline.code).toBe(0);
}, 60_000);
