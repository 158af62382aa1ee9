/**
 * A source's health in the control bucket (a real nats-server): each failed round is one write with the error
 * (secrets masked) and the count in a row; a new leadership term (a failover) carries the count on; a success resets
 * it with one write, and further successes within SUCCESS_REFRESH_MS write nothing (not per record or batch).
 */
import { Kvm } from '@nats-io/kv';
import { afterEach, expect, it } from 'vitest';
import { createRuntimeMetrics } from '../../engine/runtime/observe/runtime-metrics.js';
import { SourceRounds, readSourceHealth, sourceHealthKey } from '../../engine/runtime/sources/source-health.js';
import { natsTestBed } from '../helpers/nats-server.js';
import { testLogger } from './helpers/runtime-harness.js';

const bed = natsTestBed();
afterEach(() => bed.dispose());

it('counts failed rounds across leaders, masks secrets, and writes a success only when it ends a run of failures', async () => {
  await bed.start();
  const control = await new Kvm(await bed.connect()).create('control_test', { history: 1 });
  const metrics = createRuntimeMetrics(async () => new Map());
  const deps = { control, metrics, log: testLogger(), secrets: ['sk-vendor-4242'] };
  const revision = async () => (await control.get(sourceHealthKey('changes')))?.revision ?? 0;

  const first = new SourceRounds(deps, 'changes', 'stream');
  await first.failed(new Error('subscription refused: key sk-vendor-4242 revoked'));
  await first.failed(new Error('subscription refused: key sk-vendor-4242 revoked'));
  // The next leader (a failover) goes on counting from what the first stored.
  const second = new SourceRounds(deps, 'changes', 'stream');
  await second.failed(new Error('UNAVAILABLE: no connection established'));
  expect(await readSourceHealth(control, 'changes')).toEqual({
    failedRounds: 3,
    lastFailure: { at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), message: 'UNAVAILABLE: no connection established' },
  });
  const other = new SourceRounds(deps, 'other', 'schedule');
  await other.failed(new Error('Authorization: Bearer abc.def-ghi refused for sk-vendor-4242'));
  expect((await readSourceHealth(control, 'other'))!.lastFailure!.message).toBe(
    'Authorization: Bearer [redacted] refused for [redacted]',
  );
  const failures = (await metrics.sourceFailures.get()).values.map((v) => [v.labels, v.value]);
  expect(failures).toEqual([
    [{ integration: 'changes', source: 'stream' }, 3],
    [{ integration: 'other', source: 'schedule' }, 1],
  ]);

  await second.succeeded();
  const health = await readSourceHealth(control, 'changes');
  expect(health).toEqual({
    failedRounds: 0,
    lastSuccessAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    lastFailure: { at: expect.any(String), message: 'UNAVAILABLE: no connection established' },
  });
  const written = await revision();
  for (let i = 0; i < 5; i++) await second.succeeded();
  expect(await revision()).toBe(written);
  expect((await metrics.sourceFailedRounds.get()).values.find((v) => v.labels.integration === 'changes')?.value).toBe(
    0,
  );
  // Once this process no longer leads the source, its gauges are the next leader's to report.
  second.end();
  const gauges = [
    ...(await metrics.sourceFailedRounds.get()).values,
    ...(await metrics.sourceLastSuccess.get()).values,
  ];
  expect(gauges.map((v) => v.labels.integration)).toEqual(['other']);
});
