/**
 * The compiled spec set: the only form of a spec that the planner and the runtime ever see (STYLE.md rule 4).
 * Everything here is resolved and checked at load time, and frozen.
 */
import type { Notifier } from './generated/spec-types.js';
import type { OperationKind } from '../sdk/connector.js';
import type { CompiledExpression } from '../transform/transform-engine.js';
import type { SchemaOverlays } from './schema-overlays.js';
import type { FieldPath } from '../http/redact.js';

/** A value that may hold `${env:NAME}` references, resolved only when used. */
type SecretValue = string;

export type AuthSpec =
  | { type: 'none' }
  | { type: 'bearer'; token: SecretValue }
  | { type: 'basic'; username: SecretValue; password: SecretValue }
  | { type: 'magento_token'; token: SecretValue }
  | {
      type: 'oauth2_client_credentials';
      tokenUrl: string;
      clientId: SecretValue;
      clientSecret: SecretValue;
      scope?: string;
    }
  | { type: 'magento_admin_token'; username: SecretValue; password: SecretValue; tokenUrl: string }
  | {
      type: 'oauth1';
      consumerKey: SecretValue;
      consumerSecret: SecretValue;
      accessToken: SecretValue;
      accessTokenSecret: SecretValue;
      signatureMethod: 'HMAC-SHA256' | 'HMAC-SHA1';
    }
  | {
      /** Resource-owner password grant (ION API service accounts: username saak, password sask). */
      type: 'oauth2_password';
      tokenUrl: string;
      clientId: SecretValue;
      clientSecret: SecretValue;
      username: SecretValue;
      password: SecretValue;
      scope?: string;
    };

export interface CompiledConnection {
  name: string;
  /** Connector id (`salesforce`, `magento`, `infor_m3`, `http`). */
  type: string;
  /** Base URL; may reference the environment (`${env:M3_URL}`). */
  baseUrl: SecretValue;
  auth: AuthSpec;
  rateLimit?: { requestsPerSecond: number; burst: number };
  /** Requests at once from this process, across integrations (`max_concurrency`); unset: no limit. */
  maxConcurrency?: number;
  timeoutMs: number;
  /** How long the system may still commit a request after its client gave up (`commit_window`); 0: not waited for. */
  commitWindowMs: number;
  /** Connector-specific options, validated against the connector's `options` schema. */
  options: Record<string, unknown>;
  file: string;
}

export interface CompiledLookup {
  name: string;
  entries: ReadonlyMap<string, unknown>;
  /** Returned when the key is absent; undefined means "no value". */
  defaultValue?: unknown;
  file: string;
  /** Values asked of a system at run time (`entries` is then empty). */
  resolve?: CompiledResolve;
}

/** A lookup resolved through a connection: one read or query per key, cached for `ttlMs`. */
export interface CompiledResolve {
  connection: string;
  operation: string;
  kind?: OperationKind;
  params: Readonly<Record<string, unknown>>;
  /** The operation's input, with `$key` bound. */
  body?: CompiledExpression;
  /** Over the result: the matching records (defaults to the result). */
  records?: CompiledExpression;
  /** Over the one match: the value. */
  value: CompiledExpression;
  ttlMs: number;
}

export interface WebhookVerification {
  /** HMAC-SHA256 over the raw body. */
  header: string;
  secret: SecretValue;
  encoding: 'hex' | 'base64';
  /** Text before the digest in the header, e.g. `sha256=`. */
  prefix: string;
  /** Replay protection: the sender signs `<timestamp>.<body>` and requests outside the window are refused. */
  timestamp?: { header: string; toleranceMs: number };
}

/** Adobe's public-key signature schemes (verified in engine/runtime/ingest/adobe-signatures.ts). */
export type AdobeVerification =
  | { scheme: 'io_events'; clientId: SecretValue; keyBaseUrl: string }
  | { scheme: 'commerce_webhook'; publicKey: SecretValue };

