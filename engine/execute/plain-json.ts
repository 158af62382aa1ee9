/** Values as targets receive and checkpoints store them: plain JSON, and lists. */

/** JSONata sequences are arrays with extra flags; targets receive plain JSON. */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** A value as a list: nothing is empty, a list stays a list, anything else is one element. */
export function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}
