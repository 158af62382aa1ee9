/**
 * The other answers to an unknown outcome: `restart_from` starts a batch entry again instead of sending a call into
 * an entry that cannot be read back (and the entry step's `abandon` drops the entry left open), and an `on_error`
 * rule with `continue` counts a failed call as done (an "already exists" after an earlier attempt got no answer) and
 * goes on with the event; a rule that cannot be evaluated on the failure dead-letters it, keeping the failure.
 */
import { describe, expect, it } from 'vitest';
import { executeEvent } from '../../engine/execute/execute-event.js';
import { createMemoryState } from '../../engine/plan/memory-state.js';
import { ConnectorError } from '../../engine/sdk/errors.js';
import { compileTestSpecs } from '../compiler/test-connectors.js';
import { crm, lost } from './fake-crm.js';

const CRM = 'apiVersion: junction/v1\nkind: Connection\nname: crm\ntype: crm\nbase_url: https://crm.example.com\n';

const ENTRY = `apiVersion: junction/v1
kind: Integration
name: entries
source: { webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(id)
steps:
  - id: entry
    connection: crm
    operation: sobjects.create
    params: { sobject: Entry }
    body: '{ "Ref__c": $string(id) }'
    abandon: { operation: sobjects.delete, params: { sobject: Entry }, body: '{ "Id": id }' }
  - id: head
    connection: crm
    operation: sobjects.create
    params: { sobject: Head }
    body: '{ "Entry__c": $steps.entry.id }'
    restart_from: entry
  - id: finish
    connection: crm
    operation: sobjects.create
    params: { sobject: Finish }
    body: '{ "Entry__c": $steps.entry.id }'
owns:
  - { connection: crm, object: Entry, fields: ["*"] }
  - { connection: crm, object: Head, fields: ["*"] }
  - { connection: crm, object: Finish, fields: ["*"] }
on_error:
  - { match: 'code = "duplicate" and step = "entry"', action: continue }
`;

/** A batch opened then posted; posting consumes it, so a repeated post finds no batch (not-found). */
const POSTING = `apiVersion: junction/v1
kind: Integration
name: postings
source: { webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(id)
steps:
  - id: open
    connection: crm
    operation: sobjects.create
    params: { sobject: Batch }
    body: '{ "Ref__c": $string(id) }'
  - id: post
    connection: crm
    operation: sobjects.create
    params: { sobject: Posting }
    body: '{ "Ref__c": $string(id) }'
owns:
  - { connection: crm, object: Batch, fields: ["*"] }
  - { connection: crm, object: Posting, fields: ["*"] }
on_error:
  - { match: 'step = "post" and sent_before and code = "not-found"', action: continue }
`;

