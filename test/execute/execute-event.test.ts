/**
 * The shared executor, driven through a compiled spec and a recording invoker: what each step sends, in which order,
 * after the ownership filter, and how failures, checkpoints and unchanged writes are handled.
 */
import { describe, expect, it } from 'vitest';
import { executeEvent } from '../../engine/execute/execute-event.js';
import type {
  CallCheckpoint,
  ExecutionState,
  PlannedRequest,
  StepInvoker,
} from '../../engine/execute/execution-types.js';
import { createMemoryState } from '../../engine/plan/memory-state.js';
import { ConnectorError } from '../../engine/sdk/errors.js';
import { LEASE_EXPIRED } from '../../engine/execute/call-step.js';
import { EngineStateError } from '../../engine/execute/engine-state-error.js';
import { compileTestSpecs } from '../compiler/test-connectors.js';

const CONNECTIONS = {
  'shop.yaml':
    'apiVersion: junction/v1\nkind: Connection\nname: shop\ntype: shop\nbase_url: https://shop.example.com\n',
  'crm.yaml': 'apiVersion: junction/v1\nkind: Connection\nname: crm\ntype: crm\nbase_url: https://crm.example.com\n',
  'warehouses.yaml': 'apiVersion: junction/v1\nkind: Lookup\nname: warehouses\nentries: { "1": W01 }\ndefault: W09\n',
};

const ORDER_SYNC = `apiVersion: junction/v1
kind: Integration
name: orders
source: { webhook: { verify: none } }
key: $string(id)
when: status = "complete"
steps:
  - id: head
    connection: crm
    operation: sobjects.upsert
    params: { sobject: Order__c, external_id_field: Ext_Id__c }
    body: '$merge([{ "Ext_Id__c": $string(id), "Customer__c": $xref("customer", $string(customer)), "Warehouse__c": $lookup("warehouses", store) }, extra])'
    xref: { map: order, source_id: $string(id), target_id: $result.id }
  - id: lines
    for_each: items
    connection: crm
    operation: sobjects.create
    params: { sobject: Line__c }
    body: '{ "Order__c": $steps.head.id, "Sku__c": sku, "Line__c": $index + 1, "Ref__c": $event.id }'
owns:
  - { connection: crm, object: Order__c, fields: [Customer__c, Warehouse__c] }
  - { connection: crm, object: Line__c, fields: ["*"] }
on_error:
  - { match: 'vendor_code = "NOT_FOUND"', action: skip }
`;

function memoryState(
  xref: Record<string, string> = {},
): ExecutionState & { xrefs: Map<string, string>; written: Map<string, string>; done: Map<string, unknown> } {
  const xrefs = new Map(Object.entries(xref));
  const written = new Map<string, string>();
  const done = new Map<string, CallCheckpoint>();
  return {
    xrefs,
    written,
    done,
    xref: {
      get: (map, id) => xrefs.get(`${map}:${id}`),
      set: async (map, id, target) => void xrefs.set(`${map}:${id}`, target),
    },
    lastWritten: { get: async (key) => written.get(key), set: async (key, hash) => void written.set(key, hash) },
    checkpoint: {
      get: async (key) => done.get(key),
      set: async (key, value) => void done.set(key, value),
      clear: async (key) => void done.delete(key),
    },
  };
}

/** Records every call and answers with an id per step; `fail` makes chosen calls throw. */
function recordingInvoker(
  fail?: (stepId: string, index?: number) => Error | undefined,
): StepInvoker & { calls: PlannedRequest[] } {
  const calls: PlannedRequest[] = [];
  const invoke = (async (step, call, context) => {
    const request: PlannedRequest = {
      step: step.id,
      index: context.index,
      connection: step.connection,
      operation: step.operation,
      method: 'POST',
      path: `/${String(step.params.sobject)}`,
      body: call.body,
    };
    calls.push(request);
    const error = fail?.(step.id, context.index);
    if (error) throw Object.assign(error, { request });
    return {
      request,
      response: { status: 201, headers: {}, body: {} },
      result: { id: `${step.id}-${context.index ?? 0}`, success: true },
    };
  }) as StepInvoker & { calls: PlannedRequest[] };
  invoke.calls = calls;
  return invoke;
}

const event = {
  id: 7,
  status: 'complete',
  customer: 42,
  store: '1',
  items: [{ sku: 'A' }, { sku: 'B' }],
  extra: { Secret_Note__c: 'not owned' },
};