export type CompiledSource =
  /** Neither `verify` nor `adobe` only when the spec says `verify: none`. */
  | { kind: 'webhook'; verify?: WebhookVerification; adobe?: AdobeVerification; maxBodyBytes: number }
  | {
      kind: 'schedule';
      connection: string;
      operation: string;
      params: Record<string, unknown>;
      everyMs: number;
      /** JSONata over each polled record giving its cursor value; the greatest one is stored after the events are. */
      cursor: CompiledExpression;
      /** JSONata over the poll response giving the list of records. */
      records?: CompiledExpression;
      /** JSONata giving the operation's record, with `$cursor` bound to the cursor the poll asks from. */
      body?: CompiledExpression;
      /** How far before the stored cursor each poll re-reads (timestamp cursors). */
      overlapMs: number;
      initialCursor?: string;
      /** The whole bounded set is listed each poll; `cursor` is each record's identity (see snapshotPosition). */
      snapshot: boolean;
      /**
       * The operation lists its pages in ascending order of `cursor` (its `paginate.orderedBy` is the cursor field):
       * the position is stored after each page, so a round can stop part-way and the next goes on from there.
       */
      pagesInCursorOrder: boolean;
      /** The params the stored position belongs to (the operation's `positionParams`); undefined: all of them. */
      positionParams?: string[];
    }
  | {
      kind: 'stream';
      connection: string;
      /** The connector's stream (`change_events`). */
      stream: string;
      params: Record<string, unknown>;
      /** Where to begin while no position is stored. */
      start: 'earliest' | 'latest';
      batchSize: number;
      /** The params the stored position belongs to (the connector's `positionParams`); undefined: all of them. */
      positionParams?: string[];
    }
  | { kind: 'nats'; subject: string };

interface CompiledXrefWrite {
  /** The xref map, e.g. `customer`. */
  map: string;
  /** Expression over the step's context giving the source-side id. */
  sourceId: CompiledExpression;
  /** Expression giving the target-side id; `$result` is the step result. */
  targetId: CompiledExpression;
  /** How `junction xref match` links records that already exist on both sides. */
  match?: CompiledXrefMatch;
}

/** `xref.match`: link existing records by a natural key (e-mail, SKU, customer number). */
export interface CompiledXrefMatch {
  /** Over a source record (from `read.list`): its natural key. */
  sourceKey: CompiledExpression;
  /** Lists the target's existing records, as `read.list` lists the source's. */
  target: CompiledReadList;
  /** Over a target record: its natural key. */
  targetKey: CompiledExpression;
  /** Over a target record: the id the cross-reference stores. */
  targetId: CompiledExpression;
}

/** A step's `abandon`: the call that drops the batch entry this step opened, when a restart leaves it behind. */
export interface CompiledAbandon {
  operation: string;
  kind?: OperationKind;
  params: Readonly<Record<string, unknown>>;
  /** Over this step's result in the abandoned attempt: the operation's input. */
  body?: CompiledExpression;
}

/** A step's `find`: how to look up the record a create would make, by its business reference. */
export interface CompiledFind {
  /** `uncertain`: only after an attempt whose outcome is unknown; `always`: before every call. */
  when: 'uncertain' | 'always';
  /** A read or query operation of the step's connection. */
  operation: string;
  kind?: OperationKind;
  params: Readonly<Record<string, unknown>>;
  /** The find operation's input; `$body` is the record the step would send. */
  body?: CompiledExpression;
  /** Over the find result: the matching record (nothing = not found, several = ambiguous). */
  match?: CompiledExpression;
  /** Over the found record: the step's result. */
  result?: CompiledExpression;
}

/** A cross-reference that must exist before an integration or step runs (`requires`). */
export interface CompiledRequirement {
  map: string;
  /** Gives the source id to look up; nothing (undefined, null, '') means the requirement does not apply. */
  key: CompiledExpression;
  /** Ask the map's writer to fetch the record from its source on the first wait. */
  fetch: boolean;
}

/** How Junction lists existing source records itself (`read.list`): backfill, xref match, reconcile. */
export interface CompiledReadList {
  connection: string;
  operation: string;
  /** Static params; `$cursor` in a string value is replaced by the cursor. */
  params: Readonly<Record<string, unknown>>;
  /** Gives the operation's record, with `$cursor` bound. */
  body?: CompiledExpression;
  records?: CompiledExpression;
  cursor: CompiledExpression;
  initialCursor?: string;
  /** The operation lists its pages in ascending order of `cursor`: a listing is read and handed over page by page. */
  pagesInCursorOrder: boolean;
}

/** How Junction reads one source record by its key (`read.get`): dependency fetch, reconcile. */
export interface CompiledReadGet {
  connection: string;
  operation: string;
  params: Readonly<Record<string, unknown>>;
  /** Gives the operation's record, with `$key` bound. */
  body?: CompiledExpression;
  /** Gives the record (the event) from the result. */
  record?: CompiledExpression;
}

