/**
 * GitOps commit-to-active latency: two engine processes follow a real Git repository on one nats-server. For 20
 * commits each, the time from the end of `git push` until every process runs the new commit — once triggered by a
 * signed push webhook, once by polling (1 s interval, commits at a random phase of it). The path: fetch, compile
 * lease, fetch again under the lease, compile, publish to KV, and on every process: watch, compile, applySpecSet.
 * Targets: under 1 s by webhook, under the poll interval + 1 s by polling.
 */
import { createHmac } from 'node:crypto';
import { WEBHOOK_SECRET, ordersSpec, startGitopsWorld, targetConnection } from '../gitops/gitops-harness.js';
import type { GitopsWorld, Process } from '../gitops/gitops-harness.js';

const COMMITS = 20;
const POLL_MS = 1000;

async function measure(world: GitopsWorld, processes: Process[], trigger: 'webhook' | 'poll'): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < COMMITS; i++) {
    // Land commits at a random phase of the poll timer; otherwise each commit follows the poll that applied the
    // previous one and always waits a whole interval.
    if (trigger === 'poll') await new Promise((r) => setTimeout(r, Math.random() * POLL_MS));
    const sha = await world.commit(
      { 'orders.yaml': ordersSpec(`{ "key": $string(id), "status": status, "rev": "${trigger}-${i}" }`) },
      `${trigger} ${i}`,
    );
    const start = performance.now(); // the push has returned: the commit is merged
    if (trigger === 'webhook') {
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const signature = 'sha256=' + createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex');
      await fetch(`${processes[i % processes.length].engine.url}/hooks/git`, {
        method: 'POST',
        headers: { 'x-hub-signature-256': signature },
        body,
      });
    }
    while (!processes.every((p) => p.engine.specSet.commit === sha)) await new Promise((r) => setTimeout(r, 5));
    latencies.push(performance.now() - start);
  }
  return latencies.sort((a, b) => a - b);
}

const summary = (values: number[]) => ({
  p50_ms: Math.round(values[Math.floor(values.length / 2)]),
  max_ms: Math.round(values[values.length - 1]),
});

async function main(): Promise<void> {
  const results: Record<string, { p50_ms: number; max_ms: number }> = {};
  for (const trigger of ['webhook', 'poll'] as const) {
    const world = await startGitopsWorld();
    try {
      await world.commit(
        {
          'target.yaml': targetConnection(world.target.url),
          'orders.yaml': ordersSpec('{ "key": $string(id), "status": status }'),
        },
        'initial',
      );
      const pollMs = trigger === 'poll' ? POLL_MS : 3_600_000;
      const processes = [await world.startProcess({ pollMs }), await world.startProcess({ pollMs })];
      while (!processes.every((p) => p.engine.specSet.commit !== 'none')) await new Promise((r) => setTimeout(r, 20));
      results[trigger] = summary(await measure(world, processes, trigger));
      console.log(
        `commit -> active on 2 processes by ${trigger}${trigger === 'poll' ? ` (every ${POLL_MS} ms)` : ''}: p50 ${results[trigger].p50_ms} ms, max ${results[trigger].max_ms} ms over ${COMMITS} commits`,
      );
    } finally {
      await world.dispose();
    }
  }
  console.log(
    `targets: webhook < 1000 ms ${results.webhook.max_ms < 1000 ? 'met' : 'MISSED'}; polling < ${POLL_MS + 1000} ms ${results.poll.max_ms < POLL_MS + 1000 ? 'met' : 'MISSED'}`,
  );
  console.log(
    JSON.stringify({
      webhook_p50_ms: results.webhook.p50_ms,
      webhook_max_ms: results.webhook.max_ms,
      poll_interval_ms: POLL_MS,
      poll_p50_ms: results.poll.p50_ms,
      poll_max_ms: results.poll.max_ms,
    }),
  );
}

await main();
