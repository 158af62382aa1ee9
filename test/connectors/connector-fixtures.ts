/**
 * What the shared conformance suite needs from each connector: how to start its emulator, a connection to it, one
 * call per operation family with the exact request the emulator must receive, and one call the vendor rejects.
 */
import { createConnectorRegistry } from '../../connectors/index.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import type { AuthSpec, CompiledConnection } from '../../engine/spec/compiled-spec.js';

export interface ExpectedCall {
  operation: string;
  params?: Record<string, unknown>;
  body?: unknown;
  /** What the emulator must have received. */
  request: { method: string; path: string; query?: Record<string, string>; body?: unknown };
  /** What the step would read as its result (subset). */
  result?: unknown;
}

export interface ConnectorFixture {
  id: string;
  start(): Promise<EmulatorServer>;
  auth: AuthSpec;
  env: Record<string, string>;
  /** A secret value that must never appear in errors or recorded headers. */
  secret: string;
  options?: Record<string, unknown>;
  calls: ExpectedCall[];
  /** A call the vendor rejects as invalid: permanent, with the vendor's code. */
  invalid: ExpectedCall & { code: string; vendorCode?: string; message: string };
  /** A cheap successful call used by the fault tests. */
  probe: ExpectedCall;
  /** A wrong credential set, to check auth failures. */
  badEnv: Record<string, string>;
}

export const registry = createConnectorRegistry();

export function connectionTo(fixture: ConnectorFixture, url: string, extra: Partial<CompiledConnection> = {}): CompiledConnection {
  return { name: fixture.id, type: fixture.id, baseUrl: url, auth: fixture.auth, timeoutMs: 2000, options: fixture.options ?? {}, allowPrivateNetwork: true, file: 'test', ...extra };
}
