/**
 * A dead letter as a role may see it. Operators see the entry with secret-looking fields and the integration's
 * `redact` paths masked (in the event and the request body, and their values wherever the error message or the
 * response quote them); viewers see its shape and the error, with every value of the event, the request body and the
 * response masked. The stored entry keeps the exact event, because replay needs it.
 */
import { FieldRedaction, setOwn } from '../../http/redact.js';
import type { FieldPath } from '../../http/redact.js';
import { redactedView } from '../stores/dead-letter-store.js';
import type { DeadLetter } from '../stores/dead-letter-store.js';
import type { Role } from './principal.js';

export const MASKED = '[masked]';

export function deadLetterView(entry: DeadLetter, role: Role, paths: readonly FieldPath[] = []): DeadLetter {
  const r = new FieldRedaction(paths, [entry.event, entry.request?.body]);
  const redacted = redactedView(entry);
  const shown: DeadLetter = {
    ...redacted,
    event: r.document(redacted.event),
    request: redacted.request && {
      ...redacted.request,
      path: r.text(redacted.request.path),
      body: r.document(redacted.request.body),
    },
    error: { ...redacted.error, message: r.text(redacted.error.message) },
    ...(redacted.responseExcerpt === undefined ? {} : { responseExcerpt: r.text(redacted.responseExcerpt) }),
  };
  if (role === 'operator') return shown;
  return {
    ...shown,
    event: maskValues(shown.event),
    request: shown.request && { ...shown.request, body: maskValues(shown.request.body) },
    ...(shown.responseExcerpt === undefined ? {} : { responseExcerpt: MASKED }),
  };
}

/**
 * The same structure, keys in the same order, with every scalar replaced (iteratively: an event may be nested
 * thousands deep).
 */
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
      // Each key made here, in the event's order (the stack fills them last first), `__proto__` as an own key.
      for (const [k, v] of Object.entries(from)) {
        setOwn(out, k, undefined);
        stack.push([v, out, k]);
      }
      copy = out;
    } else if (from === null) copy = null;
    (parent as Record<string | number, unknown>)[slot] = copy;
  }
  return root.v;
}
