/**
 * The conditions of Alert specs as data: per integration (dlq growth over a window, lag, error rate of one code or
 * of all, authentication refusals, a source failing round after round, missed changes) and per cluster (workers on
 * another commit, rejected commits).
 */
import { expect, it } from 'vitest';
import type { AlertCondition, CompiledAlert } from '../../engine/compiler/compiled-spec.js';
import { evaluateCondition, resolvedSummary } from '../../engine/runtime/alerts/alert-conditions.js';
import type { AlertSignals } from '../../engine/runtime/alerts/alert-conditions.js';

const alert = (condition: AlertCondition, integrations?: string[]): CompiledAlert => ({
  name: 'a',
  severity: 'warning',
  condition,
  integrations,
  forMs: 0,
  repeatMs: 3_600_000,
  notify: [],
  file: 'a.yaml',
});

const signals = (at: number, s: Partial<AlertSignals> = {}): AlertSignals => ({
  at,
  integrations: ['orders', 'customers'],
  openDeadLetters: new Map(),
  lag: new Map(),
  counts: {},
  ...s,
});

it('dlq growth is measured from the lowest open count within the window, per watched integration', () => {
  const c: AlertCondition = { kind: 'dlq_growth', moreThan: 1, withinMs: 60_000 };
  const history = [
    signals(0, { openDeadLetters: new Map([['orders', 0]]) }),
    signals(50_000, {
      openDeadLetters: new Map([
        ['orders', 2],
        ['customers', 0],
      ]),
    }),
  ];
  const now = signals(100_000, {
    openDeadLetters: new Map([
      ['orders', 5],
      ['customers', 5],
    ]),
  });
  expect(evaluateCondition(alert(c, ['orders']), now, history)).toEqual([
    { subject: 'orders', value: 3, summary: 'open dead letters grew by 3 within 1m to 5 (more than 1)' },
  ]);
  expect(evaluateCondition(alert(c), now, history).map((i) => [i.subject, i.value])).toEqual([
    ['orders', 3],
    ['customers', 5],
  ]);
});

it('error rate by code needs enough attempts; auth failures count the auth code', () => {
  const base = signals(0, { counts: { orders: 10, 'orders/http-5xx': 1 } });
  const now = signals(60_000, {
    counts: { orders: 30, 'orders/http-5xx': 9, 'orders/auth': 2, customers: 3, 'customers/http-5xx': 3 },
  });
  const rate: AlertCondition = {
    kind: 'error_rate',
    code: 'http-5xx',
    moreThan: 0.3,
    withinMs: 120_000,
    minAttempts: 5,
  };
  expect(evaluateCondition(alert(rate), now, [base])).toEqual([
    {
      subject: 'orders',
      value: 0.4,
      summary: '40% of 20 attempts failed with http-5xx within 2m (more than 30%)',
    },
  ]);
  const any: AlertCondition = { kind: 'error_rate', moreThan: 0.45, withinMs: 120_000, minAttempts: 5 };
  expect(evaluateCondition(alert(any), now, [base]).map((i) => [i.subject, i.value])).toEqual([['orders', 0.5]]);
  const auth: AlertCondition = { kind: 'auth_failures', moreThan: 0, withinMs: 300_000 };
  expect(evaluateCondition(alert(auth), now, [base])).toEqual([
    { subject: 'orders', value: 2, summary: '2 attempts refused for authentication within 5m (more than 0)' },
  ]);
});

it('workers behind the active commit and rejected commits come from Git sync', () => {
  const now = signals(0, {
    lag: new Map([['orders', 1500]]),
    sync: {
      active_commit: 'b'.repeat(40),
      workers: [
        { id: 'engine-1', commit: 'b'.repeat(40) },
        { id: 'engine-2', commit: 'a'.repeat(40) },
      ],
      rejected: [{ commit: 'c'.repeat(40), diagnostics: [{ message: 'no connection named "crm"' }] }],
    },
  });
  expect(evaluateCondition(alert({ kind: 'workers_behind' }), now, [])).toEqual([
    {
      subject: 'worker engine-2',
      value: 1,
      summary: `runs commit ${'a'.repeat(12)}, not the active ${'b'.repeat(12)}`,
    },
  ]);
  expect(evaluateCondition(alert({ kind: 'rejected_commits' }), now, [])).toEqual([
    {
      subject: `commit ${'c'.repeat(12)}`,
      value: 1,
      summary: 'rejected with 1 problem, the first: no connection named "crm"',
    },
  ]);
  expect(evaluateCondition(alert({ kind: 'lag', moreThan: 1000 }), now, [])).toEqual([
    { subject: 'orders', value: 1500, summary: '1500 events stored and not yet delivered (more than 1000)' },
  ]);
});

