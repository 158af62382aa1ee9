/* Generated from schemas/*.schema.json by `npm run gen:types`. Do not edit: change the schema and regenerate.
 * Types of validated specs: a property with a schema default is always present (validation fills it in). */
/**
 * One external system: its connector type, base URL, authentication, rate limit and timeouts.
 */
export interface Connection {
  /**
   * Schema hint for editors; ignored by Junction.
   */
  $schema?: string;
  /**
   * Version of the spec language. Always `junction/v1` for now.
   */
  apiVersion: 'junction/v1';
  /**
   * The spec kind.
   */
  kind: 'Connection';
  /**
   * Name that steps and sources use to refer to this connection.
   */
  name: string;
  /**
   * Free text for humans: what this is for and who owns it.
   */
  description?: string;
  /**
   * Connector id: which system this is.
   */
  type: string;
  /**
   * Base URL of the system's API: a literal https URL or an environment reference.
   */
  base_url: string;
  /**
   * How to authenticate. Every credential is an environment reference.
   */
  auth:
    | AuthNone
    | AuthBearer
    | AuthBasic
    | AuthMagentoToken
    | AuthMagentoAdminToken
    | AuthOauth2ClientCredentials
    | AuthOauth1
    | AuthOauth2Password;
  /**
   * Client-side rate limit (token bucket) for calls to this system.
   */
  rate_limit?: {
    /**
     * Sustained request rate.
     */
    requests_per_second: number;
    /**
     * Requests allowed at once above the sustained rate. Defaults to requests_per_second.
     */
    burst?: number;
  };
  /**
   * Requests to this system at once from one engine process, across all integrations; more wait their turn in order. Use it when a system takes only a few parallel requests (an ERP's API worker pool, a vendor's concurrent-request limit). Unset: no limit beyond each integration's partitions.
   */
  max_concurrency?: number;
  /**
   * Time limit of one request, including the response body.
   */
  timeout: string;
  /**
   * How long this system may still commit a request after Junction stopped waiting for its answer (a timeout, a connection lost after sending). Servers go on with a request whose client gave up, so a create can appear later. A retry's `find` then waits until this long after the unanswered call ended before it looks the record up, so it finds a late create instead of sending a second one. Only events whose call went unanswered wait (and later events of their key, in order). Set it to the longest time the system can take to finish a request.
   */
  commit_window: string;
  /**
   * Removed: a validation error. Private targets (emulators, on-premise systems) are allowed by the engine, never by a spec: junction run --allow-private-host <host:port> or --allow-private-network.
   */
  allow_private_network?: boolean;
  /**
   * Connector-specific settings, checked against the connector's own schema.
   */
  options?: {
    [k: string]: unknown;
  };
}
/**
 * No authentication.
 */
export interface AuthNone {
  /**
   * Authentication scheme.
   */
  type: 'none';
}
/**
 * A static bearer token in the Authorization header.
 */
export interface AuthBearer {
  /**
   * Authentication scheme.
   */
  type: 'bearer';
  /**
   * The token, as an environment reference.
   */
  token: string;
}
/**
 * HTTP basic authentication.
 */
export interface AuthBasic {
  /**
   * Authentication scheme.
   */
  type: 'basic';
  /**
   * User name, as an environment reference.
   */
  username: string;
  /**
   * Password, as an environment reference.
   */
  password: string;
}
/**
 * A Magento integration access token (sent as a bearer token).
 */
export interface AuthMagentoToken {
  /**
   * Authentication scheme.
   */
  type: 'magento_token';
  /**
   * The integration's access token, as an environment reference.
   */
  token: string;
}
/**
 * A Magento admin user's token from POST /V1/integration/admin/token (a JWT that expires, 60 minutes by default on 2.4.4+): fetched when needed, renewed before it expires and once on 401. Not available while Magento_TwoFactorAuth is enabled.
 */
export interface AuthMagentoAdminToken {
  /**
   * Authentication scheme.
   */
  type: 'magento_admin_token';
  /**
   * Admin user name, as an environment reference.
   */
  username: string;
  /**
   * Admin password, as an environment reference.
   */
  password: string;
  /**
   * Token endpoint, absolute or relative to base_url.
   */
  token_url: string;
}
/**
 * OAuth2 client credentials: the token is cached until it expires and refreshed once on 401.
 */
export interface AuthOauth2ClientCredentials {
  /**
   * Authentication scheme.
   */
  type: 'oauth2_client_credentials';
  /**
   * Token endpoint, absolute or relative to base_url.
   */
  token_url: string;
  /**
   * Client id, as an environment reference.
   */
  client_id: string;
  /**
   * Client secret, as an environment reference.
   */
  client_secret: string;
  /**
   * Scopes to request, space-separated.
   */
  scope?: string;
}
/**
 * OAuth 1.0a request signing (RFC 5849), as Magento integrations use it (2.4.4+ accepts HMAC-SHA256 only): every request carries an Authorization: OAuth header signed with the consumer and access token secrets over the method, URL and query parameters.
 */
export interface AuthOauth1 {
  /**
   * Authentication scheme.
   */
  type: 'oauth1';
  /**
   * Consumer key, as an environment reference.
   */
  consumer_key: string;
  /**
   * Consumer secret, as an environment reference.
   */
  consumer_secret: string;
  /**
   * Access token, as an environment reference.
   */
  access_token: string;
  /**
   * Access token secret, as an environment reference.
   */
  access_token_secret: string;
  /**
   * Signature method; Magento 2.4.4+ refuses HMAC-SHA1.
   */
  signature_method: 'HMAC-SHA256' | 'HMAC-SHA1';
}
/**
 * OAuth2 resource-owner password grant, as Infor's ION API gives a backend service with a service account: from the .ionapi file, token_url is pu + ot, client_id ci, client_secret cs, username saak and password sask. The token is cached until it expires and refreshed once on 401.
 */
