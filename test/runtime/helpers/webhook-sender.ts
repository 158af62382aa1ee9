/**
 * Steady webhook traffic for the fault cases that break something mid-run: posts `{id, seq: 1, status}` for each id,
 * a few at a time with a pause between posts, and behaves like a real webhook sender: anything but 202 (503 while
 * NATS is unreachable, a network error) is retried with the same body until it is accepted. `accepted` is the set
 * the oracle checks: every id in it must reach the target.
 */
export interface WebhookSender {
  /** Ids answered 202. */
  readonly accepted: Set<number>;
  /** Answers other than 202, by status (0 = no answer). */
  readonly refused: Map<number, number>;
  /** Resolves once every id was accepted. */
  readonly done: Promise<void>;
  /** Stops sending (what is not accepted yet stays unaccepted). */
  stop(): void;
}

export function startWebhookSender(
  url: () => string,
  ids: number[],
  options: { concurrency?: number; pauseMs?: number; retryPauseMs?: number } = {},
): WebhookSender {
  const accepted = new Set<number>();
  const refused = new Map<number, number>();
  const queue = [...ids];
  let stopped = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const post = async (id: number): Promise<number> => {
    try {
      const res = await fetch(url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, seq: 1, status: 'new' }),
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  };
  const done = Promise.all(
    Array.from({ length: options.concurrency ?? 2 }, async () => {
      for (let id = queue.shift(); id !== undefined && !stopped; id = queue.shift()) {
        for (;;) {
          const status = await post(id);
          if (status === 202) break;
          refused.set(status, (refused.get(status) ?? 0) + 1);
          if (stopped) return;
          await sleep(options.retryPauseMs ?? 100);
        }
        accepted.add(id);
        await sleep(options.pauseMs ?? 40);
      }
    }),
  ).then(() => undefined);
  return {
    accepted,
    refused,
    done,
    stop: () => {
      stopped = true;
    },
  };
}