export interface CompiledStep {
  id: string;
  connection: string;
  operation: string;
  /** What the operation does (create, update, upsert...), from the connector's declaration. */
  kind?: OperationKind;
  /** Static params for the operation (sobject, external_id_field...). */
  params: Readonly<Record<string, unknown>>;
  when?: CompiledExpression;
  forEach?: CompiledExpression;
  body?: CompiledExpression;
  /** The object written, resolved from the operation declaration and params; `owns` is checked against it. */
  object?: string;
  /** Fields allowed through the ownership filter for this step: undefined means the step is not a write. */
  ownedFields?: readonly string[];
  /** The integration owns only the records of this object it creates itself (`records: created`). */
  ownsCreatedOnly?: boolean;
  /** Identity fields that always pass the ownership filter. */
  identityFields: readonly string[];
  saveXref?: CompiledXrefWrite;
  /** Looks the record up before the create is sent (again), so it is never created twice. */
  find?: CompiledFind;
  /** Cross-references this step needs first (per element of a `for_each`). */
  requires?: readonly CompiledRequirement[];
  /** After an unknown outcome, the retry starts again from this step (an earlier one, or itself). */
  restartFrom?: string;
  /** What drops the entry this step opened when a later step restarts from it. */
  abandon?: CompiledAbandon;
  /** Earlier steps this step reads via `$steps.<id>`. */
  reads: readonly string[];
}

export interface RetryPolicy {
  maxAttempts: number;
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** How long an event may wait for a required cross-reference. @default 1 hour */
  dependencyDeadlineMs?: number;
  /** How long an event may be throttled (429, a vendor's rate-limit error) before it is dead-lettered. @default 24 h */
  throttleDeadlineMs?: number;
}

/** `continue` applies to a failed call (counted as done, no result); the others to the event. */
export type ErrorAction = 'retry' | 'dead_letter' | 'skip' | 'continue';

interface CompiledErrorRule {
  /** JSONata over `{code, status, vendor_code, message, step, sent_before}`. */
  match: CompiledExpression;
  action: ErrorAction;
  /** The match names `sent_before`: the calls it can apply to leave a sent mark, so a repeat can be told apart. */
  readsSentBefore: boolean;
}

export interface OwnedFields {
  connection: string;
  object: string;
  fields: readonly string[];
  /** `created`: only the records this integration creates itself. */
  records: 'all' | 'created';
}

export interface CompiledIntegration {
  name: string;
  description?: string;
  source: CompiledSource;
  key: CompiledExpression;
  /** Expression giving the event's unique id, used as `Nats-Msg-Id` and in the ledger. */
  dedupId?: CompiledExpression;
  when?: CompiledExpression;
  /** Cross-references every event needs before any step (checked after `when`). */
  requires?: readonly CompiledRequirement[];
  steps: readonly CompiledStep[];
  owns: readonly OwnedFields[];
  retry: RetryPolicy;
  onError: readonly CompiledErrorRule[];
  /** Field paths whose values are masked wherever event data is shown (`redact`), split at the dots. */
  redact: readonly FieldPath[];
  /** Scheduled reconciliation in the engine. */
  reconcile?: { everyMs: number; sample: number; fix: boolean };
  /** How Junction reads the source's records itself (a schedule source is its own `list`). */
  read?: { list?: CompiledReadList; get?: CompiledReadGet };
  /** Content hash of the integration's source text: unchanged hash = undisturbed on hot swap. */
  hash: string;
  file: string;
  /**
   * Where each value of a stream source's params stands in the spec (`enrich_fields.2` -> `flow.yaml:20:32`), so a
   * run-time refusal of one (a field Salesforce does not have) names the line to fix.
   */
  sourceParamSites?: Readonly<Record<string, string>>;
}

export interface CompiledSpecSet {
  /** Git commit the set was compiled from, or `working-tree`. */
  commit: string;
  connections: ReadonlyMap<string, CompiledConnection>;
  lookups: ReadonlyMap<string, CompiledLookup>;
  integrations: ReadonlyMap<string, CompiledIntegration>;
  /** Pulled field metadata by connection and entity (`junction schema pull`), laid over the connectors' schemas. */
  overlays?: SchemaOverlays;
  /** Alert specs (absent in sets built by hand: no alerts). */
  alerts?: ReadonlyMap<string, CompiledAlert>;
}

/** What an Alert watches, with its durations in ms. */
export type AlertCondition =
  | { kind: 'dlq_growth'; moreThan: number; withinMs: number }
  | { kind: 'lag'; moreThan: number }
  | { kind: 'error_rate'; code?: string; moreThan: number; withinMs: number; minAttempts: number }
  | { kind: 'auth_failures'; moreThan: number; withinMs: number }
  | { kind: 'source_failing'; rounds: number }
  | { kind: 'source_stalled'; intervals: number; streamIntervalMs: number }
  | { kind: 'missed_changes' }
  | { kind: 'workers_behind' }
  | { kind: 'rejected_commits' };

export interface CompiledAlert {
  name: string;
  description?: string;
  severity: 'critical' | 'warning' | 'info';
  /** The integrations a per-integration condition watches; undefined: all of them. */
  integrations?: readonly string[];
  condition: AlertCondition;
  forMs: number;
  repeatMs: number;
  /** Receivers as written (secret references resolved only when a notification is sent). */
  notify: readonly Notifier[];
  file: string;
}
