/**
 * Security item: per-integration `redact` paths. Values at those paths (and those values wherever an error message or
 * a response quotes them) are masked in dead letters shown over the API, in record traces, in log lines, for
 * operators too; a viewer sees no values of a trace at all. The stored dead letter keeps the exact event for replay.
 * Bad paths are validate diagnostics at line:col.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import { testConnectors } from '../compiler/test-connectors.js';
import { capturedLogger, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import type { DeadLetter } from '../../engine/runtime/stores/dead-letter-store.js';
import type { TraceRecord } from '../../engine/runtime/stores/trace-log.js';
import type { StoredReconcileReport } from '../../engine/runtime/control/reconcile-reports.js';
import { storeDifferingReport } from '../helpers/stored-reconcile-report.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

const EVENT = {
  id: 7,
  seq: 1,
  status: 'new',
  customer: { name: 'Ada', email: 'ada@example.com', phone: '+44 20 7946 0958' },
  lines: [
    { sku: 'MUG-1', price: 12.5 },
    { sku: 'TEA-2', price: 4 },
  ],
};

type Trace = { attempts: TraceRecord[]; deadLetters: DeadLetter[] };

let h: RuntimeHarness;
let viewer: string;
let operator: string;
const { logger, lines: logLines } = capturedLogger();

beforeAll(async () => {
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({
        maxAttempts: 2,
        body: '{ "key": $string(id), "seq": seq, "status": status, "email": customer.email, "name": customer.name }',
      }) + 'redact: [customer.email, customer.phone, lines.price, email]\n',
    ],
    engine: { operator: { auth: 'token' }, logger },
  });
  viewer = (await junction(['token', 'create', 'wall', '--role', 'viewer', '--nats', h.nats.url])).stdout.trim();
  operator = (await junction(['token', 'create', 'ops', '--role', 'operator', '--nats', h.nats.url])).stdout.trim();
  // The target quotes the e-mail address in its refusal, as vendors do.
  h.target.fault = () => ({ respond: { status: 503, body: { message: 'ada@example.com is locked, try later' } } });
  await h.post('orders', EVENT);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered');
});

afterAll(async () => {
  await h?.dispose();
});

const api = async (path: string, token: string) =>
  (await rawRequest(`${h.engine.operatorUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json!;

describe('redact paths', () => {
  it('mask the dead letter an operator sees, and keep the stored event exact for replay', async () => {
    const [stored] = await h.engine.deadLetters.list();
    expect(stored.event).toEqual(EVENT);
    const seen = (await api(`/api/dlq/${stored.id}`, operator)) as unknown as DeadLetter;
    expect(seen.event).toEqual({
      ...EVENT,
      customer: { name: 'Ada', email: '[redacted]', phone: '[redacted]' },
      lines: [
        { sku: 'MUG-1', price: '[redacted]' },
        { sku: 'TEA-2', price: '[redacted]' },
      ],
    });
    expect(seen.request?.body).toEqual({ key: '7', seq: 1, status: 'new', email: '[redacted]', name: 'Ada' });
    expect(JSON.stringify(seen)).not.toContain('ada@example.com');
    expect(seen.responseExcerpt).toContain('[redacted] is locked, try later');
  });

  it('mask the record trace for operators, and a viewer sees no values of it at all', async () => {
    const asOperator = (await api('/api/trace?integration=orders&key=7', operator)) as unknown as Trace;
    expect(asOperator.attempts).toHaveLength(2);
    for (const attempt of asOperator.attempts) {
      expect(attempt.requests[0].body).toEqual({ key: '7', seq: 1, status: 'new', email: '[redacted]', name: 'Ada' });
      expect(attempt.error?.response).toContain('[redacted] is locked');
    }
    expect(JSON.stringify(asOperator)).not.toContain('ada@example.com');
    expect((asOperator.deadLetters[0].event as typeof EVENT).customer).toEqual({
      name: 'Ada',
      email: '[redacted]',
      phone: '[redacted]',
    });

    const asViewer = (await api('/api/trace?integration=orders&key=7', viewer)) as unknown as Trace;
    expect(asViewer.attempts[0].requests[0]).toMatchObject({
      step: 'write',
      method: 'PUT',
      body: { key: '[masked]', seq: '[masked]', status: '[masked]', email: '[masked]', name: '[masked]' },
    });
    expect(asViewer.attempts[0].error?.response).toBe('[masked]');
    expect((asViewer.deadLetters[0].event as typeof EVENT).customer).toEqual({
      name: '[masked]',
      email: '[masked]',
      phone: '[masked]',
    });
    expect(JSON.stringify(asViewer)).not.toMatch(/ada@example\.com|Ada|MUG-1/);
  });

  it('mask their values in every log line', () => {
    expect(logLines.some((l) => l.includes('dead-lettered'))).toBe(true);
    expect(logLines.filter((l) => l.includes('ada@example.com'))).toEqual([]);
  });

  it('mask their values in the DLQ listing (the dashboard table) wherever the error message quotes them', async () => {
    // A validation refusal quotes the vendor's message in the error message itself.
    h.target.fault = (req) =>
      req.key === '8' ? { respond: { status: 422, body: { message: 'grace@example.com is not allowed' } } } : undefined;
    await h.post('orders', { ...EVENT, id: 8, customer: { ...EVENT.customer, email: 'grace@example.com' } });
    const listed = async (token: string) =>
      ((await api('/api/dlq', token)) as unknown as { entries: DeadLetter[] }).entries.find((e) => e.key === '8');
    await waitFor(async () => (await listed(operator)) !== undefined, 'key 8 dead-lettered');
    for (const token of [operator, viewer]) {
      const entry = await listed(token);
      expect(entry?.error).toEqual({
        code: 'validation',
        status: 422,
        message: 'target answered 422: {"message":"[redacted] is not allowed"}',
      });
    }
    const stored = (await h.engine.deadLetters.list()).find((e) => e.key === '8');
    expect(stored?.error.message).toContain('grace@example.com');
  });

  it('mask their values in reconcile reports (GET /api/reconcile), and a viewer sees which fields differ only', async () => {
    await storeDifferingReport(
      h.nats.url,
      {
        key: '7',
        record: EVENT,
        target: 'target record key=7',
        differences: [
          { field: 'email', expected: 'ada@example.com', actual: 'ada@old.example.com' },
          { field: 'status', expected: 'new', actual: 'typed' },
        ],
      },
      { checked: 1, match: 0 },
    );
    const differences = async (token: string) =>
      ((await api('/api/reconcile', token)) as unknown as { reports: StoredReconcileReport[] }).reports[0].problems[0]
        .steps[0].differences;
    expect(await differences(operator)).toEqual([
      { field: 'email', expected: '[redacted]', actual: '[redacted]' },
      { field: 'status', expected: 'new', actual: 'typed' },
    ]);
    expect(await differences(viewer)).toEqual([
      { field: 'email', expected: '[masked]', actual: '[masked]' },
      { field: 'status', expected: '[masked]', actual: '[masked]' },
    ]);
  });

  it('are validate diagnostics at line:col when they are not field paths', () => {
    const text = [
      'apiVersion: junction/v1',
      'kind: Integration',
      'name: orders',
      'source: { webhook: { verify: none } }',
      'key: id',
      'steps:',
      '  - { id: a, connection: shop, operation: orders.get }',
      'redact: [customer.email, $.customer.phone, "lines[0].price", customer..name, customer.email]',
    ].join('\n');
    const result = compileSpecTree(
      { displayRoot: '.', files: [{ path: 'orders.yaml', bytes: Buffer.from(text) }] },
      { connectors: testConnectors(), engine: referenceEngine },
    );
    const why = 'is not valid (a field path: names separated by dots, `*` for any one field; no JSONata)';
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([
      '8:9 invalid-value `redact` must NOT have duplicate items (items ## 4 and 0 are identical)',
      `8:26 invalid-format \`redact[1]\` ${why}, got "$.customer.phone"`,
      `8:44 invalid-format \`redact[2]\` ${why}, got "lines[0].price"`,
      `8:62 invalid-format \`redact[3]\` ${why}, got "customer..name"`,
    ]);
  });

  it('mask the PR plan: a change to a redacted field is listed with its values masked', async () => {
    const repo = createSpecRepo();
    try {
      repo.edit('contacts-to-crm.yaml', (t) => `${t}redact: [email, Email]\n`);
      repo.git('commit', '-qam', 'contacts are personal data');
      const base = repo.git('rev-parse', 'HEAD');
      repo.edit('contacts-to-crm.yaml', (t) =>
        t
          .replace('"FirstName": firstname', '"FirstName": $uppercase(firstname)')
          .replace('"Email": email', '"Email": $uppercase(email)'),
      );
      const plan = await junctionInProcess(
        ['plan', '--base', base, 'specs', '--format', 'json'],
        {},
        { cwd: repo.dir },
      );
      const label = 'contact PATCH /services/data/v60.0/sobjects/Contact/Magento_Customer_Id__c/42';
      expect(JSON.parse(plan.stdout).integrations).toEqual([
        {
          name: 'contacts-to-crm',
          status: 'changed',
          cases: [
            {
              name: 'a customer becomes a contact',
              changes: [
                { request: label, path: 'body.Email', before: '[redacted]', after: '[redacted]' },
                { request: label, path: 'body.FirstName', before: 'Ada', after: 'ADA' },
              ],
            },
          ],
        },
      ]);
      expect(plan.stdout).not.toMatch(/ada@example\.com/i);
    } finally {
      repo.remove();
    }
  });
});
