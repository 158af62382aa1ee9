/**
 * Lookups resolved through a connection while an event runs (`resolve`): the request shows in the plan, the value
 * reaches the body, one record per key or a permanent error naming the lookup and the key, a `default` for a miss,
 * found values cached for the TTL, and compile-time refusals (a write operation; a resolved lookup in `key`).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileDirectory, createWiring } from '../../engine/cli/wiring.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { executeEvent } from '../../engine/execute/execute-event.js';
import { ResolvedLookupCache } from '../../engine/execute/lookup-resolver.js';
import { createStepInvoker } from '../../engine/execute/step-invoker.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import { createFixtureTransport } from '../../engine/plan/fixture-transport.js';
import type { RecordedResponses } from '../../engine/plan/fixture-transport.js';
import { createMemoryState } from '../../engine/plan/memory-state.js';

const FIXTURES = fileURLToPath(new URL('../plan/fixtures/specs', import.meta.url));
const connectors = createConnectorRegistry();
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

const ACCOUNT_IDS = `apiVersion: junction/v1
kind: Lookup
name: account-ids
description: The CRM account of a company name, asked of the CRM.
resolve:
  connection: crm
  operation: query
  body: |
    { "q": "SELECT Id FROM Account WHERE Name = '" & $replace($key, "'", "\\\\'") & "'" }
  records: records
  value: Id
  ttl: 1m
`;

/** The fixture specs plus the resolved lookup, a contact flow that uses it, and `extra` files. */
async function compile(extra: Record<string, string> = {}) {
  dir = mkdtempSync(join(tmpdir(), 'junction-resolve-'));
  cpSync(FIXTURES, dir, { recursive: true });
  const files: Record<string, string> = {
    'lookups/account-ids.yaml': ACCOUNT_IDS,
    'contacts-with-accounts.yaml': `apiVersion: junction/v1
kind: Integration
name: contacts-with-accounts
source: { webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(id)
steps:
  - id: contact
    connection: crm
    operation: sobjects.update
    params: { sobject: Contact }
    body: '{ "Id": id, "Phone": phone, "AccountId": $lookup("account-ids", company) }'
owns:
  - connection: crm
    object: Contact
    fields: [Phone, AccountId]
`,
    ...extra,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return (await compileDirectory(createWiring(), dir)).result;
}

/** The compiled set, when the specs have no problem. */
async function compiled(extra?: Record<string, string>): Promise<CompiledSpecSet> {
  const { diagnostics, specSet } = await compile(extra);
  expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([]);
  return specSet!;
}

const found = (...ids: string[]) => ({
  status: 200,
  body: { totalSize: ids.length, done: true, records: ids.map((Id) => ({ Id })) },
});
const saved = { status: 204 };
const event = { id: '003000000000042AAA', phone: '+1 555 0142', company: "Bob's Bikes" };

describe('resolved lookups', () => {
  it('asks the connection for the key, shows the request in the plan and writes the value', async () => {
    const specSet = await compiled();
    const result = await dryRun(specSet, connectors, {
      integration: 'contacts-with-accounts',
      event,
      responses: { 'lookup.account-ids': found('001000000000007AAA'), contact: saved },
    });
    expect(result.outcome).toBe('delivered');
    expect(result.requests.map((r) => [r.step, r.method, decodeURIComponent(r.path.replace(/\+/g, ' '))])).toEqual([
      ['lookup.account-ids', 'GET', "/services/data/v60.0/query?q=SELECT Id FROM Account WHERE Name = 'Bob\\'s Bikes'"],
      ['contact', 'PATCH', '/services/data/v60.0/sobjects/Contact/003000000000042AAA'],
    ]);
    expect(result.requests[1].body).toEqual({ Phone: '+1 555 0142', AccountId: '001000000000007AAA' });
  });

  it('dead-letters an event whose key matches no record, or several, naming the lookup and the key', async () => {
    const specSet = await compiled();
    const run = (answer: ReturnType<typeof found>) =>
      dryRun(specSet, connectors, {
        integration: 'contacts-with-accounts',
        event,
        responses: { 'lookup.account-ids': answer, contact: saved },
      });
    const none = await run(found());
    expect(none.failure).toMatchObject({
      step: 'contact',
      code: 'lookup-unresolved',
      action: 'dead_letter',
      message:
        'lookup account-ids: no record for key "Bob\'s Bikes" through crm query; create the record in the target (or give the lookup a `default`), then replay',
    });
    expect(none.requests.map((r) => r.step)).toEqual(['lookup.account-ids']);
    const two = await run(found('001000000000007AAA', '001000000000008AAA'));
    expect(two.failure).toMatchObject({
      code: 'lookup-ambiguous',
      action: 'dead_letter',
      message:
        'lookup account-ids: 2 records match for key "Bob\'s Bikes" through crm query; make the key identify one record',
    });
  });

  it("gives the lookup's default for a key that matches nothing", async () => {
    const specSet = await compiled({
      'lookups/account-ids.yaml': ACCOUNT_IDS + 'default: 001000000000000DEF\n',
    });
    const result = await dryRun(specSet, connectors, {
      integration: 'contacts-with-accounts',
      event,
      responses: { 'lookup.account-ids': found(), contact: saved },
    });
    expect(result.outcome).toBe('delivered');
    expect(result.requests[1].body).toMatchObject({ AccountId: '001000000000000DEF' });
  });

  it('reuses a found value for the TTL, then asks again', async () => {
    const specSet = await compiled();
    let now = 0;
    const cache = new ResolvedLookupCache(() => now);
    const asked: string[] = [];
    const responses: RecordedResponses = { 'lookup.account-ids': found('001000000000007AAA'), contact: saved };
    const fixtures = createFixtureTransport(responses);
    const invoke = createStepInvoker({
      specSet: specSet,
      connectors,
      security: { outbound: { allowPrivateNetwork: true, allowedHosts: [] } },
      env: { CRM_URL: 'https://crm.example.com', CRM_CLIENT_ID: 'id', CRM_CLIENT_SECRET: 'secret' },
      transport: (request, context) => {
        if (context.stepId) asked.push(context.stepId);
        return fixtures(request, context);
      },
    });
    const run = (id: number) =>
      executeEvent(
        { ...event, phone: `+1 555 014${id}` },
        {
          integration: specSet.integrations.get('contacts-with-accounts')!,
          lookups: specSet.lookups,
          invoke,
          state: createMemoryState(),
          eventId: `e${id}`,
          lookupCache: cache,
        },
      );
    await run(1);
    now = 59_000;
    await run(2);
    now = 61_000;
    const third = await run(3);
    expect(third.outcome).toBe('delivered');
    expect(asked).toEqual(['lookup.account-ids', 'contact', 'contact', 'lookup.account-ids', 'contact']);
  });

  it("lets a spec test record a resolved lookup's answers as `lookup.<name>`", async () => {
    const test = (key: string) => `apiVersion: junction/v1
kind: Test
integration: contacts-with-accounts
cases:
  - name: c
    event: { id: "003000000000042AAA", phone: "1", company: Acme }
    responses:
      ${key}: { status: 200, body: { totalSize: 1, done: true, records: [{ Id: "001000000000007AAA" }] } }
      contact: { status: 204 }
    expect: { outcome: delivered }
`;
    expect((await compile({ 'contacts-with-accounts.test.yaml': test('lookup.account-ids') })).diagnostics).toEqual([]);
    const wrong = await compile({ 'contacts-with-accounts.test.yaml': test('lookup.account-idz') });
    expect(wrong.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(['8:7 unknown-test-reference']);
  });

  it('refuses a resolve that writes, and a resolved lookup where no event runs yet (key)', async () => {
    const { diagnostics } = await compile({
      'lookups/bad-resolve.yaml': `apiVersion: junction/v1
kind: Lookup
name: bad-resolve
resolve: { connection: crm, operation: sobjects.create, params: { sobject: Account }, value: id }
`,
      'keyed-by-lookup.yaml': `apiVersion: junction/v1
kind: Integration
name: keyed-by-lookup
source: { webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "\${env:HOOK_SECRET}" } } } }
key: $lookup("account-ids", company)
steps:
  - { id: read, connection: crm, operation: query, body: '{ "q": "SELECT Id FROM Account" }' }
`,
    });
    expect(
      diagnostics.map((d) => `${d.file.split('/').slice(-2).join('/')}:${d.line}:${d.col} ${d.code} ${d.message}`),
    ).toEqual([
      `${dir!.split('/').pop()}/keyed-by-lookup.yaml:5:6 unknown-function \`$lookup\` is not available in \`key\`, which is computed as the event arrives, before any step, with only $event bound: the call would fail at run time`,
      'lookups/bad-resolve.yaml:4:40 lookup-source resolve operation sobjects.create is a create; a lookup may only read (a read or query operation)',
    ]);
  });
});
