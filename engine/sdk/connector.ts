/**
 * The connector SDK: the only engine API that connectors import. A connector is one declaration (STYLE.md rule 2):
 * id, the schema of its connection `options`, its operations, error classification and an emulator factory.
 */

/** A JSON Schema (draft-07) as a plain object. */
export type JsonSchema = { [keyword: string]: unknown };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What an operation asks the HTTP stack to send. `path` is relative to the connection's base URL and already encoded.
 */
export interface OutboundRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A response as the HTTP stack (or a recorded fixture) hands it to the connector. */
export interface InboundResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response was JSON, otherwise the text. */
  body: unknown;
}

/** What a write does to its object: drives idempotency (xref before create) and the ownership filter. */
export type OperationKind = 'create' | 'update' | 'upsert' | 'delete' | 'read' | 'query' | 'action';

/** The inputs of one call: the step's static params, the transformed record, and the connection's options. */
export interface OperationCall {
  params: Record<string, unknown>;
  body: unknown;
  options: Record<string, unknown>;
}

export interface OperationDef {
  /** One line for docs and editor hovers. */
  description: string;
  /** The vendor's own name or endpoint, e.g. `OIS100MI/AddBatchHead` or `PATCH /sobjects/{sobject}/{field}/{value}`. */
  vendorName: string;
  kind: OperationKind;
  /** The record type the operation works on, used by `owns`: a fixed name, or the value of a step param. */
  object: string | { param: string };
  /** Fields that identify the record (sku, Id, the external id field). They pass the ownership filter untouched. */
  identity?: string[] | { param: string };
  /** Schema of the step's static `params` (e.g. `sobject`, `external_id_field`). */
  params?: JsonSchema;
  /**
   * The params a schedule source's stored position belongs to (what the query selects: `sobject`, `where`): a spec
   * that changes only the others (fields read, page size, records per call) goes on from the stored cursor. Without
   * it, a change of any param starts the position afresh.
   */
  positionParams?: readonly string[];
  /** Schema of the record the step body produces (entity fields, before the vendor envelope). */
  input?: JsonSchema;
  /** For operations whose record type is a param (Salesforce sobjects): the record schema for those params. */
  inputFor?(params: Record<string, unknown>): JsonSchema | undefined;
  /**
   * The pulled schema overlay that is this operation's input, where the vendor's metadata describes each operation's
   * input rather than an object (M3: each MI transaction has its own input layout, `CRS610MI/Add`).
   */
  overlayEntity?: string;
  /**
   * A list that returns at most `byDefault` records per call unless param `param` is `all` (M3's `maxrecs`): a
   * schedule source that does not send `all` reads only the first records, and `validate` and `check` warn
   * (`capped-list`).
   */
  recordLimit?: { param: string; all: number; byDefault: number };
  /** Schema of the step result that later steps read as `$steps.<id>`. */
  output?: JsonSchema;
  /** Builds the vendor request from the record: wraps it in the vendor's envelope and fills the path. */
  request(call: OperationCall): OutboundRequest;
  /** Turns a 2xx response into the step result. Throws ConnectorError for in-band failures (M3 `NOK`). */
  result?(response: InboundResponse, call: OperationCall): unknown;
  /**
   * For writes: how to read the record the write addresses, as it is now (`junction reconcile`). `record` gives the
   * record's fields from the answer, and the result the write would have returned (later steps read it); a missing
   * record is the connector's not-found error.
   */
  readBack?: {
    request(call: OperationCall): OutboundRequest;
    result(response: InboundResponse, call: OperationCall): { record: Record<string, unknown>; result: unknown };
  };
  /** Paginated reads: the request for the next page (undefined when done), and how pages combine into one result. */
  paginate?: {
    next(response: InboundResponse, call: OperationCall): OutboundRequest | undefined;
    combine(pages: unknown[]): unknown;
    /**
     * The record field the pages list in ascending order, across pages (a keyset or `ORDER BY` on the change stamp): a
     * schedule source whose `cursor` is this field stores its position after each page, so a round may stop part-way.
     */
    orderedBy?: string;
    /**
     * How long after its `orderedBy` stamp a record's transaction may still commit (the vendor stamps the row when it
     * is written, not when it commits): a schedule source on that field that sets no `overlap` re-reads this much
     * before its cursor, or a record stamped before one already polled and committed after the poll is never read.
     */
    lateCommitMs?: number;
  };
}

/**
 * The cheapest authenticated read a connector knows (`junction check`): it proves the base URL, the network path and
 * the credentials at once, without touching any business record.
 */
