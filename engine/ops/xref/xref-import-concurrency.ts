/**
 * How many links `junction xref import` writes at a time (`--concurrency`). Each write waits on the broker twice (a
 * read, then a put), so one at a time leaves it idle: about 1,500 links a second against a local broker.
 */
export const DEFAULT_XREF_IMPORT_CONCURRENCY = 64;

/** More than this would only queue requests on the connection (and hold their results) without writing faster. */
export const MAX_XREF_IMPORT_CONCURRENCY = 1024;
