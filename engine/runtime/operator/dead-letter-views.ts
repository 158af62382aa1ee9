/**
 * A dead letter as a role may see it. Operators see the entry with secret-looking fields redacted; viewers see its
 * shape and the error, with every value of the event, the request body and the response masked. The stored entry
 * keeps the exact event, because replay needs it.
 */
import { redactedView } from '../stores/dead-letter-store.js';
import type { DeadLetter } from '../stores/dead-letter-store.js';
import type { Role } from './principal.js';

export const MASKED = '[masked]';

export function deadLetterView(entry: DeadLetter, role: Role): DeadLetter {
  const shown = redactedView(entry);
  if (role === 'operator') return shown;
  return {
    ...shown,
    event: maskValues(shown.event),
    request: shown.request && { ...shown.request, body: maskValues(shown.request.body) },
    ...(shown.responseExcerpt === undefined ? {} : { responseExcerpt: MASKED }),
  };
}

/** The same structure with every scalar replaced (iteratively: an event may be nested thousands deep). */
export function maskValues(value: unknown): unknown {
  if (value === undefined) return undefined;
  const root: { v: unknown } = { v: undefined };
  const stack: [unknown, Record<string, unknown> | unknown[], string | number][] = [[value, root as never, 'v']];
  while (stack.length > 0) {
    const [from, parent, slot] = stack.pop()!;
    let copy: unknown = MASKED;
    if (Array.isArray(from)) {
      const out: unknown[] = new Array(from.length);
      from.forEach((v, i) => stack.push([v, out, i]));
      copy = out;
    } else if (from !== null && typeof from === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(from)) stack.push([v, out, k]);
      copy = out;
    } else if (from === null) copy = null;
    (parent as Record<string | number, unknown>)[slot] = copy;
  }
  return root.v;
}