export interface AuthOauth2Password {
  /**
   * Authentication scheme.
   */
  type: 'oauth2_password';
  /**
   * Token endpoint, absolute or relative to base_url, may reference the environment (ION API: the .ionapi file's pu followed by ot).
   */
  token_url: string;
  /**
   * Client id (ION API: ci), as an environment reference.
   */
  client_id: string;
  /**
   * Client secret (ION API: cs), as an environment reference.
   */
  client_secret: string;
  /**
   * Resource owner (ION API: the service account access key saak), as an environment reference.
   */
  username: string;
  /**
   * Resource owner's password (ION API: the service account secret key sask), as an environment reference.
   */
  password: string;
  /**
   * Scopes to request, space-separated.
   */
  scope?: string;
}

/**
 * The JSON Schema of one event, for `junction validate` to check the fields expressions read (`unknown-source-field`, an error): inline, or the path of a .json file relative to this spec. An object schema with `properties` is closed unless it sets `additionalProperties`. Without it, the fields are inferred from the events of the integration's test cases, and a field none of them carries is a warning.
 */
export type RecordSchema = {} | string;
/**
 * Cross-references every event needs before any step runs (checked after `when`). A missing one makes the event wait and retry, without using up its retry budget, until it appears or `retry.dependency_deadline` passes.
 *
 * @minItems 1
 */
export type Requirements = [Requirement, ...Requirement[]];
/**
 * Cross-references this step needs, checked before it runs (per element of a `for_each`). A missing one makes the event wait; steps that already ran are not repeated.
 *
 * @minItems 1
 */
export type Requirements1 = [Requirement, ...Requirement[]];

/**
 * One integration job: where events come from, how each is identified and filtered, and the ordered target operations it performs.
 */
export interface Integration {
  /**
   * Schema hint for editors; ignored by Junction.
   */
  $schema?: string;
  /**
   * Version of the spec language. Always `junction/v1` for now.
   */
  apiVersion: 'junction/v1';
  /**
   * The spec kind.
   */
  kind: 'Integration';
  /**
   * Unique integration name. Webhooks arrive at POST /hooks/<name>.
   */
  name: string;
  /**
   * Free text for humans: what this is for and who owns it.
   */
  description?: string;
  /**
   * Functions shared by every expression of this integration: name -> a JSONata function (`function($a, $b) { … }`), called as `$name(…)` in `key`, `when`, bodies, `for_each`, `find`, `xref`, `on_error` rules and every other expression of the spec. Each behaves as if written with `:=` at the start of the expression that calls it: it sees that expression's input (`$`, `$$`), the engine's functions ($lookup, $xref, …) and the other functions, and runs under that evaluation's guards. It reads Junction's values ($event, $steps, $index…) only as arguments. A name is letters, digits and underscores, and may not be one of a JSONata function, a Junction extension or a value Junction binds.
   */
  functions?: {
    /**
     * A JSONata function: `function($param, …) { body }`.
     */
    [k: string]: string;
  };
  source: Source;
  /**
   * JSONata giving the record's identity. Events with the same key are delivered in order; it also scopes dedup and cross-references.
   */
  key: string;
  /**
   * JSONata giving the event's unique id. A second event with the same id is dropped (broker dedup window, then the delivery ledger). Defaults to a hash of the event body.
   */
  dedup_id?: string;
  /**
   * JSONata filter: events for which it is not true are skipped (and recorded as skipped).
   */
  when?: string;
  requires?: Requirements;
  /**
   * Ordered target operations. Each step can read the results of earlier steps as $steps.<id>.
   *
   * @minItems 1
   */
  steps: [Step, ...Step[]];
  /**
   * The target fields this integration may write. Writes to an owned object send only these fields (plus the record's identity), so fields that other systems own are never overwritten.
   */
  owns?: Ownership[];
  retry: Retry;
  /**
   * Error policy, checked in order before the default classification (retryable errors retry, permanent ones go to the dead-letter queue).
   */
  on_error?: ErrorRule[];
  /**
   * Fields whose values are personal or confidential: masked wherever Junction shows event data (dead letters in the API, the dashboard and the CLI, record traces, log lines, the PR plan), for operators too. A path names a field of the event, of a request body or of a step result; it is matched in each. Arrays are walked through (`lines.price` is every line's price), and `*` matches any one field. The stored dead letter keeps the exact event for replay.
   *
   * Items: a field path: names separated by dots, `*` for any one field; no JSONata
   */
  redact?: string[];
  read?: Read;
  reconcile?: ReconcileSchedule;
}
/**
 * Where events come from: exactly one of webhook, schedule, stream or nats.
 */
export interface Source {
  webhook?: WebhookSource;
  schedule?: ScheduleSource;
  stream?: StreamSource;
  nats?: NatsSource;
}
/**
 * Events are POSTed as JSON to /hooks/<integration>. Acknowledged with 2xx only after they are stored durably.
 */