describe('restart_from and continue', () => {
  const set = compileTestSpecs({ 'crm.yaml': CRM, 'entries.yaml': ENTRY });
  const integration = set.integrations.get('entries')!;
  const run = (target: ReturnType<typeof crm>, state = createMemoryState()) =>
    executeEvent({ id: 1 }, { integration, lookups: set.lookups, invoke: target.invoke, state, eventId: 'e1' });

  it('a head sent into an entry without an answer: the entry is dropped and the retry opens a new one', async () => {
    const state = createMemoryState();
    const target = crm((step, _index, attempt) => (step === 'head' && attempt === 1 ? lost() : undefined));
    const first = await run(target, state);
    expect(first.failure).toMatchObject({ step: 'head', code: 'timeout', action: 'retry' });
    expect(first.abandoned).toEqual([{ step: 'entry' }]);
    expect((await run(target, state)).outcome).toBe('delivered');
    expect(target.calls.map((c) => `${c.step} ${JSON.stringify(c.body)}`)).toEqual([
      'entry {"Ref__c":"1"}',
      'head {"Entry__c":"00Q1"}',
      'entry.abandon {"Id":"00Q1"}',
      'entry {"Ref__c":"1"}',
      'head {"Entry__c":"00Q4"}',
      'finish {"Entry__c":"00Q4"}',
    ]);
  });

  it('an entry that cannot be dropped (refused, or no answer) does not stop the restart', async () => {
    const state = createMemoryState();
    const target = crm((step, _index, attempt) =>
      step === 'head' && attempt === 1
        ? lost()
        : step === 'entry.abandon'
          ? new ConnectorError('not-found', 'crm: entity is deleted', 'permanent')
          : undefined,
    );
    const first = await run(target, state);
    expect(first.failure).toMatchObject({ step: 'head', code: 'timeout', action: 'retry' });
    expect(first.abandoned).toEqual([{ step: 'entry', code: 'not-found' }]);
    expect((await run(target, state)).outcome).toBe('delivered');
    expect(target.calls.map((c) => c.step)).toEqual(['entry', 'head', 'entry.abandon', 'entry', 'head', 'finish']);
  });

  it('a crash after the head was sent: the redelivery restarts from the entry rather than sending the head again', async () => {
    const state = createMemoryState(undefined, undefined, undefined, ['head']);
    await state.checkpoint!.set('entry', {
      result: { id: '00Q7' },
      request: { step: 'entry', connection: 'crm', operation: 'sobjects.create', method: 'POST', path: '/sobjects' },
    });
    const target = crm();
    const restarted = await run(target, state);
    expect(restarted.failure).toMatchObject({
      step: 'head',
      code: 'restarted',
      action: 'retry',
      message: 'step head: an earlier attempt sent this call and got no answer; starting again from step entry',
    });
    // The entry the crashed attempt opened is dropped before anything else is sent.
    expect(target.calls.map((c) => `${c.step} ${JSON.stringify(c.body)}`)).toEqual(['entry.abandon {"Id":"00Q7"}']);
    expect((await run(target, state)).outcome).toBe('delivered');
    expect(target.calls.map((c) => c.step)).toEqual(['entry.abandon', 'entry', 'head', 'finish']);
  });

  it('continue: an "already exists" counts the call as done, and the event goes on', async () => {
    const target = crm((step) =>
      step === 'entry'
        ? new ConnectorError('duplicate', 'crm: Record already exists', 'permanent', { vendorCode: 'XRE0104' })
        : undefined,
    );
    const result = await run(target);
    expect(result.outcome).toBe('delivered');
    expect(result.continued).toEqual([{ step: 'entry', code: 'duplicate' }]);
    expect(result.steps.entry).toBeUndefined();
    expect(target.calls.map((c) => c.step)).toEqual(['entry', 'head', 'finish']);
  });

  describe('continue on sent_before', () => {
    const postings = compileTestSpecs({ 'crm.yaml': CRM, 'postings.yaml': POSTING }).integrations.get('postings')!;
    const post = (target: ReturnType<typeof crm>, state = createMemoryState()) =>
      executeEvent(
        { id: 1 },
        { integration: postings, lookups: set.lookups, invoke: target.invoke, state, eventId: 'e1' },
      );
    const gone = () =>
      new ConnectorError('not-found', 'crm: batch 1 does not exist', 'permanent', { vendorCode: 'XRE0103' });

    it('a repeat of a post whose answer was lost that finds the batch gone counts as done', async () => {
      const state = createMemoryState();
      const target = crm((step, _index, attempt) => (step === 'post' ? (attempt === 1 ? lost() : gone()) : undefined));
      expect((await post(target, state)).failure).toMatchObject({ step: 'post', code: 'timeout', action: 'retry' });
      const repeat = await post(target, state);
      expect(repeat.outcome).toBe('delivered');
      expect(repeat.continued).toEqual([{ step: 'post', code: 'not-found' }]);
      expect(target.calls.map((c) => c.step)).toEqual(['open', 'post', 'post']);
    });

    it('a post that finds the batch gone on its first send is a permanent failure, not a posting', async () => {
      const target = crm((step) => (step === 'post' ? gone() : undefined));
      const result = await post(target);
      expect(result.continued).toBeUndefined();
      expect(result.failure).toMatchObject({
        step: 'post',
        code: 'not-found',
        action: 'dead_letter',
        vendorCode: 'XRE0103',
        message: expect.stringContaining('crm: batch 1 does not exist'),
      });
    });

    it('after a definite refusal the sent mark is gone: the replay that finds the batch gone fails again', async () => {
      const state = createMemoryState();
      const refused = new ConnectorError('validation', 'crm: period closed', 'permanent', { vendorCode: 'XGL0001' });
      const target = crm((step, _index, attempt) => (step === 'post' ? (attempt === 1 ? refused : gone()) : undefined));
      expect((await post(target, state)).failure).toMatchObject({ step: 'post', code: 'validation' });
      const replay = await post(target, state);
      expect(replay.failure).toMatchObject({ step: 'post', code: 'not-found', action: 'dead_letter' });
      expect(target.calls.map((c) => c.step)).toEqual(['open', 'post', 'post']);
    });

    it('a rule before the continue that fails to evaluate dead-letters the post with its failure kept', async () => {
      // Asked whether the failed post continues, rule 1 cannot be evaluated ($number of a text: JSONata D3030).
      const broken = POSTING.replace('on_error:\n', "on_error:\n  - { match: '$number(message) > 0', action: skip }\n");
      const integration = compileTestSpecs({ 'crm.yaml': CRM, 'postings.yaml': broken }).integrations.get('postings')!;
      const refused = new ConnectorError('validation', 'crm: period closed', 'permanent', {
        status: 400,
        vendorCode: 'XGL0001',
      });
      const target = crm((step) => (step === 'post' ? refused : undefined));
      const result = await executeEvent(
        { id: 1 },
        { integration, lookups: set.lookups, invoke: target.invoke, state: createMemoryState(), eventId: 'e1' },
      );
      expect(result.failure).toMatchObject({
        step: 'post',
        code: 'on-error-rule',
        action: 'dead_letter',
        status: 400,
        vendorCode: 'XGL0001',
        request: { step: 'post', method: 'POST', path: '/sobjects' },
      });
      expect(result.failure!.message).toMatch(
        /^on_error rule 1 \(match: \$number\(message\) > 0\) could not be evaluated on this failure: JSONata D3030: .+; fix the rule, then replay the dead letter\. The failure: crm: period closed$/,
      );
    });
  });
});