it('a source holds source_failing from `rounds` failed rounds in a row, with its last error in the summary', () => {
  const c: AlertCondition = { kind: 'source_failing', rounds: 3 };
  const failure = { at: '2026-12-05T08:00:00.000Z', message: 'HTTP 500 from GET /source' };
  const now = signals(0, {
    sources: new Map([
      ['orders', { failedRounds: 3, lastFailure: failure, lastSuccessAt: '2026-12-05T07:00:00.000Z' }],
      ['customers', { failedRounds: 2, lastFailure: failure }],
    ]),
  });
  expect(evaluateCondition(alert(c), now, [])).toEqual([
    {
      subject: 'orders',
      value: 3,
      summary:
        'its source failed 3 rounds in a row (3 or more), the last at 2026-12-05T08:00:00.000Z: HTTP 500 from GET /source',
    },
  ]);
  expect(evaluateCondition(alert({ kind: 'source_failing', rounds: 2 }, ['customers']), now, [])).toEqual([
    expect.objectContaining({ subject: 'customers', value: 2 }),
  ]);
  // A source that succeeded since (0 rounds failed), or never reported, does not hold.
  const recovered = signals(1, { sources: new Map([['orders', { failedRounds: 0, lastFailure: failure }]]) });
  expect(evaluateCondition(alert(c), recovered, [])).toEqual([]);
  expect(evaluateCondition(alert(c), signals(2), [])).toEqual([]);
});

it('a source holds source_stalled once it completed no round for longer than its intervals and the refresh minute', () => {
  const c: AlertCondition = { kind: 'source_stalled', intervals: 3, streamIntervalMs: 300_000 };
  const at = Date.parse('2026-12-05T09:00:00.000Z');
  const ago = (s: number) => new Date(at - s * 1000).toISOString();
  const failure = { at: ago(5), message: 'HTTP 500 from GET /source' };
  // `orders` polls every 10 s: 3 intervals and the minute its stored success time may lag is 90 s. `customers` is a
  // stream: 3 × 5 min and a minute. `payments` takes webhooks: never stalled.
  const leasedSources = new Map([
    ['orders', { everyMs: 10_000 }],
    ['customers', {}],
  ]);
  const integrations = ['orders', 'customers', 'payments'];
  const now = (orders: number, customers: number) =>
    signals(at, {
      integrations,
      leasedSources,
      sources: new Map([
        ['orders', { failedRounds: 0, lastSuccessAt: ago(orders) }],
        ['customers', { failedRounds: 4, lastSuccessAt: ago(customers), lastFailure: failure }],
      ]),
    });
  expect(evaluateCondition(alert(c), now(91, 961), [])).toEqual([
    {
      subject: 'orders',
      value: 91,
      summary: `its schedule source completed no round for 91s (more than 3 × 10s): the last at ${ago(91)}`,
    },
    {
      subject: 'customers',
      value: 961,
      summary:
        `its stream source completed no round for 961s (more than 3 × 5m): the last at ${ago(961)}; ` +
        `the last failure at ${failure.at}: HTTP 500 from GET /source`,
    },
  ]);
  // Within the limit (a success at most a minute old is what a healthy source shows): nothing holds.
  expect(evaluateCondition(alert(c), now(90, 960), [])).toEqual([]);
});

it('a source that never completed a round is stalled counting from the first look that saw it', () => {
  const c: AlertCondition = { kind: 'source_stalled', intervals: 1, streamIntervalMs: 300_000 };
  const leasedSources = new Map([['orders', { everyMs: 30_000 }]]);
  const first = signals(0, { leasedSources, sources: new Map() });
  const later = signals(60_000, { leasedSources, sources: new Map() });
  // 1 × 30 s and a minute: not yet at 60 s, stalled at 91 s.
  expect(evaluateCondition(alert(c), later, [first])).toEqual([]);
  expect(evaluateCondition(alert(c, ['orders']), signals(91_000, { leasedSources }), [first, later])).toEqual([
    {
      subject: 'orders',
      value: 91,
      summary:
        'its schedule source completed no round for 91s (more than 1 × 30s): none yet (watched since 1970-01-01T00:00:00.000Z)',
    },
  ]);
});

it('missed changes hold per open report (one occurrence each) until a whole reconcile, which the resolution names', () => {
  const report = {
    at: '2026-12-06T01:00:00.000Z',
    message: 'Salesforce sent an overflow event (GAP_OVERFLOW) on /data/AccountChangeEvent …',
    recover: 'junction reconcile orders specs --all --since 2026-12-06T00:59:59.000Z --fix',
  };
  const c = alert({ kind: 'missed_changes' }, ['orders']);
  const open = signals(0, {
    missedChanges: new Map([
      ['orders', report],
      ['customers', report],
    ]),
  });
  expect(evaluateCondition(c, open, [])).toEqual([
    {
      subject: 'orders',
      value: 1,
      summary:
        "its source's vendor reported changes it cannot deliver as events (at 2026-12-06T01:00:00.000Z): " +
        `${report.message}; to recover them: ${report.recover}`,
      occurrence: report.at,
    },
  ]);
  const reconciled = signals(1, {
    missedChanges: new Map([['orders', { ...report, reconciledAt: '2026-12-06T02:00:00.000Z' }]]),
  });
  expect(evaluateCondition(c, reconciled, [])).toEqual([]);
  expect(resolvedSummary(c, 'orders', { occurrence: report.at }, reconciled)).toBe(
    'a whole reconcile (--all) finished at 2026-12-06T02:00:00.000Z, after the report of changes missed at ' +
      "2026-12-06T01:00:00.000Z: what it found and re-sent is in its report (the dashboard's Reconciliation)",
  );
  // Another report than the one that fired, or another condition: told the summary it fired with.
  expect(resolvedSummary(c, 'orders', { occurrence: '2026-12-05T00:00:00.000Z' }, reconciled)).toBeUndefined();
  expect(resolvedSummary(alert({ kind: 'lag', moreThan: 0 }), 'orders', {}, reconciled)).toBeUndefined();
});