export interface WebhookSource {
  /**
   * Signature verification over the raw request body: required. Unsigned or badly signed requests get 401 and nothing is stored. `none` accepts unsigned events, with a validation warning: anyone who can reach the engine can then post events.
   */
  verify:
    | string
    | {
        /**
         * HMAC-SHA256 of the raw body with a shared secret.
         */
        hmac_sha256?: {
          /**
           * Header that carries the signature.
           */
          header: string;
          /**
           * Shared secret, as an environment reference.
           */
          secret: string;
          /**
           * Encoding of the digest in the header.
           */
          encoding: 'hex' | 'base64';
          /**
           * Text before the digest in the header.
           */
          prefix: string;
          /**
           * Replay protection, Stripe-style: the sender signs `<timestamp>.<body>` (the timestamp in Unix seconds) and sends the timestamp in `header`; a request whose timestamp is further than `tolerance` from the engine's clock gets 401. When `header` is the signature header itself, it is read as Stripe's `t=<timestamp>,v1=<signature>`.
           */
          timestamp?: {
            /**
             * Header that carries the signed timestamp (Unix seconds).
             */
            header: string;
            /**
             * How far the timestamp may be from the engine's clock.
             */
            tolerance: string;
          };
        };
        /**
         * Adobe I/O Events (Adobe Commerce eventing): RSA-SHA256 over the raw body in x-adobe-digital-signature-1/-2, checked with the public keys at x-adobe-public-key1-path/-2-path (fetched from `public_key_base_url` and cached); the payload's recipient_client_id must be `client_id`. The registration's challenge (GET ?challenge=) is answered.
         */
        adobe_io_events?: {
          /**
           * Your Adobe Developer Console project's client id (the events' recipient_client_id).
           */
          client_id: string;
          /**
           * Where Adobe publishes the signing keys; the header paths are appended.
           */
          public_key_base_url: string;
        };
        /**
         * Adobe Commerce webhooks: x-adobe-commerce-webhook-signature is an RSA-SHA256 signature (base64) of the base64-encoded body, checked with the public key shown in the Commerce Admin (Stores > Configuration > Adobe Services > Webhooks).
         */
        adobe_commerce_webhook?: {
          /**
           * The PEM public key, usually from the environment.
           */
          public_key: string;
        };
      };
  /**
   * Largest accepted body, at most 16 MiB; larger requests get 413.
   */
  max_body_bytes: number;
  record?: RecordSchema;
}
/**
 * Polls a connector operation on a schedule. The cursor is stored and advanced only after the polled events are stored.
 */
export interface ScheduleSource {
  /**
   * Connection to poll.
   */
  connection: string;
  /**
   * Connector operation that lists records (for example orders.search).
   */
  operation: string;
  /**
   * Static parameters of the operation. `$cursor` in a string value is replaced by the stored cursor (minus `overlap`).
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * JSONata giving the operation's record (e.g. M3 list inputs, a SOQL `q`); `$cursor` is the stored cursor (minus `overlap`).
   */
  body?: string;
  /**
   * Polling interval.
   */
  every: string;
  /**
   * JSONata over the poll result giving the list of records, with $lookup and $xref as in body (a record may carry what Junction already links it to). Defaults to the result itself.
   */
  records?: string;
  /**
   * JSONata over one record giving its cursor value; the greatest is stored. The next poll asks for records from that value on (inclusive: the operation's bound must be >=), and records already stored at that value are recognised and not stored again.
   */
  cursor: string;
  /**
   * Re-read this much before the stored cursor on every poll (timestamp cursors only), to catch records whose transaction committed late; records stored before are recognised and skipped. Unset, it is the operation's late-commit window when the cursor is the change stamp the operation lists its pages by (10s for the Magento `*.changes` by updated_at and Salesforce `sobjects.changes` by SystemModstamp), and 0s otherwise.
   */
  overlap?: string;
  /**
   * The operation has no change filter, so it lists a bounded set (one warehouse's balances, say) whole on every poll. `cursor` then gives each record's identity, not a position: a record is stored when the previous poll did not return it with the same content, so only changes flow, and a value that goes back to an earlier one flows again. The set must stay under 5,000 records (the records remembered per poll).
   */
  snapshot: boolean;
  /**
   * Cursor value before the first poll.
   */
  initial_cursor?: string;
}
/**
 * Events the vendor pushes over a long-lived subscription, such as Salesforce Change Data Capture over the Pub/Sub API. The position (replay id) is stored only after the events are, so a restart resumes without loss or duplicates.
 */
export interface StreamSource {
  /**
   * Connection to subscribe through.
   */
  connection: string;
  /**
   * The connector's stream, e.g. change_events (salesforce).
   */
  stream: string;
  /**
   * The stream's parameters, checked against the connector's stream. Salesforce change_events: `topic`; `enrich_fields`, the fields read for every event but a delete (their values as of the read); `gap_fields`, the fields a gap event (GAP_CREATE, GAP_UPDATE, GAP_UNDELETE: header only) reads besides, which ordinary events carry themselves.
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * Where to begin when no position is stored yet: the oldest retained event, or only new ones.
   */
  start: 'earliest' | 'latest';
  /**
   * Events asked for at a time (the vendor's flow control).
   */
  batch_size: number;
  record?: RecordSchema;
}
/**
 * Events are messages published on a NATS subject.
 */
export interface NatsSource {
  /**
   * Subject to consume. Wildcards are allowed.
   */
  subject: string;
  record?: RecordSchema;
}
/**
 * One cross-reference that must exist: `$xref(xref, key)` must give a value.
 */
