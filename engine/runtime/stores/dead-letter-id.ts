/**
 * What a dead letter's id and an integration's name look like (the latter is common.schema.json `name`). DLQ keys
 * are `<integration>.<id>` subjects, so a value outside these (`*`, `>`, a dot) would be a NATS wildcard or an extra
 * token: a get of id `*` would answer whichever entry the broker lists first, a list of integration `*` every one.
 */
export const DEAD_LETTER_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const INTEGRATION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
