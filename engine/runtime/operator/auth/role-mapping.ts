/**
 * Which role a signed-in person gets, from their ID-token claims. Rules are plain strings, checked for `operator`
 * first, then `viewer`; a person matching none is refused (and the refusal audited):
 *   alice@example.com   that e-mail address (only when the IdP says it is verified)
 *   @example.com        any verified address of that domain
 *   groups=ops          a claim equal to the value, or an array claim containing it
 *   *                   anyone the IdP signs in
 */
import type { Role } from '../principal.js';

export interface RoleRules {
  operators: readonly string[];
  viewers: readonly string[];
}

export function roleFor(claims: Record<string, unknown>, rules: RoleRules): Role | undefined {
  if (rules.operators.some((rule) => matches(rule, claims))) return 'operator';
  if (rules.viewers.some((rule) => matches(rule, claims))) return 'viewer';
  return undefined;
}

function matches(rule: string, claims: Record<string, unknown>): boolean {
  const r = rule.trim();
  if (r === '*') return true;
  const eq = r.indexOf('=');
  if (eq > 0) {
    const value = claims[r.slice(0, eq)];
    const wanted = r.slice(eq + 1);
    return Array.isArray(value) ? value.map(String).includes(wanted) : String(value) === wanted;
  }
  const email = typeof claims.email === 'string' && claims.email_verified !== false ? claims.email.toLowerCase() : '';
  if (!email) return false;
  return r.startsWith('@') ? email.endsWith(r.toLowerCase()) : email === r.toLowerCase();
}
