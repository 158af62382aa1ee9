/**
 * A find whose answer runs past the page limit a call reads whole fails clearly (`page-limit`, permanent: the event
 * waits in the DLQ) instead of deciding "not found" on the pages read, which would create the record a second time;
 * so does any other call that needs its whole answer (a query step whose result later steps read).
 * Driven through the real HTTP stack (connection client, step invoker) against a loopback API whose query answers
 * one more page every time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { executeEvent } from '../../engine/execute/execute-event.js';
import { createStepInvoker } from '../../engine/execute/step-invoker.js';
import { MAX_PAGES } from '../../engine/http/connection-client.js';
import { createMemoryState } from '../../engine/plan/memory-state.js';
import type { ConnectorDef } from '../../engine/sdk/connector.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { testConnectors } from '../compiler/test-connectors.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** The test CRM, with a query that pages by `next` as Salesforce does by nextRecordsUrl. */
function pagingConnectors() {
  const registry = testConnectors();
  const crm = registry.get('crm')!;
  const query = crm.operations['sobjects.query'];
  const paging: ConnectorDef = {
    ...crm,
    operations: {
      ...crm.operations,
      'sobjects.query': {
        ...query,
        request: ({ body }) => ({ method: 'GET', path: '/query', query: { q: String((body as { q: string }).q) } }),
        paginate: {
          next: (r) => {
            const next = (r.body as { next?: string }).next;
            return next ? { method: 'GET', path: next } : undefined;
          },
          combine: (pages) => ({ records: (pages as { records: unknown[] }[]).flatMap((p) => p.records) }),
        },
      },
    },
    classify: (response) => new Error(`HTTP ${response.status}`),
  };
  return new Map([...registry, ['crm', paging]]);
}

/** An API on loopback: every query page points to one more; records are created by POST /test. */
async function endlessApi() {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url!.replace(/\?.*/, '')}`);
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST') {
      res.statusCode = 201;
      return res.end(JSON.stringify({ Id: '00Q1' }));
    }
    const page = Number(/^\/query\/(\d+)$/.exec(req.url!)?.[1] ?? 0);
    res.end(JSON.stringify({ records: [], next: `/query/${page + 1}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** Compiles the test CRM's connection and `leads` (its steps given) against `api`, and runs one event through it. */
async function runLeads(api: { url: string }, steps: string, event: { id: number }) {
  const connectors = pagingConnectors();
  const files = {
    'crm.yaml': `apiVersion: junction/v1\nkind: Connection\nname: crm\ntype: crm\nbase_url: ${api.url}\n`,
    'leads.yaml': `apiVersion: junction/v1
kind: Integration
name: leads
source: { webhook: { verify: none } }
key: $string(id)
steps:
${steps}owns:
  - { connection: crm, object: Lead, fields: ["*"] }
`,
  };
  const compiled = compileSpecTree(
    { displayRoot: '.', files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) })) },
    { connectors, engine: referenceEngine },
  );
  expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const set = compiled.specSet!;
  const invoke = createStepInvoker({
    specSet: set,
    connectors,
    security: { outbound: { allowPrivateNetwork: false, allowedHosts: [new URL(api.url).host] } },
  });
  return executeEvent(event, {
    integration: set.integrations.get('leads')!,
    lookups: set.lookups,
    invoke,
    state: createMemoryState(),
    eventId: `e${event.id}`,
  });
}

it('a find past the page limit fails naming the integration, the step, the limit and how to narrow it', async () => {
  const api = await endlessApi();
  const result = await runLeads(
    api,
    `  - id: lead
    connection: crm
    operation: sobjects.create
    params: { sobject: Lead }
    body: '{ "Ref__c": "L" & $string(id) }'
    find:
      when: always
      operation: sobjects.query
      body: '{ "q": "SELECT Id, Ref__c FROM Lead" }'
      match: 'records[Ref__c = $body.Ref__c]'
`,
    { id: 7 },
  );
  expect(result.failure).toMatchObject({
    step: 'lead',
    code: 'page-limit',
    action: 'dead_letter',
    message:
      `integration leads, step lead: find sobjects.query: sobjects.query answered more than ${MAX_PAGES} pages, ` +
      'the most a call reads whole; the answer was not used, so the find cannot tell whether the record exists ' +
      "and nothing was created; narrow the find to the record's reference (filter by it in find.params or " +
      'find.body, e.g. a WHERE on it in a query) so its answer is a few pages',
  });
  expect(result.failure?.request).toMatchObject({
    step: 'lead.find',
    method: 'GET',
    path: expect.stringMatching(/^\/query\?q=/),
  });
  // Every page up to the limit was read, and no create was sent.
  expect(api.seen).toHaveLength(MAX_PAGES);
  expect(api.seen.filter((r) => r.startsWith('POST'))).toEqual([]);
});

it('a query step past the page limit fails instead of handing later steps part of the listing', async () => {
  const api = await endlessApi();
  const result = await runLeads(
    api,
    `  - id: existing
    connection: crm
    operation: sobjects.query
    body: '{ "q": "SELECT Id FROM Lead" }'
  - id: lead
    connection: crm
    operation: sobjects.create
    params: { sobject: Lead }
    body: '{ "Ref__c": "L" & $string(id), "Rank__c": $count($steps.existing.records) + 1 }'
`,
    { id: 8 },
  );
  expect(result.failure).toMatchObject({ step: 'existing', code: 'page-limit', action: 'dead_letter' });
  expect(result.failure?.message).toBe(
    `sobjects.query answered more than ${MAX_PAGES} pages, the most a call reads whole; the answer was not used (a ` +
      'part of it read as the whole would mislead every step after it): narrow the call, a filter in its params or ' +
      'body, so its answer is fewer pages',
  );
  expect(api.seen).toHaveLength(MAX_PAGES);
  expect(api.seen.filter((r) => r.startsWith('POST'))).toEqual([]);
});