export interface Requirement {
  /**
   * The cross-reference map, as steps write it (`xref.map`) and `$xref` reads it.
   */
  xref: string;
  /**
   * JSONata giving the source id to look up (over the event, or over the element of a `for_each` step). When it gives nothing (a guest order without a customer id) the requirement does not apply.
   */
  key: string;
  /**
   * On the first wait, ask the integration that writes this map to read that record from its source (its `read.get`) and sync it, instead of waiting for its next change.
   */
  fetch: boolean;
}
/**
 * One target operation.
 */
export interface Step {
  /**
   * Step id: later steps read this step's result as $steps.<id>; spec tests key recorded responses by it.
   */
  id: string;
  /**
   * Free text for humans: what this is for and who owns it.
   */
  description?: string;
  /**
   * Connection the step calls.
   */
  connection: string;
  /**
   * Connector operation, as the vendor names it.
   */
  operation: string;
  /**
   * Static parameters of the operation (for example sobject and external_id_field).
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * Condition: the step runs only when it is true.
   */
  when?: string;
  /**
   * JSONata giving a list: the step runs once per element, with the element as context and $index as its position.
   */
  for_each?: string;
  requires?: Requirements1;
  /**
   * JSONata producing the record to send. Bindings: $event (the whole event), $steps, $index, $lookup(name, key), $xref(map, id).
   */
  body?: string;
  find?: Find;
  abandon?: Abandon;
  /**
   * For batch interfaces whose open entries cannot be read back (M3 PPS370MI): when this call was sent and its outcome is unknown, the retry does not send it again into the same entry but starts again from step <id> (this step or an earlier one), so a new entry replaces the one left open, which never becomes a document (and which that step's `abandon` drops). Not together with find.
   */
  restart_from?: string;
  /**
   * After the step succeeds, remember which target id belongs to which source id.
   */
  xref?: {
    /**
     * Cross-reference map name, read from JSONata as $xref("<map>", id).
     */
    map: string;
    /**
     * JSONata giving the source-side id.
     */
    source_id: string;
    /**
     * JSONata giving the target-side id; $result is the step result.
     */
    target_id: string;
    match?: XrefMatch;
  };
}
/**
 * How to find the record this step creates by its business reference, so a create is never sent twice (none of the vendors honours an Idempotency-Key). When an earlier attempt sent the call and never learnt its outcome (a timeout, a connection lost after sending, a worker killed mid-call), the engine looks the record up before sending again and uses what it finds as the step's result. With `when: always` it looks before every call: a later event for a record that already exists gets the found record instead of creating a second one (a later step can update it, or skip).
 */
export interface Find {
  /**
   * `uncertain`: look up only after an earlier attempt's outcome was unknown. `always`: look up before every call.
   */
  when: 'uncertain' | 'always';
  /**
   * A read or query operation of the step's connection that looks the record up.
   */
  operation: string;
  /**
   * Static parameters of the find operation.
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * JSONata producing the find operation's input. Same context and bindings as the step body, plus $body: the record the step would send.
   */
  body?: string;
  /**
   * JSONata over the find operation's result (bindings as for body, with $body) giving the record that is the one this step would create: nothing or an empty list means not found, one record means found, more than one is a permanent `find-ambiguous` error. Defaults to the result itself; a read answering "does not exist" (error code not-found) finds nothing.
   */
  match?: string;
  /**
   * JSONata over the found record giving the step's result, as later steps read it ($steps.<id>) and xref.target_id sees it ($result). Defaults to the found record.
   */
  result?: string;
}
/**
 * On a step that later steps restart from (`restart_from`), typically the one that opens a batch entry: the call that drops what this step opened when a restart leaves it behind (M3 PPS370MI/DeleteEntry), so no open entry is left over. Sent before the restart forgets this step's result; best effort: when it fails (a refusal, no answer), the restart goes on and the entry stays open.
 */
export interface Abandon {
  /**
   * An operation of the step's connection that drops the entry.
   */
  operation: string;
  /**
   * Static parameters of the operation.
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * JSONata over this step's result in the attempt being abandoned (the entry to drop), with the step body's bindings.
   */
  body?: string;
}
/**
 * How `junction xref match <map>` links records that exist on both sides before go-live: every source record (listed by the integration's `read.list`, its id given by `source_id`) is linked to the one target record with the same natural key (e-mail, SKU, customer number). A key that two records on one side share is reported as ambiguous, one with no partner as missing; neither is linked.
 */
export interface XrefMatch {
  /**
   * JSONata over one source record giving its natural key; nothing (or an empty string) means the record has none.
   */
  source_key: string;
  target: XrefMatchTarget;
}
/**
 * How to list the target's existing records (a query operation, paged by a cursor like `read.list`), and what each record's natural key and id are.
 */
export interface XrefMatchTarget {
  /**
   * Connection to read.
   */
  connection: string;
  /**
   * A query operation that lists records changed at or after a cursor.
   */
  operation: string;
  /**
   * Static parameters of the operation. `$cursor` in a string value is replaced by the cursor.
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * JSONata giving the operation's record; `$cursor` is the cursor.
   */
  body?: string;
  /**
   * JSONata over the result giving the list of records. Defaults to the result itself.
   */
  records?: string;
  /**
   * JSONata over one record giving its cursor value (an increasing timestamp or number).
   */
  cursor: string;
  /**
   * Where the listing starts.
   */
  initial_cursor?: string;
  /**
   * JSONata over one target record giving its natural key, comparable with `source_key`.
   */
  key: string;
  /**
   * JSONata over one target record giving the id to store as the cross-reference's target id.
   */
  id: string;
}
/**
 * Fields of one object on one connection that this integration owns.
 */
