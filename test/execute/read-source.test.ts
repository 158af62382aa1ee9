/**
 * `read.get` and `read.list` bodies see the bindings step bodies see: `$lookup` reads the spec set's tables and
 * `$xref` the cross-references, beside `$key` and `$cursor`. The request the connector builds is the proof.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileDirectory, createWiring } from '../../engine/cli/wiring.js';
import { listSourceRecords, readSourceRecord } from '../../engine/execute/read-source.js';
import { createStepInvoker } from '../../engine/execute/step-invoker.js';
import { createFixtureTransport } from '../../engine/plan/fixture-transport.js';
import { createMemoryState } from '../../engine/plan/memory-state.js';

const FIXTURES = fileURLToPath(new URL('../plan/fixtures/specs', import.meta.url));
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

const ACCOUNTS = `apiVersion: junction/v1
kind: Integration
name: accounts-by-site
source: { webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(Id)
steps:
  - id: contact
    connection: crm
    operation: sobjects.update
    params: { sobject: Contact }
    body: '{ "Id": Id, "Phone": Phone }'
owns:
  - { connection: crm, object: Contact, fields: [Phone] }
read:
  get:
    connection: crm
    operation: query
    body: >-
      { "q": "SELECT Id FROM Account WHERE Site = '" & $lookup("sources", "WH-1") & "' AND Id = '" & $xref("account", $key) & "'" }
    record: records[0]
  list:
    connection: crm
    operation: query
    body: >-
      { "q": "SELECT Id FROM Account WHERE Site = '" & $lookup("sources", "WH-2") & "' AND SystemModstamp >= " & $cursor }
    records: records
    cursor: SystemModstamp
`;

it('evaluates read.get and read.list bodies with $lookup and $xref, as step bodies are', async () => {
  dir = mkdtempSync(join(tmpdir(), 'junction-read-source-'));
  cpSync(FIXTURES, dir, { recursive: true });
  writeFileSync(join(dir, 'accounts-by-site.yaml'), ACCOUNTS);
  const { diagnostics, specSet } = (await compileDirectory(createWiring(), dir)).result;
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([]);
  const integration = specSet!.integrations.get('accounts-by-site')!;
  const record = { Id: '001000000000042AAA', SystemModstamp: '2026-12-01T00:00:00Z' };
  const asked: string[] = [];
  const fixtures = createFixtureTransport({
    read: { status: 200, body: { totalSize: 1, done: true, records: [record] } },
    list: { status: 200, body: { totalSize: 1, done: true, records: [record] } },
  });
  const invoke = createStepInvoker({
    specSet: specSet!,
    connectors: createConnectorRegistry(),
    security: { outbound: { allowPrivateNetwork: true, allowedHosts: [] } },
    env: { CRM_URL: 'https://crm.example.com', CRM_CLIENT_ID: 'id', CRM_CLIENT_SECRET: 'secret' },
    transport: (request, context) => {
      if (context.stepId)
        asked.push(`${context.stepId} ${decodeURIComponent(new URL(request.url).search.replace(/\+/g, ' '))}`);
      return fixtures(request, context);
    },
  });
  const bindings = {
    lookups: specSet!.lookups,
    xref: createMemoryState({ account: { '42': '001000000000042AAA' } }).xref,
  };

  expect(await readSourceRecord(integration, '42', invoke, bindings)).toEqual(record);
  const listed = await listSourceRecords(
    integration,
    integration.read!.list!,
    '2026-11-30T00:00:00Z',
    invoke,
    bindings,
  );
  expect(listed).toEqual([{ record, cursor: '2026-12-01T00:00:00Z' }]);
  expect(asked).toEqual([
    "read ?q=SELECT Id FROM Account WHERE Site = 'main_warehouse' AND Id = '001000000000042AAA'",
    "list ?q=SELECT Id FROM Account WHERE Site = 'city_store' AND SystemModstamp >= 2026-11-30T00:00:00Z",
  ]);
});
