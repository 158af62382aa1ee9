/** A KV compare-and-set lost to another writer (`create`/`update`/`delete` with an expected revision). */
export function casConflict(error: unknown): boolean {
  return /wrong last sequence|key exists/i.test(String((error as Error)?.message));
}