export interface Ownership {
  /**
   * Connection of the target system.
   */
  connection: string;
  /**
   * Object (record type) as the connector names it.
   */
  object: string;
  /**
   * Which records of the object: `all` (the default) or `created`, only the records this integration creates itself and finds again through its own xref or step results. Two integrations may own the same fields of an object when both own only the records they created: their records never meet.
   */
  records: 'all' | 'created';
  /**
   * Owned fields; dotted paths reach nested fields. `*` owns the whole object.
   *
   * @minItems 1
   */
  fields: [string, ...string[]];
}
/**
 * Retry policy for retryable errors: exponential backoff with jitter, honouring Retry-After.
 */
export interface Retry {
  /**
   * Attempts before the event is dead-lettered, counting the first.
   */
  max_attempts: number;
  /**
   * Delay before the first retry.
   */
  initial: string;
  /**
   * Longest delay between attempts.
   */
  max: string;
  /**
   * Growth factor of the delay.
   */
  multiplier: number;
  /**
   * How long an event may wait for a required cross-reference (`requires`) before it is dead-lettered. Waiting does not use up `max_attempts`.
   */
  dependency_deadline: string;
  /**
   * How long an event may be throttled by its target (429 or a vendor's rate-limit error, retried after its Retry-After) before it is dead-lettered with reason throttle-deadline. Throttled attempts do not use up `max_attempts`.
   */
  throttle_deadline: string;
}
/**
 * What to do with an error that matches.
 */
export interface ErrorRule {
  /**
   * JSONata over {code, status, vendor_code, message, step, sent_before}. sent_before (continue rules only) is true when an earlier attempt sent this call and got no answer.
   */
  match: string;
  /**
   * retry, dead_letter, skip (count the event as done), or continue (count the failed call as done, with no result, and go on with the next step: an M3 keyed add answering "already exists" after an earlier attempt got no answer).
   */
  action: 'retry' | 'dead_letter' | 'skip' | 'continue';
}
/**
 * How Junction reads this integration's source records itself, outside of events: `list` pages through existing records (backfill, `xref match`, reconcile), `get` reads one record by its key (dependency fetch, reconcile of one record). A schedule source is its own `list` when none is given.
 */
export interface Read {
  list?: ReadList;
  get?: ReadGet;
}
/**
 * Lists existing source records, oldest first, from a cursor on (inclusive): the first call asks from `initial_cursor` (or `--since`), each next one from the greatest cursor seen.
 */
export interface ReadList {
  /**
   * Connection to read.
   */
  connection: string;
  /**
   * A query operation that lists records changed at or after a cursor (for example customers.changes, sobjects.changes).
   */
  operation: string;
  /**
   * Static parameters of the operation. `$cursor` in a string value is replaced by the cursor.
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * JSONata giving the operation's record; `$cursor` is the cursor.
   */
  body?: string;
  /**
   * JSONata over the result giving the list of records. Defaults to the result itself.
   */
  records?: string;
  /**
   * JSONata over one record giving its cursor value (an increasing timestamp or number).
   */
  cursor: string;
  /**
   * Where a full listing starts.
   */
  initial_cursor?: string;
}
/**
 * Reads one source record by the integration's key, as the source would send it.
 */
export interface ReadGet {
  /**
   * Connection to read.
   */
  connection: string;
  /**
   * A read operation (for example customers.get).
   */
  operation: string;
  /**
   * Static parameters of the operation.
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * JSONata giving the operation's record; `$key` is the record's key.
   */
  body?: string;
  /**
   * JSONata over the result giving the record (the event). Defaults to the result itself.
   */
  record?: string;
}
/**
 * Reconcile on a schedule in the engine (as `junction reconcile` does): compare a sample of source records with the target. The results are on the dashboard (`GET /api/reconcile`) and in the `junction_reconcile_records` metrics. Needs `read.list` (or a schedule source).
 */
export interface ReconcileSchedule {
  /**
   * How often (one engine of the cluster runs each round).
   */
  every: string;
  /**
   * Records compared per round, picked at random from the listing.
   */
  sample: number;
  /**
   * Re-send the records that differ or are missing, bypassing echo suppression (as `junction reconcile --fix`).
   */
  fix: boolean;
}

/**
 * A named table used from JSONata as $lookup("name", key): code translations, default warehouses and the like, kept inline (`entries`), in a CSV file (`csv`), or asked of a system at run time (`resolve`).
 */
