/**
 * The engine bench's CPU budget (cpu-budget.ts): per-process CPU per event, their sum, and the events/s the cores
 * allow at that sum, printed and in the JSON line.
 */
import { expect, it } from 'vitest';
import { budgetFigures, budgetLines, cpuBudget } from './cpu-budget.js';

const cpu = {
  engine: { user: 0.24, system: 0.04 },
  nats: { user: 0.1, system: 0.08 },
  loadgen: { user: 0.015, system: 0.025 },
  target: { user: 0.02, system: 0.03 },
};

it('sums the four processes and says what two cores allow at that sum, pinned and not', () => {
  const budget = cpuBudget(cpu, 1_904, 2, true);
  expect(budget.sum).toBeCloseTo(0.55, 10);
  expect(budget.coresAllowPerS).toBeCloseTo(2000 / 0.55, 6);
  expect(budget.pinned!.engine).toBeCloseTo(1000 / 0.28, 6);
  expect(budget.pinned!.rest).toBeCloseTo(1000 / 0.27, 6);
  expect(budgetLines(budget)).toEqual([
    'cpu budget of the measured run, per delivered event (user + kernel):',
    '  engine            0.280 ms (kernel 0.040)',
    '  nats-server       0.180 ms (kernel 0.080)',
    '  load generator    0.040 ms (kernel 0.025)',
    '  fake ERP          0.050 ms (kernel 0.030)',
    '  sum               0.550 ms -> 2 cores allow 3,636 events/s (2000 / sum)',
    '  pinned: cpu0 (engine alone) allows 3,571 events/s, cpu1 (nats-server, load generator, fake ERP) 3,704',
    "  measured 1,904 events/s = 1.68x the issue's 1,130 (4x = 4,520 events/s needs a sum <= 0.442 ms on 2 cores)",
  ]);
  expect(budgetFigures(budget)).toEqual({
    loadgen_cpu_ms_per_event: 0.04,
    target_cpu_ms_per_event: 0.05,
    sum_cpu_ms_per_event: 0.55,
    cores: 2,
    cores_allow_per_s: 3636,
    baseline_ratio: 1.68,
  });
});

it('unpinned, it prints no per-cpu line; without nats-server it says the sum leaves it out', () => {
  const lines = budgetLines(cpuBudget({ ...cpu, nats: undefined }, 3_000, 2, false));
  expect(lines.some((l) => l.includes('pinned'))).toBe(false);
  expect(lines[2]).toBe('  nats-server         n/a ms (kernel n/a)');
  expect(lines[5]).toBe(
    '  sum               0.370 ms (nats-server unknown: left out) -> 2 cores allow 5,405 events/s (2000 / sum)',
  );
  expect(lines[6]).toBe(
    "  measured 3,000 events/s = 2.65x the issue's 1,130 (4x = 4,520 events/s needs a sum <= 0.442 ms on 2 cores)",
  );
});