export interface ConnectionCheckDef {
  /** What the check calls, shown in the report, e.g. `GET /limits (org API limits)`. */
  description: string;
  /** The request, built from the connection's options. */
  request(options: Record<string, unknown>): OutboundRequest;
  /** What to change when the system answers 404 (the check's path is an option), added to that problem. */
  notFound?: string;
}

/** An address a host name was checked at (`StreamContext.checkOutbound`). */
export interface OutboundAddress {
  address: string;
  family: 4 | 6;
}

/** What the engine gives a stream source when it opens it. */
export interface StreamContext {
  /** The source's `params` (validated against the stream's `params` schema). */
  params: Record<string, unknown>;
  /** The connection's connector options. */
  options: Record<string, unknown>;
  /** The connection's base URL, resolved. */
  baseUrl: string;
  /** The connection's auth headers; `refresh` drops a cached token first (after the vendor refused it). */
  authHeaders(refresh?: boolean): Promise<Record<string, string>>;
  /** Runs one of the connector's operations through the HTTP stack and returns its result. */
  call(operation: string, input: { params?: Record<string, unknown>; body?: unknown }): Promise<unknown>;
  /**
   * Throws when the connection may not reach `url` (private addresses unless the engine allows the host); else the
   * address the check resolved the host to. Connect to that address, with the URL's host name as the TLS server name
   * and authority: resolving the name again could answer differently (DNS rebinding) and skip the check.
   */
  checkOutbound(url: string): Promise<OutboundAddress>;
  /** The stored position to resume after, or where to begin when none is stored. */
  position?: string;
  /**
   * Tells the engine what an operator must see though the subscription goes on: a gap, such as a stored position
   * the vendor no longer holds (the source's health shows it as its last failure, and the log at error).
   */
  notice?(message: string): void;
  start: 'earliest' | 'latest';
  /** Events to ask for at a time (the vendor's flow control). */
  batchSize: number;
}

/** Events the vendor delivered, and the position to store once they are stored. */
export interface StreamBatch {
  /** `id` is stable across redeliveries (it becomes the event id unless the spec sets `dedup_id`). */
  events: { id: string; data: unknown; refused?: RefusedEvent }[];
  position?: string;
}

/**
 * An open subscription. Pull-based: the next batch is asked for (the vendor's flow control) only when the engine
 * calls `next()`, that is after the previous batch's events were stored and its position saved.
 */
export interface StreamSubscription extends AsyncIterable<StreamBatch> {
  close(): void;
}

/**
 * An event the connector could not complete for good (Salesforce refused its enrichment read: a field that does not
 * exist): the engine dead-letters it with this reason instead of storing it, and the source moves on.
 */
export interface RefusedEvent {
  /** The dead letter's error code, e.g. `enrichment-refused`. */
  code: string;
  message: string;
  /** The params at fault (`['enrich_fields', 2]`): the engine names their place in the spec. */
  params: (string | number)[][];
}

/** What the compiler knows of a connection's objects: the connector's own schemas, the pulled overlays over them. */
export interface KnownObjects {
  /** The connection's name (for `junction schema pull <connection>`). */
  connection: string;
  /** The object's schema and where it was read from, or undefined when nothing describes the object. */
  get(name: string): { schema: JsonSchema; from: string } | undefined;
  /** Every object described. */
  names(): string[];
}

/** A problem a connector finds in a source's params against the objects' metadata. */
export interface ParamProblem {
  /** Path inside the params (`['enrich_fields', 2]`). */
  path: (string | number)[];
  /** Characters into the value where the problem starts (the unknown part of `Product2.ProdCode`). */
  offset?: number;
  severity: 'error' | 'warning';
  message: string;
}

/** A push source a connector offers (Salesforce Change Data Capture over the Pub/Sub API). */
export interface StreamSourceDef {
  description: string;
  vendorName: string;
  params?: JsonSchema;
  /**
   * The params a stored position belongs to (a replay id is its topic's): a spec that changes only the others (what
   * is read with each event) resumes from the stored position. Without it, a change of any param starts afresh.
   */
  positionParams?: readonly string[];
  /**
   * Event kinds the vendor sends in place of others (Salesforce's gap events: `GAP_UPDATE` for an `UPDATE` it could
   * not describe): a source `when` that takes a kind by its literal name but not its stand-in skips those events
   * silently, and `validate` warns. `field` is the path of the kind in the event.
   */
  standIns?: { field: readonly string[]; pairs: Readonly<Record<string, string>>; why: string };
  /** Checks of valid params against the objects' fields (Salesforce `enrich_fields`), at validate time. */
  checkParams?(params: Record<string, unknown>, objects: KnownObjects): ParamProblem[];
  open(context: StreamContext): StreamSubscription;
}