export interface Lookup {
  /**
   * Schema hint for editors; ignored by Junction.
   */
  $schema?: string;
  /**
   * Version of the spec language. Always `junction/v1` for now.
   */
  apiVersion: 'junction/v1';
  /**
   * The spec kind.
   */
  kind: 'Lookup';
  /**
   * Name used in $lookup("name", key).
   */
  name: string;
  /**
   * Free text for humans: what this is for and who owns it.
   */
  description?: string;
  /**
   * Inline table: key -> value. Keys are compared as strings.
   */
  entries?: {
    [k: string]: unknown;
  };
  /**
   * Table read from a CSV file with a header row.
   */
  csv?: {
    /**
     * Path of the CSV file, relative to this spec file.
     */
    file: string;
    /**
     * Header of the key column.
     */
    key_column: string;
    /**
     * Header of the value column.
     */
    value_column: string;
  };
  /**
   * Values asked of a system at run time instead of kept in Git: the id of a record found by a code or name (an FF product by ProductCode, a tax code by Name). Each key is looked up once through the connection and cached for `ttl`; nothing found (and no `default`) or more than one record found is a permanent error that dead-letters the event with the key and the lookup's name.
   */
  resolve?: {
    /**
     * Connection to ask.
     */
    connection: string;
    /**
     * A read or query operation of that connection (for Salesforce: query).
     */
    operation: string;
    /**
     * Static parameters of the operation.
     */
    params?: {};
    /**
     * JSONata giving the operation's input; `$key` is the key asked for (for SOQL, quote it: `$replace($key, "'", "\\'")`).
     */
    body?: string;
    /**
     * JSONata over the result giving the matching records; defaults to the result itself. No record means not found, more than one is ambiguous.
     */
    records?: string;
    /**
     * JSONata over the one matching record giving the lookup's value.
     */
    value: string;
    /**
     * How long a found value is reused before it is asked again (misses are never cached, so a record created later is found on the replay).
     */
    ttl: string;
  };
  /**
   * Value returned when the key is absent (or, for `resolve`, when no record matches). Without it, a missing key gives no value, and an unresolved key is an error.
   */
  default?: unknown;
}

/**
 * Spec tests for one integration (<name>.test.yaml): input events, recorded responses and the expected plan.
 */
export interface IntegrationTest {
  /**
   * Schema hint for editors; ignored by Junction.
   */
  $schema?: string;
  /**
   * Version of the spec language. Always `junction/v1` for now.
   */
  apiVersion: 'junction/v1';
  /**
   * The spec kind.
   */
  kind: 'Test';
  /**
   * Name of the integration under test.
   */
  integration: string;
  /**
   * The environments (`kind: Environment`, or `default` for the specs' own values) these cases run in. Without it they run in every one; list the environment whose ids the expectations pin.
   *
   * @minItems 1
   */
  environments?: [string, ...string[]];
  /**
   * Named test cases.
   *
   * @minItems 1
   */
  cases: [Case, ...Case[]];
}
/**
 * One input event and what the engine must do with it.
 */
export interface Case {
  /**
   * Case name, unique in the file.
   */
  name: string;
  /**
   * The input event, inline.
   */
  event?: unknown;
  /**
   * The input event, from a JSON file relative to this file.
   */
  event_file?: string;
  /**
   * Cross-reference state before the event: map -> source id -> target id.
   */
  xref?: {
    [k: string]: {
      [k: string]: string;
    };
  };
  /**
   * Echo-suppression state: hashes of what Junction last wrote, keyed by `<connection>/<object>/<id>`, given as the record written.
   */
  echo?: {
    [k: string]: unknown;
  };
  /**
   * Records this integration created before the event, as `<connection>/<object>/<id>`: an integration that owns only the records it creates (`owns: records: created`) may change only these.
   */
  created?: string[];
  /**
   * Calls an earlier attempt of this event sent without learning the outcome, as `<step>` or `<step>.<index>` (for_each): the engine looks them up with the step's `find` before sending them again.
   */
  outcome_unknown?: string[];
  /**
   * Lookup tables overridden for this case: name -> key -> value.
   */
  lookups?: {
    [k: string]: {
      [k: string]: unknown;
    };
  };
  /**
   * Recorded responses keyed by step id, `<step>.find` for a step's find look-up and `<step>.abandon` for the call that drops an entry a restart leaves behind; a list for for_each steps (one per element).
   */
  responses?: {
    [k: string]: Response | Response[];
  };
  expect: Expectation;
}
/**
 * A recorded HTTP response.
 */
export interface Response {
  /**
   * HTTP status.
   */
  status: number;
  /**
   * Response headers.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * Response body (JSON).
   */
  body?: unknown;
}
/**
 * What the plan must be.
 */
export interface Expectation {
  /**
   * How the event ends.
   */
  outcome: 'delivered' | 'skipped' | 'dead_lettered' | 'retry' | 'echo_suppressed';
  /**
   * The record key the integration's `key` gives for the event (it orders the record's events and names it in the dead-letter queue), as text. A key expression that gives nothing for the event fails the case, saying why.
   */
  key?: string;
  /**
   * For dead_lettered or retry: the Junction error code.
   */
  error_code?: string;
  /**
   * For dead_lettered or retry: the error's message, exactly as the dead-letter queue and status show it.
   */
  error_message?: string;
  /**
   * The requests the engine would send, in order.
   */
  requests?: ExpectedRequest[];
}
/**
 * One expected request. `body` must match exactly; `body_contains` is a subset match.
 */
export interface ExpectedRequest {
  /**
   * Step id.
   */
  step: string;
  /**
   * HTTP method.
   */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * Request path with query string.
   */
  path?: string;
  /**
   * Exact request body.
   */
  body?: unknown;
  /**
   * Subset of the request body that must match.
   */
  body_contains?: unknown;
  /**
   * Field paths that must not be sent (ownership).
   */
  body_excludes?: string[];
}

/**
 * One place the same specs run (sandbox, staging, production): the values that differ there. `junction validate`, `test` and `plan` check the specs in every environment; `junction run --env <name>` runs them in one. Without --env the specs run with their own values.
 */
