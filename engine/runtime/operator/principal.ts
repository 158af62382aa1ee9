/**
 * Who a request to the operator surface acts as, and what their role lets them do. Two roles: `viewer` reads
 * status, metrics, the audit trail and dead letters with their event content masked; `operator` also sees content
 * (minus the integration's `redact` paths) and acts: replay, discard, resolve, purge, pause.
 */
import type { AuditActor } from '../stores/audit-log.js';

export type Role = 'viewer' | 'operator';
export const ROLES: readonly Role[] = ['viewer', 'operator'];

export interface Principal {
  actor: AuditActor;
  role: Role;
  /**
   * How the request proved who it is. A bearer token cannot be sent by a web page on its own, so only `session`
   * and `loopback` (no sign-in) requests need cross-origin protection.
   */
  via: 'bearer' | 'session' | 'loopback';
}

/** The principal of an unauthenticated operator listener on loopback (or one started with `insecure`). */
export const ANONYMOUS_OPERATOR: Principal = {
  actor: { kind: 'user', id: 'anonymous' },
  role: 'operator',
  via: 'loopback',
};

/**
 * An actor in one line, `kind:id` (`cli:root@vm`, `token:ci-bot`), wherever one is recorded or shown: who paused,
 * who gave up or resolved, who created a token. The kind keeps a CLI user and a token of the same name apart.
 */
export function actorLabel(actor: { kind: string; id: string }): string {
  return `${actor.kind}:${actor.id}`;
}