/**
 * A live system's field metadata for one entity, as `junction schema pull` writes it into the spec repository
 * (`schemas/overlays/<connection>/<entity>.json`); the compiler then reads it over the connector's built-in schema.
 */
export interface EntityOverlay {
  /** The vendor calls it was read from, e.g. `GET /services/data/v60.0/sobjects/Account/describe`. */
  pulled_from: string[];
  /** Every field the system has, by name, with the vendor metadata in schema keywords: replaces the built-in fields. */
  fields?: Record<string, JsonSchema>;
  /** The fields a create must set. */
  required?: string[];
  /**
   * Attribute-value lists (Magento `custom_attributes: [{attribute_code, value}]`): the list field, the item's key
   * and value fields, and every attribute the system has, by code, with its metadata.
   */
  attributes?: { field: string; key: string; value: string; codes: Record<string, JsonSchema> };
}

/** How a connector reads a live system's field metadata (custom fields) for `junction schema pull`. */
export interface SchemaPullDef {
  /** What is read, for `--help` and docs, e.g. `sObject describe (GET /sobjects/{sobject}/describe)`. */
  description: string;
  /** The entities pulled when none are named: those the connector's schemas describe. */
  entities: readonly string[];
  /**
   * Where entities are operations (`overlayEntity`): the entities to pull when none are named, from the operations the
   * specs call on the connection; `entities` when the specs call none.
   */
  entitiesUsed?(operations: readonly string[]): string[];
  /**
   * Reads one entity's metadata through `read` (runs one of the connector's operations over the connection); undefined
   * when the system has no such entity.
   */
  pull(
    entity: string,
    read: (operation: string, params: Record<string, unknown>, body?: Record<string, unknown>) => Promise<unknown>,
    options: Record<string, unknown>,
  ): Promise<EntityOverlay | undefined>;
}

/** A running emulator: a local HTTP server that behaves like the vendor's API. */
export interface EmulatorHandle {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  port?: number;
  host?: string;
}

export interface ConnectorDef {
  /** snake_case id used as a Connection's `type`. */
  id: string;
  description: string;
  /** Schema of the Connection's `options` block for this connector. */
  options: JsonSchema;
  operations: Readonly<Record<string, OperationDef>>;
  /** Push sources (`source: stream:`), by name. */
  streams?: Readonly<Record<string, StreamSourceDef>>;
  /**
   * The operation to suggest for a name the connector does not have (the vendor's replacement for a call that does
   * not exist, e.g. M3 `OIS100MI/AddHead` -> `OIS100MI/AddBatchHead`); validate falls back to the closest name.
   */
  suggest?(operation: string): string | undefined;
  /** Turns a non-2xx response into a classified error carrying the vendor's code and message. */
  classify(response: InboundResponse, request: OutboundRequest): Error;
  /** The connection check of `junction check`; without one only the secrets and the network are checked. */
  check?: ConnectionCheckDef;
  /**
   * `junction reconcile`: whether the vendor holds a value equal to the one sent although it reads differently
   * (Salesforce answers a 15-character id in its 18-character form). Other values compare as usual.
   */
  sameValue?(sent: unknown, held: unknown): boolean;
  /** A usage allocation the vendor reports on its responses; the HTTP stack slows down before it runs out. */
  allocation?: UsageAllocation;
  /** Reads the live system's field metadata into overlay files (`junction schema pull`). */
  schemaPull?: SchemaPullDef;
  /** The connector's built-in entity schemas by name (Salesforce sObjects), which pulled overlays refine. */
  entitySchemas?: Readonly<Record<string, JsonSchema>>;
  /** Starts the vendor emulator (tests, demo, `junction emulator <id>`). */
  startEmulator?(options: EmulatorOptions): Promise<EmulatorHandle>;
}

/**
 * A vendor's request allocation over a rolling window, reported on every response (Salesforce: `Sforce-Limit-Info:
 * api-usage=<used>/<max>` per rolling 24 hours). Inside the reserve the client spends no faster than the window frees
 * calls; when the allocation is spent it waits for the window to free the reserve.
 */
export interface UsageAllocation {
  /** What a response reports, if it reports usage. */
  read(response: InboundResponse): { used: number; max: number } | undefined;
  /** Length of the rolling window. */
  windowMs: number;
  /** Share of the allocation to leave for others (0.1 keeps 10 %), from the connection's options. */
  reserve(options: Record<string, unknown>): number;
}

/** The connectors an engine knows, built explicitly (connectors/index.ts), never from global registration. */
export type ConnectorRegistry = ReadonlyMap<string, ConnectorDef>;