export interface Environment {
  /**
   * Schema hint for editors; ignored by Junction.
   */
  $schema?: string;
  /**
   * Version of the spec language. Always `junction/v1` for now.
   */
  apiVersion: 'junction/v1';
  /**
   * The spec kind.
   */
  kind: 'Environment';
  /**
   * Name given to --env.
   */
  name: string;
  /**
   * Free text for humans: what this is for and who owns it.
   */
  description?: string;
  /**
   * Per connection (by name), the settings that replace the Connection spec's in this environment; `options` are merged key by key.
   */
  connections?: {
    [k: string]: {
      /**
       * Base URL of the system's API: a literal https URL or an environment reference.
       */
      base_url?: string;
      /**
       * How to authenticate. Every credential is an environment reference. Replaces the connection's auth as a whole.
       */
      auth?:
        | AuthNone
        | AuthBearer
        | AuthBasic
        | AuthMagentoToken
        | AuthMagentoAdminToken
        | AuthOauth2ClientCredentials
        | AuthOauth1;
      rate_limit?: RateLimit;
      /**
       * Requests to this system at once from one engine process, across all integrations; more wait their turn in order. Use it when a system takes only a few parallel requests (an ERP's API worker pool, a vendor's concurrent-request limit). Unset: no limit beyond each integration's partitions.
       */
      max_concurrency?: number;
      /**
       * Time limit of one request, including the response body.
       */
      timeout?: string;
      /**
       * How long this system may still commit a request after Junction stopped waiting for its answer (a timeout, a connection lost after sending). Servers go on with a request whose client gave up, so a create can appear later. A retry's `find` then waits until this long after the unanswered call ended before it looks the record up, so it finds a late create instead of sending a second one. Only events whose call went unanswered wait (and later events of their key, in order). Set it to the longest time the system can take to finish a request.
       */
      commit_window?: string;
      options?: Options;
    };
  };
  /**
   * Per lookup (by name), its values in this environment: `entries`, `csv` or `resolve` replace the Lookup spec's source as a whole (a key the environment leaves out is absent, never the other environment's id); `default` replaces its default. A CSV file is relative to this file.
   */
  lookups?: {
    [k: string]: {
      entries?: Entries;
      csv?: Csv;
      resolve?: Resolve;
      /**
       * Value returned when the key is absent (or, for `resolve`, when no record matches). Without it, a missing key gives no value, and an unresolved key is an error.
       */
      default?: {
        [k: string]: unknown;
      };
    };
  };
}
/**
 * No authentication.
 */
/**
 * A static bearer token in the Authorization header.
 */
/**
 * HTTP basic authentication.
 */
/**
 * A Magento integration access token (sent as a bearer token).
 */
/**
 * A Magento admin user's token from POST /V1/integration/admin/token (a JWT that expires, 60 minutes by default on 2.4.4+): fetched when needed, renewed before it expires and once on 401. Not available while Magento_TwoFactorAuth is enabled.
 */
/**
 * OAuth2 client credentials: the token is cached until it expires and refreshed once on 401.
 */
/**
 * OAuth 1.0a request signing (RFC 5849), as Magento integrations use it (2.4.4+ accepts HMAC-SHA256 only): every request carries an Authorization: OAuth header signed with the consumer and access token secrets over the method, URL and query parameters.
 */
/**
 * Client-side rate limit (token bucket) for calls to this system.
 */
export interface RateLimit {
  /**
   * Sustained request rate.
   */
  requests_per_second: number;
  /**
   * Requests allowed at once above the sustained rate. Defaults to requests_per_second.
   */
  burst?: number;
}
/**
 * Connector-specific settings, checked against the connector's own schema.
 */
export interface Options {
  [k: string]: unknown;
}
/**
 * Inline table: key -> value. Keys are compared as strings.
 */
export interface Entries {
  [k: string]: unknown;
}
/**
 * Table read from a CSV file with a header row.
 */
export interface Csv {
  /**
   * Path of the CSV file, relative to this spec file.
   */
  file: string;
  /**
   * Header of the key column.
   */
  key_column: string;
  /**
   * Header of the value column.
   */
  value_column: string;
}
/**
 * Values asked of a system at run time instead of kept in Git: the id of a record found by a code or name (an FF product by ProductCode, a tax code by Name). Each key is looked up once through the connection and cached for `ttl`; nothing found (and no `default`) or more than one record found is a permanent error that dead-letters the event with the key and the lookup's name.
 */
export interface Resolve {
  /**
   * Connection to ask.
   */
  connection: string;
  /**
   * A read or query operation of that connection (for Salesforce: query).
   */
  operation: string;
  /**
   * Static parameters of the operation.
   */
  params?: {};
  /**
   * JSONata giving the operation's input; `$key` is the key asked for (for SOQL, quote it: `$replace($key, "'", "\\'")`).
   */
  body?: string;
  /**
   * JSONata over the result giving the matching records; defaults to the result itself. No record means not found, more than one is ambiguous.
   */
  records?: string;
  /**
   * JSONata over the one matching record giving the lookup's value.
   */
  value: string;
  /**
   * How long a found value is reused before it is asked again (misses are never cached, so a record created later is found on the replay).
   */
  ttl?: string;
}

/**
 * A number of events or dead letters.
 */
export type Count = number;

/**
 * A condition on the running cluster (dead letters, lag, errors, failing sources, missed changes, Git sync) and who to tell when it holds and when it stops holding. One engine of the cluster evaluates every alert (a lease); notifications are deduplicated.
 */
