/**
 * What the shared conformance suite needs from each connector: how to start its emulator, a connection to it, one
 * call per operation with the exact request the emulator must receive and the exact result, and the calls the
 * vendor rejects (validation, not found, locked).
 */
import { expect } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { ConnectorError } from '../../engine/sdk/index.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import type { AuthSpec, CompiledConnection } from '../../engine/compiler/compiled-spec.js';
import type { ConnectionSecurity } from '../../engine/http/connection-client.js';

/** One call and what must happen. */
export interface ExpectedCall {
  operation: string;
  params?: Record<string, unknown>;
  body?: unknown;
  /** Prepares the emulator's state (runs after the reset that precedes every test). */
  before?(emulator: EmulatorServer): void | Promise<void>;
  /** The first request the emulator must have received for the call (query `{}` and body `undefined` when none). */
  request: { method: string; path: string; query?: Record<string, string>; body?: unknown };
  /** Requests the call makes (pages). @default 1 */
  requests?: number;
  /** The step result, compared with toEqual. */
  result?: unknown;
}

/** A call the vendor refuses, and the error it must become. */
export interface ExpectedFailure extends Omit<ExpectedCall, 'result'> {
  error: { code: string; status: number; vendorCode?: string; field?: string; message: string };
}

/** An OAuth2 client-credentials set-up of the connector's emulator. */
interface OAuthFixture {
  start(): Promise<EmulatorServer & { expireTokens(): void }>;
  auth: AuthSpec;
  env: Record<string, string>;
  tokenPath: string;
  /** The exact form the token endpoint must receive. */
  tokenForm: Record<string, string>;
}

/** One connector's conformance fixture. */
export interface ConnectorFixture {
  id: string;
  start(): Promise<EmulatorServer>;
  auth: AuthSpec;
  env: Record<string, string>;
  /** A wrong credential set, to check auth failures. */
  badEnv: Record<string, string>;
  /** Secret values that must never appear in errors, logs or recorded requests. */
  secrets: string[];
  options?: Record<string, unknown>;
  /** A cheap successful read used by the fault tests. */
  probe: ExpectedCall;
  /** At least one call per operation. */
  calls: ExpectedCall[];
  invalid: ExpectedFailure;
  notFound: ExpectedFailure;
  /** A change to a record the vendor reports as locked (permanent `record-locked`). */
  locked?: ExpectedFailure;
  oauth?: OAuthFixture;
}

/** The registry under test. */
export const registry = createConnectorRegistry();

/** A compiled connection to an emulator on loopback. */
export function connectionTo(
  fixture: Pick<ConnectorFixture, 'id' | 'auth' | 'options'>,
  url: string,
  extra: Partial<CompiledConnection> = {},
): CompiledConnection {
  return {
    name: fixture.id,
    type: fixture.id,
    baseUrl: url,
    auth: fixture.auth,
    timeoutMs: 2000,
    commitWindowMs: 0,
    options: fixture.options ?? {},
    file: 'test',
    ...extra,
  };
}

/** What an operator allows for an emulator on loopback: its host, and nothing else private. */
export function emulatorSecurity(url: string): ConnectionSecurity {
  return { outbound: { allowPrivateNetwork: false, allowedHosts: [new URL(url).host] } };
}

/** `YYYY-MM-DD HH:MM:SS`, as Magento stamps records. */
export const MAGENTO_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** The ConnectorError a call fails with (with the request as sent); fails the test when the call succeeds. */
export async function failure(
  promise: Promise<unknown>,
): Promise<ConnectorError & { request?: { body?: unknown; url: string } }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error('expected the call to fail');
}

/** The parts of a rejection a vendor-rules test compares: the error's code, consequence and the vendor's answer. */
export async function rejection(call: Promise<unknown>) {
  const e = await failure(call);
  return {
    code: e.code,
    disposition: e.disposition,
    status: e.status,
    vendorCode: e.vendorCode,
    field: e.field,
    message: e.message,
  };
}
