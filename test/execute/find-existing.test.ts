/**
 * Creates that never duplicate: a step's `find` looks the record up by its business reference after an attempt
 * whose outcome is unknown (and before every call with `when: always`), and the found record becomes the step's
 * result. Driven through a compiled spec, the shared executor and a recording invoker with a list of stored leads.
 */
import { describe, expect, it } from 'vitest';
import { executeEvent } from '../../engine/execute/execute-event.js';
import { createMemoryState } from '../../engine/plan/memory-state.js';
import { ConnectorError, retryableError } from '../../engine/sdk/errors.js';
import { isSentCall } from '../../engine/execute/execution-types.js';
import type { ExecutionState } from '../../engine/execute/execution-types.js';
import { crm, lost } from './fake-crm.js';
import { compileTestSpecs } from '../compiler/test-connectors.js';

const CRM = 'apiVersion: junction/v1\nkind: Connection\nname: crm\ntype: crm\nbase_url: https://crm.example.com\n';

const withCrm = (integration: string) => ({ 'crm.yaml': CRM, 'leads.yaml': integration });

const leads = (when = 'uncertain') => `apiVersion: junction/v1
kind: Integration
name: leads
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: lead
    connection: crm
    operation: sobjects.create
    params: { sobject: Lead }
    body: '{ "Ref__c": "L" & $string(id), "Email": email }'
    find:
      when: ${when}
      operation: sobjects.query
      body: '{ "q": "SELECT Id FROM Lead WHERE Ref__c = " & $body.Ref__c }'
      match: 'records[Ref__c = $body.Ref__c]'
      result: '{ "id": Id, "existing": true }'
    xref: { map: lead, source_id: $string(id), target_id: $result.id }
  - id: notes
    for_each: notes
    connection: crm
    operation: sobjects.create
    params: { sobject: Note }
    body: '{ "Parent__c": $steps.lead.id, "Ref__c": "N" & $string($event.id) & "-" & $string($index), "Body": $ }'
    find:
      operation: sobjects.query
      body: '{ "q": "SELECT Id FROM Note WHERE Ref__c = " & $body.Ref__c }'
      match: 'records[Ref__c = $body.Ref__c]'
owns:
  - { connection: crm, object: Lead, fields: ["*"] }
  - { connection: crm, object: Note, fields: ["*"] }
`;

const ACCOUNT_UPSERT = `apiVersion: junction/v1
kind: Integration
name: accounts
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: account
    connection: crm
    operation: sobjects.upsert
    params: { sobject: Account, external_id_field: Ext_Id__c }
    when: email != ""
    body: '{ "Ext_Id__c": $string(id), "Name": email }'
owns:
  - { connection: crm, object: Account, fields: ["*"] }
`;

