/** Stores a reconcile report of `orders` with one differing record, as a reconcile round would (for API reads). */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { storeReconcileReport } from '../../engine/runtime/control/reconcile-reports.js';
import type { FieldDifference } from '../../engine/ops/reconcile/compare-record.js';

export async function storeDifferingReport(
  natsUrl: string,
  problem: { key: string; record: unknown; target: string; differences: FieldDifference[] },
  counts: { checked: number; match: number },
): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    await storeReconcileReport(await new Kvm(nc).open('junction_control'), {
      integration: 'orders',
      commit: 'abc1234',
      at: new Date().toISOString(),
      scope: 'all',
      listed: counts.checked,
      checked: counts.checked,
      counts: { match: counts.match, differs: 1, missing: 0, skipped: 0, error: 0 },
      problems: [
        {
          key: problem.key,
          outcome: 'differs',
          record: problem.record,
          steps: [{ step: 'write', target: problem.target, status: 'differs', differences: problem.differences }],
        },
      ],
    });
  } finally {
    await nc.close();
  }
}
