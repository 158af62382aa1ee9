/** Which integrations keep echo-suppression state: only those with a reverse partner (a possible echo loop). */
import { describe, expect, it } from 'vitest';
import { hasReversePartner } from '../../engine/runtime/worker/echo-partners.js';
import { compileRuntimeSpecs } from './helpers/runtime-specs.js';
import { integrationYaml } from './helpers/runtime-specs.js';

const TARGET = 'http://127.0.0.1:9';
/** An integration writing one field of target records (so two of them can share the records). */
const writing = (field: string, more: Parameters<typeof integrationYaml>[0] = {}) =>
  integrationYaml({
    body: `{ "key": $string(id), "${field}": ${field} }`,
    owns: `  - { connection: target, object: record, fields: [${field}] }`,
    ...more,
  });
const POLL =
  '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, every: 1s, records: items, cursor: updated, initial_cursor: "0" } }';

describe('hasReversePartner', () => {
  it('is false for a one-way integration alone: its writes cannot come back to it', () => {
    const set = compileRuntimeSpecs(TARGET, [integrationYaml({ name: 'orders' })]);
    expect(hasReversePartner(set, 'orders')).toBe(false);
  });

  it('is true for both sides of a pair whose sources may be each other’s targets (webhooks may come from anywhere)', () => {
    const set = compileRuntimeSpecs(TARGET, [
      writing('name', { name: 'a-to-b' }),
      writing('stock', { name: 'b-to-a' }),
    ]);
    expect([hasReversePartner(set, 'a-to-b'), hasReversePartner(set, 'b-to-a')]).toEqual([true, true]);
  });

  it('is true for an integration whose source is a connection it writes to (its own echo)', () => {
    const set = compileRuntimeSpecs(TARGET, [integrationYaml({ name: 'poll', source: POLL })]);
    expect(hasReversePartner(set, 'poll')).toBe(true);
  });

  it('is false for a pair whose known source is not the other one’s target', () => {
    const other = `apiVersion: junction/v1
kind: Connection
name: other
type: target
base_url: http://127.0.0.1:10
`;
    const fromOther = writing('name', {
      name: 'from-other',
      source: POLL.replace('connection: target', 'connection: other'),
    });
    const set = compileRuntimeSpecs(TARGET, [fromOther, writing('stock', { name: 'orders' })], {
      extra: { 'other.yaml': other },
    });
    // from-other writes to target and is fed by other; orders may be fed by target but writes only to target.
    expect([hasReversePartner(set, 'from-other'), hasReversePartner(set, 'orders')]).toEqual([false, false]);
  });
});
