/**
 * Records of one poll, cut into batches that are published at once, in the order listed, no batch holding two
 * records of one key: a later change of a key waits for the batch that stores its earlier one. Published together,
 * the later one could be stored first (nats.js retries a publish that timed out, after a backoff), and the target
 * would be left with the older version: order per key is what a partition keeps, not what it makes.
 */
export function* keyOrderedBatches<T>(items: Iterable<T>, keyOf: (item: T) => string, size: number): Generator<T[]> {
  let batch: T[] = [];
  let keys = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (batch.length === size || keys.has(key)) {
      yield batch;
      batch = [];
      keys = new Set();
    }
    batch.push(item);
    keys.add(key);
  }
  if (batch.length > 0) yield batch;
}