export interface Alert {
  /**
   * Schema hint for editors; ignored by Junction.
   */
  $schema?: string;
  /**
   * Version of the spec language. Always `junction/v1` for now.
   */
  apiVersion: 'junction/v1';
  /**
   * The spec kind.
   */
  kind: 'Alert';
  /**
   * Name used in notifications and in `junction alert silence <name>`.
   */
  name: string;
  /**
   * Free text for humans: what this is for and who owns it.
   */
  description?: string;
  /**
   * Shown in every notification, for routing on the receiving side.
   */
  severity: 'critical' | 'warning' | 'info';
  /**
   * Integrations the condition watches (conditions per integration); all of them when absent.
   *
   * @minItems 1
   *
   * Items: Unique name within its kind: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters.
   */
  integrations?: [string, ...string[]];
  condition: Condition;
  /**
   * How long the condition must hold before the alert fires (a pending alert that clears sooner never notifies).
   */
  for: string;
  /**
   * Notify again while the alert keeps firing, this often. Between repeats a firing alert is not notified twice.
   */
  repeat_every: string;
  /**
   * Where notifications go: each receives the firing and the resolved message.
   *
   * @minItems 1
   */
  notify: [Notifier, ...Notifier[]];
}
/**
 * What to watch: exactly one condition.
 */
export interface Condition {
  /**
   * Open dead letters of an integration grew by more than `more_than` within `within`.
   */
  dlq_growth?: {
    /**
     * A number of events or dead letters.
     */
    more_than: number;
    /**
     * The sliding window the condition counts over.
     */
    within: string;
  };
  /**
   * Events of an integration stored and not yet delivered, across the cluster, more than `more_than` (use `for` to ignore short bursts).
   */
  lag?: {
    more_than: Count;
  };
  /**
   * Failed attempts (retried or dead-lettered) of an integration, as a fraction of all its attempts within `within`, above `more_than`; with `code`, only failures with that error code (`rate-limited`, `http-5xx`, `validation`...).
   */
  error_rate?: {
    /**
     * Count only failures with this error code.
     */
    code?: string;
    /**
     * A fraction of the attempts, from 0 to 1.
     */
    more_than: number;
    /**
     * The sliding window the condition counts over.
     */
    within: string;
    /**
     * Fewer attempts than this within the window never fire (a rate of 1 failure in 2 says little).
     */
    min_attempts: number;
  };
  /**
   * Attempts of an integration refused for authentication (error code `auth`) within `within`, more than `more_than`.
   */
  auth_failures?: {
    /**
     * A number of events or dead letters.
     */
    more_than: number;
    /**
     * The sliding window the condition counts over.
     */
    within: string;
  };
  /**
   * The stream or schedule source of an integration failed `rounds` rounds in a row (polls that failed, or subscriptions that failed), as its leading engine stored it: nothing new comes in from it. Resolves once a round succeeds.
   */
  source_failing?: {
    /**
     * Failed rounds in a row from which the condition holds.
     */
    rounds: number;
  };
  /**
   * The stream or schedule source of an integration completed no round for longer than `intervals` times its interval (a schedule's `every`; for a stream, `stream_interval`), as its leading engine stored it: no poll finished, or nothing (not even a keepalive) came from the stream. It catches what `source_failing` cannot: a poll that hangs, a subscription that went quiet, a source no engine runs. Resolves once a round completes.
   */
  source_stalled?: {
    /**
     * How many intervals without a completed round make the source stalled.
     */
    intervals: number;
    /**
     * The interval of a stream source: the longest a healthy subscription goes without a message (Salesforce's Pub/Sub API sends a keepalive within 270 s).
     */
    stream_interval: string;
  };
  /**
   * The stream source of an integration reported changes its vendor cannot deliver as events (a Salesforce overflow event, a field type conversion, a replay id past retention): fires once per report, naming what was missed and the reconcile command that recovers it. Resolves once a whole reconcile (`junction reconcile --all`) of the integration has finished after the report; a newer report fires anew.
   */
  missed_changes?: {};
  /**
   * An engine process runs another commit than the active one (Git sync), for longer than the alert's `for`.
   */
  workers_behind?: {};
  /**
   * A commit of the tracked branch failed to compile and was rejected (Git sync): the cluster keeps running the previous one.
   */
  rejected_commits?: {};
}
/**
 * One receiver: exactly one of slack, webhook or email.
 */
export interface Notifier {
  /**
   * A Slack incoming webhook, or any Slack-compatible one (Mattermost, Rocket.Chat, Teams workflows): POSTs `{"text": ...}`.
   */
  slack?: {
    /**
     * The webhook URL. It is a credential, so it comes from the environment.
     */
    url: string;
  };
  /**
   * A generic JSON webhook, signed: `X-Junction-Signature: sha256=<hex HMAC-SHA256 of "<X-Junction-Timestamp>.<body>">` (docs/operations.md shows how to verify it).
   */
  webhook?: {
    /**
     * Where to POST; may contain `${env:NAME}` references.
     */
    url: string;
    /**
     * The HMAC key the receiver verifies the signature with.
     */
    secret: string;
  };
  /**
   * E-mail over SMTP (nodemailer).
   */
  email?: {
    /**
     * SMTP server host name; may be a `${env:NAME}` reference.
     */
    host: string;
    /**
     * SMTP port: 587 (submission, STARTTLS), 465 (implicit TLS) or 25.
     */
    port: number;
    /**
     * `implicit` (port 465), `starttls` (required: the server must offer it) or `none` (a local relay only).
     */
    tls: 'implicit' | 'starttls' | 'none';
    /**
     * SMTP user name (with `password`); may be a `${env:NAME}` reference.
     */
    user?: string;
    /**
     * SMTP password.
     */
    password?: string;
    /**
     * Sender address.
     */
    from: string;
    /**
     * Recipients.
     *
     * @minItems 1
     */
    to: [string, ...string[]];
  };
}
