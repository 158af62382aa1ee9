/** Plan diffs of one case: outcome and error code, requests matched by step and element, fields by path. */
import { describe, expect, it } from 'vitest';
import type { ExecutionResult, PlannedRequest } from '../../engine/execute/execution-types.js';
import { diffPlans } from '../../engine/plan/diff/request-diff.js';

const request = (r: Partial<PlannedRequest>): PlannedRequest => ({
  step: 'head',
  connection: 'm3',
  operation: 'OIS100MI/AddBatchHead',
  method: 'GET',
  path: '/m3api-rest/v2/execute/OIS100MI/AddBatchHead',
  ...r,
});
const plan = (requests: PlannedRequest[], extra: Partial<ExecutionResult> = {}): ExecutionResult => ({
  outcome: 'delivered',
  requests,
  steps: {},
  unchanged: [],
  ...extra,
});

describe('diffPlans', () => {
  it('shows a changed query string per parameter, and leaves equal requests out', () => {
    const before = plan([
      request({ path: '/m3api-rest/v2/execute/OIS100MI/AddBatchHead?CONO=100&CUNO=B1&ORTP=A01' }),
      request({ step: 'line', index: 0, path: '/x?ITNO=1' }),
    ]);
    const after = plan([
      request({ path: '/m3api-rest/v2/execute/OIS100MI/AddBatchHead?CONO=100&CUNO=B1&ORTP=A02&WHLO=W1' }),
      request({ step: 'line', index: 0, path: '/x?ITNO=1' }),
    ]);
    expect(diffPlans(before, after)).toEqual([
      {
        request: 'head GET /m3api-rest/v2/execute/OIS100MI/AddBatchHead?CONO=100&CUNO=B1&ORTP=A02&WHLO=W1',
        path: 'query.ORTP',
        before: 'A01',
        after: 'A02',
      },
      {
        request: 'head GET /m3api-rest/v2/execute/OIS100MI/AddBatchHead?CONO=100&CUNO=B1&ORTP=A02&WHLO=W1',
        path: 'query.WHLO',
        before: null,
        after: 'W1',
      },
    ]);
  });

  it('diffs bodies field by field and reports a new error code', () => {
    const before = plan([request({ method: 'PATCH', path: '/a', body: { Name: 'Ada', Phone: '1' } })]);
    const after = plan([request({ method: 'PATCH', path: '/a', body: { Name: 'Ada L.', Email: 'a@b.c' } })], {
      outcome: 'failed',
      failure: { code: 'validation', message: 'bad', action: 'dead_letter' },
    });
    expect(diffPlans(before, after)).toEqual([
      { request: null, path: 'outcome', before: 'delivered', after: 'dead_lettered' },
      { request: null, path: 'error_code', before: null, after: 'validation' },
      { request: 'head PATCH /a', path: 'body.Email', before: null, after: 'a@b.c' },
      { request: 'head PATCH /a', path: 'body.Name', before: 'Ada', after: 'Ada L.' },
      { request: 'head PATCH /a', path: 'body.Phone', before: '1', after: null },
    ]);
  });

  it('matches for_each requests by element index, so an added element is one new request', () => {
    const line = (index: number) =>
      request({ step: 'line', index, method: 'POST', path: '/lines', body: { n: index } });
    expect(diffPlans(plan([line(0)]), plan([line(0), line(1)]))).toEqual([
      {
        request: 'line[1] POST /lines',
        path: '',
        before: null,
        after: { method: 'POST', path: '/lines', body: { n: 1 } },
      },
    ]);
  });
});
