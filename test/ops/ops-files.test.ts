/**
 * docs/ops/prometheus-rules.yaml and docs/ops/grafana-dashboard.json name only metrics that an engine serves: every
 * `junction_*` name in their expressions is one of the metrics a running engine lists on /metrics (a histogram's
 * _bucket, _sum and _count series included). Every rule links a runbook that exists in docs/operations.md, and the
 * conditions an operator is paged for at night (a source failing or stalled, the broker unreachable) have a rule.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

const docs = (file: string) => readFileSync(new URL(`../../docs/ops/${file}`, import.meta.url), 'utf8');
const rules = () =>
  (
    parse(docs('prometheus-rules.yaml')) as {
      groups: { rules: { alert: string; expr: string; annotations: { runbook?: string } }[] }[];
    }
  ).groups.flatMap((g) => g.rules);
/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
let h: RuntimeHarness;
let served: Set<string>;

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const text = await (await fetch(`${h.engine.operatorUrl}/metrics`)).text();
  served = new Set();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    served.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) served.add(name + suffix);
  }
});
afterAll(() => h?.dispose());

const named = (exprs: string[]) => [...new Set(exprs.flatMap((e) => e.match(/\bjunction_[a-z0-9_]+/g) ?? []))].sort();

it('the Prometheus rules alert on served metrics only', () => {
  expect(rules().length).toBeGreaterThan(5);
  const names = named(rules().map((r) => r.expr));
  expect(names).toContain('junction_events_dead_lettered_total');
  expect(names.filter((n) => !served.has(n))).toEqual([]);
});

it('the Grafana dashboard plots served metrics only', () => {
  const dashboard = JSON.parse(docs('grafana-dashboard.json')) as {
    panels: { targets: { expr: string }[] }[];
    templating: { list: { query: string }[] };
  };
  const exprs = [
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ...dashboard.templating.list.map((v) => v.query),
  ];
  const names = named(exprs);
  expect(names).toContain('junction_delivery_latency_seconds_bucket');
  expect(names.filter((n) => !served.has(n))).toEqual([]);
});

it('every Prometheus rule links a runbook section that docs/operations.md has', () => {
  const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const anchors = new Set([...operations.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => anchor(heading!)));
  const links = rules().map((r) => [r.alert, r.annotations.runbook] as const);
  expect(links.filter(([, runbook]) => !runbook?.startsWith('docs/operations.md#'))).toEqual([]);
  expect(links.filter(([, runbook]) => !anchors.has(runbook!.split('#')[1]!))).toEqual([]);
});

it('a rule pages for a failing or stalled source and an engine cut off from NATS, and dead letters by the gauge', () => {
  const expr = (alert: string) => rules().find((r) => r.alert === alert)?.expr ?? '';
  expect(expr('JunctionSourceFailing')).toContain('junction_source_failed_rounds');
  expect(expr('JunctionSourceStalled')).toContain('junction_source_last_success_timestamp_seconds');
  expect(expr('JunctionBrokerUnreachable')).toContain('junction_nats_connected == 0');
  // increase() over the dead-lettered counter misses the first dead letter of a new series (born at 1).
  expect(expr('JunctionDeadLettersGrowing')).toContain('junction_dead_letters_open');
  expect(expr('JunctionDeadLettersGrowing')).not.toContain('increase(');
});

it('no rule adds two counters with `+` (series without the same labels on both sides drop out)', () => {
  // promtool is not installed here, so this checks the shape: `rate(a) + rate(b)` keeps only series whose labels match
  // on both sides, and the delivered counter (by outcome) never matches the failures (by code), so such a rule could
  // never fire. Different counters are combined inside one sum, each kept apart with label_replace.
  const joined = rules().filter((r) => /\)\s*\+\s*[a-z_]+\(/.test(r.expr));
  expect(joined.map((r) => r.alert)).toEqual([]);
  const expr = (alert: string) => rules().find((r) => r.alert === alert)?.expr ?? '';
  for (const alert of ['JunctionErrorRateHigh', 'JunctionAuthFailures'])
    expect(expr(alert)).toMatch(/or label_replace\((rate|increase)\(junction_events_dead_lettered_total\{/);
});

it('serves the series JunctionAuthFailures takes increase() of at 0 before the first failure', async () => {
  // A series born at 1 with the first failure has no earlier sample: increase() over it is 0 and the alert never fires.
  const text = await (await fetch(`${h.engine.operatorUrl}/metrics`)).text();
  const auth = text.split('\n').filter((l) => l.includes('code="auth"'));
  expect(auth).toEqual([
    'junction_events_retried_total{integration="orders",code="auth"} 0',
    'junction_events_dead_lettered_total{integration="orders",code="auth"} 0',
  ]);
});