describe('executeEvent', () => {
  const set = compileTestSpecs({ ...CONNECTIONS, 'orders.yaml': ORDER_SYNC });
  const integration = set.integrations.get('orders')!;
  const run = (input: unknown, invoke: StepInvoker, state = memoryState({ 'customer:42': '001C' })) =>
    executeEvent(input, { integration, lookups: set.lookups, invoke, state, eventId: 'evt-1' });

  it('checkpoints every call except a last one that is harmless to repeat (update, upsert, read)', async () => {
    const state = memoryState({ 'customer:42': '001C' });
    await run(event, recordingInvoker(), state);
    // The last step creates (for_each): every call is checkpointed.
    expect([...state.done.keys()]).toEqual(['head', 'lines.0', 'lines.1']);
    const upsertLast = compileTestSpecs({
      ...CONNECTIONS,
      'notes.yaml': `apiVersion: junction/v1
kind: Integration
name: notes
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: note
    connection: crm
    operation: sobjects.create
    params: { sobject: Line__c }
    body: '{ "Sku__c": "note" }'
  - id: head
    connection: crm
    operation: sobjects.upsert
    params: { sobject: Order__c, external_id_field: Ext_Id__c }
    body: '{ "Ext_Id__c": $string(id) }'
owns:
  - { connection: crm, object: Order__c, fields: ["*"] }
  - { connection: crm, object: Line__c, fields: ["*"] }
`,
    });
    const notes = memoryState();
    const invoke = recordingInvoker();
    const result = await executeEvent(event, {
      integration: upsertLast.integrations.get('notes')!,
      lookups: upsertLast.lookups,
      invoke,
      state: notes,
      eventId: 'evt-2',
    });
    expect(result.outcome).toBe('delivered');
    expect(invoke.calls.map((c) => c.step)).toEqual(['note', 'head']);
    // A redelivery after a crash resumes the create from its checkpoint and upserts the same record again.
    expect([...notes.done.keys()]).toEqual(['note']);
  });

  it('sends each step in order, filtered to owned fields, with step results, lookups, xref and $index', async () => {
    const invoke = recordingInvoker();
    const state = memoryState({ 'customer:42': '001C' });
    const result = await run(event, invoke, state);
    expect(result.outcome).toBe('delivered');
    expect(invoke.calls.map((c) => [c.step, c.index, c.body])).toEqual([
      ['head', undefined, { Ext_Id__c: '7', Customer__c: '001C', Warehouse__c: 'W01' }],
      ['lines', 0, { Order__c: 'head-0', Sku__c: 'A', Line__c: 1, Ref__c: 7 }],
      ['lines', 1, { Order__c: 'head-0', Sku__c: 'B', Line__c: 2, Ref__c: 7 }],
    ]);
    expect(state.xrefs.get('order:7')).toBe('head-0');
    expect(result.steps.lines).toEqual([
      { id: 'lines-0', success: true },
      { id: 'lines-1', success: true },
    ]);
  });

  it('skips events that do not pass `when`, sending nothing', async () => {
    const invoke = recordingInvoker();
    const result = await run({ ...event, status: 'pending' }, invoke);
    expect(result).toMatchObject({ outcome: 'skipped', skippedReason: 'when', requests: [] });
    expect(invoke.calls).toEqual([]);
  });

  it('resumes after completed calls on a retry instead of writing them twice', async () => {
    const state = memoryState({ 'customer:42': '001C' });
    const first = await run(
      event,
      recordingInvoker((step, index) =>
        step === 'lines' && index === 1
          ? new ConnectorError('http-5xx', 'upstream 503', 'retryable', { status: 503 })
          : undefined,
      ),
      state,
    );
    expect(first.failure).toMatchObject({ step: 'lines', index: 1, code: 'http-5xx', action: 'retry', status: 503 });
    const retry = recordingInvoker();
    const second = await run(event, retry, state);
    expect(second.outcome).toBe('delivered');
    expect(retry.calls.map((c) => [c.step, c.index, c.body])).toEqual([
      ['lines', 1, { Order__c: 'head-0', Sku__c: 'B', Line__c: 2, Ref__c: 7 }],
    ]);
    expect(second.requests.map((r) => `${r.step}.${r.index ?? ''}`)).toEqual(['head.', 'lines.0', 'lines.1']);
  });

  it('dead-letters permanent errors at once and applies on_error rules first', async () => {
    const locked = await run(
      event,
      recordingInvoker((step) =>
        step === 'head'
          ? new ConnectorError('record-locked', 'entity is locked', 'permanent', {
              status: 400,
              vendorCode: 'ENTITY_IS_LOCKED',
            })
          : undefined,
      ),
    );
    expect(locked.failure).toMatchObject({
      step: 'head',
      code: 'record-locked',
      action: 'dead_letter',
      vendorCode: 'ENTITY_IS_LOCKED',
    });
    expect(locked.requests.map((r) => r.step)).toEqual(['head']);
    const missing = await run(
      event,
      recordingInvoker((step) =>
        step === 'head'
          ? new ConnectorError('not-found', 'gone', 'permanent', { status: 404, vendorCode: 'NOT_FOUND' })
          : undefined,
      ),
    );
    expect(missing.failure?.action).toBe('skip');
  });

  it('applies no on_error rule to a failure of the engine itself: a rule covering the whole step skips only the target', async () => {
    const wholeStep = compileTestSpecs({
      ...CONNECTIONS,
      'orders.yaml': ORDER_SYNC.replace(`match: 'vendor_code = "NOT_FOUND"'`, `match: 'step = "head"'`),
    });
    const runWith = (error: Error) =>
      executeEvent(event, {
        integration: wholeStep.integrations.get('orders')!,
        lookups: wholeStep.lookups,
        invoke: recordingInvoker((step) => (step === 'head' ? error : undefined)),
        state: memoryState({ 'customer:42': '001C' }),
        eventId: 'evt-1',
      });
    const refused = await runWith(new ConnectorError('validation', 'bad field', 'permanent', { status: 400 }));
    expect(refused.failure).toMatchObject({ step: 'head', code: 'validation', action: 'skip' });
    // Withdrawn unsent (its lease ran out at the gate): skipping would end the event with its call never sent.
    const withdrawn = await runWith(new EngineStateError(LEASE_EXPIRED, 'step head: call head not sent'));
    expect(withdrawn.outcome).toBe('failed');
    expect(withdrawn.failure).toMatchObject({ step: 'head', code: LEASE_EXPIRED, action: 'retry' });
  });

  it('turns a transform error into a permanent failure naming the step', async () => {
    const broken = compileTestSpecs({
      ...CONNECTIONS,
      'orders.yaml': ORDER_SYNC.replace('"Sku__c": sku', '"Sku__c": $number("x" & sku)'),
    });
    const result = await executeEvent(event, {
      integration: broken.integrations.get('orders')!,
      lookups: broken.lookups,
      invoke: recordingInvoker(),
      state: memoryState(),
      eventId: 'e',
    });
    expect(result.failure).toMatchObject({ step: 'lines', index: 0, code: 'transform-error', action: 'dead_letter' });
    expect(result.failure?.message).toMatch(/^JSONata D3030: /);
  });

  it('skips a write identical to the last one to that record, and reports an echo when every write was skipped', async () => {
    const prices = compileTestSpecs({
      ...CONNECTIONS,
      'prices.yaml':
        'apiVersion: junction/v1\nkind: Integration\nname: prices\nsource: { webhook: { verify: none } }\nkey: sku\nsteps:\n  - id: product\n    connection: shop\n    operation: products.update\n    body: \'$merge([{ "sku": sku, "price": price }, { "name": name }])\'\nowns:\n  - { connection: shop, object: product, fields: [price] }\n',
    });
    const options = {
      integration: prices.integrations.get('prices')!,
      lookups: prices.lookups,
      state: memoryState(),
      eventId: 'e',
    };
    const first = recordingInvoker();
    expect((await executeEvent({ sku: 'A', price: 5, name: 'Mug' }, { ...options, invoke: first })).outcome).toBe(
      'delivered',
    );
    expect(first.calls[0].body).toEqual({ sku: 'A', price: 5 });
    const echo = recordingInvoker();
    const again = await executeEvent(
      { sku: 'A', price: 5, name: 'Renamed' },
      { ...options, state: { ...options.state, checkpoint: undefined }, eventId: 'e2', invoke: echo },
    );
    expect(again).toMatchObject({ outcome: 'echo_suppressed', unchanged: ['shop/product/A'] });
    expect(echo.calls).toEqual([]);
    // Without last-written state (no reverse partner) the same write is sent again.
    const stateless = recordingInvoker();
    const sent = await executeEvent(
      { sku: 'A', price: 5, name: 'Renamed' },
      { ...options, state: { xref: options.state.xref }, eventId: 'e3', invoke: stateless },
    );
    expect(sent).toMatchObject({ outcome: 'delivered', unchanged: [] });
    expect(stateless.calls.map((c) => c.body)).toEqual([{ sku: 'A', price: 5 }]);
  });
  it('replays a create guarded by "no xref yet" from its checkpoint on a retry, so later steps still get its id', async () => {
    const createOnce = `apiVersion: junction/v1
kind: Integration
name: quotes
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: draft
    when: $not($exists($xref("quote", $string(id))))
    connection: crm
    operation: sobjects.create
    params: { sobject: Quote__c }
    body: '{ "Name": name }'
    xref: { map: quote, source_id: $string(id), target_id: $result.id }
  - id: send
    when: $exists($steps.draft)
    connection: crm
    operation: sobjects.create
    params: { sobject: Send__c }
    body: '{ "Quote__c": $steps.draft.id }'
owns:
  - { connection: crm, object: Quote__c, fields: ["*"] }
  - { connection: crm, object: Send__c, fields: ["*"] }
`;
    const quotes = compileTestSpecs({ ...CONNECTIONS, 'quotes.yaml': createOnce });
    const state = memoryState();
    const runQuote = (invoke: StepInvoker) =>
      executeEvent(
        { id: 5, name: 'Q-5' },
        { integration: quotes.integrations.get('quotes')!, lookups: quotes.lookups, invoke, state, eventId: 'q-1' },
      );
    const first = await runQuote(
      recordingInvoker((step) =>
        step === 'send' ? new ConnectorError('http-5xx', 'upstream 503', 'retryable', { status: 503 }) : undefined,
      ),
    );
    expect(first.failure).toMatchObject({ step: 'send', action: 'retry' });
    expect(state.xrefs.get('quote:5')).toBe('draft-0');
    const retry = recordingInvoker();
    const second = await runQuote(retry);
    expect(second.outcome).toBe('delivered');
    expect(retry.calls.map((c) => [c.step, c.body])).toEqual([['send', { Quote__c: 'draft-0' }]]);
  });
  it('lets an owner of `records: created` change only the records it created, and refuses any other by name', async () => {
    const quotes = (name: string) => `apiVersion: junction/v1
kind: Integration
name: ${name}
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: draft
    when: $not($exists(quote))
    connection: crm
    operation: sobjects.create
    params: { sobject: Quote__c }
    body: '{ "Name": name }'
  - id: price
    when: $exists(quote)
    connection: crm
    operation: sobjects.update
    params: { sobject: Quote__c }
    body: '{ "Id": quote, "Price__c": price }'
owns:
  - { connection: crm, object: Quote__c, records: created, fields: ["*"] }
`;
    const set = compileTestSpecs({
      ...CONNECTIONS,
      'a.yaml': quotes('invoice-quotes'),
      'b.yaml': quotes('sales-quotes'),
    });
    const shared = createMemoryState();
    // Each event its own checkpoints; who created what is shared, as in the runtime's KV.
    const run = (name: string, event: object) =>
      executeEvent(event, {
        integration: set.integrations.get(name)!,
        lookups: set.lookups,
        invoke: recordingInvoker(),
        state: { ...createMemoryState(), createdBy: shared.createdBy },
        eventId: 'e',
      });
    expect((await run('invoice-quotes', { id: 1, name: 'Q1' })).outcome).toBe('delivered');
    expect(await shared.createdBy!.get('crm/Quote__c/draft-0')).toBe('invoice-quotes');
    expect((await run('invoice-quotes', { id: 1, quote: 'draft-0', price: 5 })).outcome).toBe('delivered');
    const other = await run('sales-quotes', { id: 2, quote: 'draft-0', price: 1 });
    expect(other.failure).toMatchObject({
      step: 'price',
      code: 'not-own-record',
      action: 'dead_letter',
      message:
        'crm/Quote__c/draft-0: integration `invoice-quotes` created it, and `sales-quotes` owns only the Quote__c records it creates (owns: records: created)',
    });
    expect(other.requests).toEqual([]);
    const unknown = await run('invoice-quotes', { id: 3, quote: 'Q-HAND-MADE', price: 1 });
    expect(unknown.failure).toMatchObject({
      code: 'not-own-record',
      message:
        'crm/Quote__c/Q-HAND-MADE: Junction did not create it, and `invoice-quotes` owns only the Quote__c records it creates (owns: records: created)',
    });
  });
});
