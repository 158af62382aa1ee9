/**
 * The contract of executing one event through a compiled integration. The dry run and the runtime call the same
 * executor; they differ only in the StepInvoker's innermost transport and in where the state lives.
 */
import type { InboundResponse } from '../sdk/connector.js';
import type { CompiledStep } from '../compiler/compiled-spec.js';

/** A request as the plan shows it and the target receives it. */
export interface PlannedRequest {
  step: string;
  /** Element index for `for_each` steps. */
  index?: number;
  connection: string;
  operation: string;
  method: string;
  /** Path and query string, relative to the connection's base URL. */
  path: string;
  body?: unknown;
}

interface StepCallResult {
  request: PlannedRequest;
  response: InboundResponse;
  result: unknown;
}

export interface StepCallContext {
  integration: string;
  stepId: string;
  index?: number;
  /** Stable per event, step and element: the same on every retry. */
  idempotencyKey: string;
  /**
   * Asked right before the request goes out (after the connection's gate and rate limit); throws to withdraw the call
   * unsent. An invoker that sends must ask it: a leased call's holder learns here that its call goes out.
   */
  beforeSend?: () => Promise<void>;
  /** Each page's result in turn, read no further on false; the call's result is then undefined (CallContext). */
  onPage?: (result: unknown) => Promise<boolean>;
  /** Take the pages read at the page limit instead of failing (`page-limit`): listings that continue (CallContext). */
  partial?: boolean;
}

/** Calls one connector operation. Throws ConnectorError (with `request`/`response` attached when known). */
export type StepInvoker = (
  step: CompiledStep,
  call: { params: Record<string, unknown>; body: unknown },
  context: StepCallContext,
) => Promise<StepCallResult>;

/**
 * State the executor reads and writes. Reads used inside JSONata (`$xref`) are synchronous: runtimes keep a replica.
 */
export interface ExecutionState {
  xref: {
    get(map: string, sourceId: string): string | undefined;
    set(map: string, sourceId: string, targetId: string): Promise<void>;
  };
  /**
   * Hash of the last body written to a target record (`<connection>/<object>/<id>`): identical writes are skipped.
   * Without it (no echo-suppression state) every write is sent, and the body is not hashed.
   */
  lastWritten?: {
    get(recordKey: string): Promise<string | undefined>;
    set(recordKey: string, hash: string): Promise<void>;
  };
  /**
   * What is known of the records of the sources of integrations with a reverse partner, by `<connection>/<key>`:
   * their fields as last read (field -> hash of the value) with our own writes to them since, and whether one of our
   * integrations ever wrote to the record (only then can its change events be echoes). Kept with `lastWritten`.
   */
  sourceState?: {
    get(recordKey: string): Promise<SeenRecord | undefined>;
    set(recordKey: string, seen: SeenRecord): Promise<void>;
  };
  /**
   * Which integration created a record (`<connection>/<object>/<id>`), for owners of only the records they create
   * (`owns: records: created`): their writes to any other record are refused.
   */
  createdBy?: {
    get(recordKey: string): Promise<string | undefined>;
    set(recordKey: string, integration: string): Promise<void>;
  };
  /**
   * Step calls of this event: completed ones, so a retry resumes after them instead of writing twice, and calls sent
   * without a known outcome (marked before a call whose step has a `find`), so a retry looks them up first.
   */
  checkpoint?: {
    get(callKey: string): Promise<CallCheckpoint | undefined>;
    set(callKey: string, value: CallCheckpoint): Promise<void>;
    /** Forgets a sent marker: the call got a definite answer, so it did not happen. */
    clear(callKey: string): Promise<void>;
    /**
     * Marks the call as sent by this attempt (instead of `set` with a sent marker), unless another attempt of the
     * event that is still running marked it: then it throws a retryable error and this attempt neither looks the
     * record up nor sends the call. The runtime's marker is a lease across processes (call-leases.ts).
     */
    claim?(callKey: string): Promise<void>;
    /**
     * Asked right before a claimed call goes out, after its connection's concurrency gate and rate limit: false when
     * this attempt no longer holds the call long enough for it to end (the lease may run out, and another process
     * send it too). The call is then withdrawn unsent.
     */
    holds?(callKey: string): Promise<boolean>;
  };
}

/** A source record as last known (`ExecutionState.sourceState`). */
export interface SeenRecord {
  /** Field -> hash of its value (stableHash). */
  fields: Readonly<Record<string, string>>;
  /** Set once one of our integrations wrote to the record. */
  written?: true;
}

/** A completed call: its result (later steps read it) and its request. */
export interface CompletedCall {
  result: unknown;
  request: PlannedRequest;
}

/** A call that was sent and whose outcome is not known (yet): the target may have applied it. */
interface SentCall {
  sent: true;
}

export type CallCheckpoint = CompletedCall | SentCall;

/** True for a sent marker, false for a completed call. */
export function isSentCall(checkpoint: CallCheckpoint): checkpoint is SentCall {
  return (checkpoint as SentCall).sent === true;
}

type Outcome = 'delivered' | 'skipped' | 'echo_suppressed' | 'failed';
export type FailureAction = 'retry' | 'dead_letter' | 'skip';

export interface ExecutionFailure {
  step?: string;
  index?: number;
  /** Junction error code: a connector code (`record-locked`, `rate-limited`...) or `transform-error`. */
  code: string;
  message: string;
  action: FailureAction;
  status?: number;
  vendorCode?: string;
  retryAfterMs?: number;
  request?: PlannedRequest;
  responseExcerpt?: string;
  /** For `dependency-missing`: the required cross-reference the event waits for. */
  dependency?: { map: string; key: string; fetch: boolean };
}

export interface ExecutionResult {
  outcome: Outcome;
  /** Requests sent (dry run: that would be sent), in order; skipped-as-unchanged writes are not included. */
  requests: PlannedRequest[];
  /** Step results by step id (lists for for_each steps). */
  steps: Record<string, unknown>;
  /** Writes skipped because the body equals the last one written to that record. */
  unchanged: string[];
  failure?: ExecutionFailure;
  skippedReason?: string;
  /** Failed calls an `on_error` rule counted as done (`continue`). */
  continued?: { step: string; index?: number; code: string }[];
  /** Calls whose record a step's `find` found, so they were not sent (again). */
  found?: { step: string; index?: number }[];
  /** Entries a restart left behind and a step's `abandon` dropped; `code` when that failed and the entry stays open. */
  abandoned?: { step: string; code?: string }[];
  /**
   * Writes whose event was stale: the source record had changed since in what the step writes, so the step sent
   * what the source holds now, or nothing when that was an echo (echo-check.ts).
   */
  superseded?: { step: string; index?: number }[];
  /** Fields a step body produced that the ownership filter dropped (not sent), per call. */
  withheld?: { step: string; index?: number; fields: string[] }[];
}