describe('find: creates that never duplicate', () => {
  const event = { id: 5, email: 'ada@example.com', notes: ['first', 'second'] };

  it('an answer lost after the commit: the retry finds the lead by its reference and does not create it again', async () => {
    const set = compileTestSpecs(withCrm(leads()));
    const integration = set.integrations.get('leads')!;
    const state = createMemoryState();
    const target = crm((step, _index, attempt) => (step === 'lead' && attempt === 1 ? lost() : undefined));
    const run = () =>
      executeEvent(event, { integration, lookups: set.lookups, invoke: target.invoke, state, eventId: 'e5' });
    const first = await run();
    expect(first.failure).toMatchObject({ step: 'lead', code: 'timeout', action: 'retry' });
    const second = await run();
    expect(second.outcome).toBe('delivered');
    expect(target.stored.filter((r) => r.Ref__c === 'L5')).toHaveLength(1);
    expect(target.calls.map((c) => `${c.step}${c.index === undefined ? '' : `[${c.index}]`} ${c.method}`)).toEqual([
      'lead POST',
      'lead.find GET',
      'notes[0] POST',
      'notes[1] POST',
    ]);
    // The found lead is the step's result: later steps and the xref read the id of the lead created the first time.
    expect(second.steps.lead).toEqual({ id: '00Q1', existing: true });
    expect(target.stored.filter((r) => r.Parent__c === '00Q1')).toHaveLength(2);
    expect(state.xref.get('lead', '5')).toBe('00Q1');
    expect(second.found).toEqual([{ step: 'lead' }]);
    expect(second.requests.map((r) => r.step)).toEqual(['lead.find', 'notes', 'notes']);
  });

  it('per element: only the note whose answer was lost is looked up, and the others are sent once', async () => {
    const set = compileTestSpecs(withCrm(leads()));
    const integration = set.integrations.get('leads')!;
    const state = createMemoryState();
    const target = crm((step, index, attempt) =>
      step === 'notes' && index === 1 && attempt === 2 ? lost() : undefined,
    );
    const run = () =>
      executeEvent(event, { integration, lookups: set.lookups, invoke: target.invoke, state, eventId: 'e5' });
    expect((await run()).failure).toMatchObject({ step: 'notes', index: 1, code: 'timeout' });
    expect((await run()).outcome).toBe('delivered');
    expect(target.stored.map((r) => r.Ref__c)).toEqual(['L5', 'N5-0', 'N5-1']);
    expect(target.calls.map((c) => `${c.step}${c.index === undefined ? '' : `[${c.index}]`}`)).toEqual([
      'lead',
      'notes[0]',
      'notes[1]',
      'notes.find[1]',
    ]);
  });

  it('a definite refusal clears the sent mark: the retry sends the create again without a look-up', async () => {
    const set = compileTestSpecs(withCrm(leads()));
    const integration = set.integrations.get('leads')!;
    const state = createMemoryState();
    const target = crm((step, _index, attempt) =>
      step === 'lead' && attempt === 1
        ? new ConnectorError('validation', 'crm answered 400: Email is invalid', 'permanent', { status: 400 })
        : undefined,
    );
    const run = () =>
      executeEvent(event, { integration, lookups: set.lookups, invoke: target.invoke, state, eventId: 'e5' });
    expect((await run()).failure).toMatchObject({ code: 'validation', action: 'dead_letter' });
    expect(await state.checkpoint!.get('lead')).toBeUndefined();
    await run();
    expect(target.calls.map((c) => c.step)).toEqual(['lead', 'lead', 'notes', 'notes']);
    expect(target.stored.filter((r) => r.Ref__c === 'L5')).toHaveLength(1);
  });

  it('a checkpoint write lost after the answer (a broker outage) keeps the sent mark: the retry finds the lead', async () => {
    const set = compileTestSpecs(withCrm(leads()));
    const integration = set.integrations.get('leads')!;
    const memory = createMemoryState();
    const checkpoint = memory.checkpoint!;
    let outage = true;
    const state: ExecutionState = {
      ...memory,
      checkpoint: {
        ...checkpoint,
        set: async (key, value) => {
          if (key === 'lead' && !isSentCall(value) && outage) {
            outage = false;
            throw retryableError('state-unavailable', 'runtime state unavailable: TIMEOUT');
          }
          await checkpoint.set(key, value);
        },
      },
    };
    const target = crm();
    const run = () =>
      executeEvent(event, { integration, lookups: set.lookups, invoke: target.invoke, state, eventId: 'e5' });
    expect((await run()).failure).toMatchObject({ step: 'lead', code: 'state-unavailable', action: 'retry' });
    expect(await checkpoint.get('lead')).toEqual({ sent: true });
    expect((await run()).outcome).toBe('delivered');
    expect(target.calls.map((c) => `${c.step}${c.index === undefined ? '' : `[${c.index}]`} ${c.method}`)).toEqual([
      'lead POST',
      'lead.find GET',
      'notes[0] POST',
      'notes[1] POST',
    ]);
    expect(target.stored.filter((r) => r.Ref__c === 'L5')).toHaveLength(1);
  });

  it('reads the checkpoints of calls that can leave one on every attempt, and none for a last upsert', async () => {
    const reads: string[] = [];
    const counting = (): ExecutionState => {
      const memory = createMemoryState();
      const checkpoint = memory.checkpoint!;
      return { ...memory, checkpoint: { ...checkpoint, get: (key) => (reads.push(key), checkpoint.get(key)) } };
    };
    const set = compileTestSpecs(withCrm(leads()));
    const target = crm();
    const options = { lookups: set.lookups, invoke: target.invoke, eventId: 'e5' };
    await executeEvent(event, { ...options, integration: set.integrations.get('leads')!, state: counting() });
    // The create has a find and the notes a for_each: a first delivery may be a redelivery that the broker numbers 1.
    expect(reads).toEqual(['lead', 'notes.0', 'notes.1']);

    reads.length = 0;
    const upsert = compileTestSpecs(withCrm(ACCOUNT_UPSERT));
    await executeEvent(event, { ...options, integration: upsert.integrations.get('accounts')!, state: counting() });
    expect(reads).toEqual([]);
  });

  it('an unknown outcome whose record is not there after all: the look-up finds nothing and the create is sent again', async () => {
    const set = compileTestSpecs(withCrm(leads()));
    const integration = set.integrations.get('leads')!;
    const state = createMemoryState(undefined, undefined, undefined, ['lead']);
    const target = crm();
    const result = await executeEvent(event, {
      integration,
      lookups: set.lookups,
      invoke: target.invoke,
      state,
      eventId: 'e5',
    });
    expect(result.outcome).toBe('delivered');
    expect(target.calls.map((c) => c.step)).toEqual(['lead.find', 'lead', 'notes', 'notes']);
    // The plan shows the look-up that found nothing, then the create sent again.
    expect(result.requests.map((r) => r.step)).toEqual(['lead.find', 'lead', 'notes', 'notes']);
    expect(result.found).toBeUndefined();
  });

  it('when: always: a later event for a lead that already exists gets the found lead instead of a second one', async () => {
    const set = compileTestSpecs(withCrm(leads('always')));
    const integration = set.integrations.get('leads')!;
    const target = crm();
    const run = (id: string) =>
      executeEvent(
        { ...event, notes: [] },
        { integration, lookups: set.lookups, invoke: target.invoke, state: createMemoryState(), eventId: id },
      );
    expect((await run('first')).steps.lead).toEqual({ id: '00Q1' });
    const later = await run('later');
    expect(later.steps.lead).toEqual({ id: '00Q1', existing: true });
    expect(target.calls.map((c) => `${c.step} ${c.method}`)).toEqual(['lead.find GET', 'lead POST', 'lead.find GET']);
    expect(target.stored).toHaveLength(1);
  });

  it('two matches are a permanent find-ambiguous error, with the look-up as the failing request', async () => {
    const set = compileTestSpecs(withCrm(leads('always')));
    const integration = set.integrations.get('leads')!;
    const target = crm();
    target.stored.push({ Id: '00Qa', Ref__c: 'L5' }, { Id: '00Qb', Ref__c: 'L5' });
    const result = await executeEvent(event, {
      integration,
      lookups: set.lookups,
      invoke: target.invoke,
      state: createMemoryState(),
      eventId: 'e5',
    });
    expect(result.failure).toMatchObject({
      step: 'lead',
      code: 'find-ambiguous',
      action: 'dead_letter',
      message:
        'step lead: find sobjects.query matched 2 records; the reference must identify one record (refine find.match)',
    });
    expect(result.requests.map((r) => r.step)).toEqual(['lead.find']);
  });
});
