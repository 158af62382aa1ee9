/**
 * Diagnostics: every problem found in a spec becomes one of these, never a raw parser or ajv error
 * (STYLE.md rule 6). Codes come from the closed list below; README.md documents each one, and a test keeps the two
 * in step.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Path relative to the directory being validated's repository root (or the working directory). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
}

/** Every diagnostic code with its one-line documentation. */
export const DIAGNOSTIC_CODES = {
  'file-unreadable': 'The file could not be read (permissions, a directory named like a spec).',
  'file-empty': 'The file has no content.',
  'file-too-large':
    'The file is larger than the 1 MiB spec limit, or a data file (a CSV, a JSON event, schema or overlay) larger than the data limit (6 MiB; `JUNCTION_MAX_DATA_BYTES` raises it up to 48 MiB, given alike to CI and every engine).',
  'file-not-text': 'The file is binary or not valid UTF-8.',
  'yaml-syntax': 'The file is not valid YAML (includes tabs used for indentation).',
  'yaml-duplicate-key': 'A mapping has the same key twice.',
  'yaml-multiple-documents': 'A spec file must hold exactly one YAML document.',
  'yaml-alias-limit': 'The document expands too many aliases (a "billion laughs" alias bomb).',
  'yaml-tag': 'A YAML tag with no JSON equivalent (`!!binary`, `!!set`, `!!timestamp`, a custom `!tag`).',
  'not-a-mapping': 'The document is not a mapping of keys to values.',
  'unknown-kind': 'The `kind` is missing or not one of Connection, Integration, Lookup, Test, Alert, Environment.',
  'missing-property': 'A required property is missing.',
  'unknown-property': 'A property that the schema does not define (often a typo).',
  'invalid-type': 'A value has the wrong type.',
  'invalid-value': 'A value is not one of the allowed values, or is out of range.',
  'invalid-format': 'A value does not have the required format (name, duration, URL...).',
  'secret-literal': 'A secret is written as a literal; use an environment reference `${env:NAME}`.',
  'secret-not-allowed':
    "A spec references an environment variable outside the engine's secret allowlist (`JUNCTION_ALLOWED_SECRETS`).",
  'unverified-webhook':
    'A webhook source says `verify: none` (a warning): anyone who can reach the engine can post events to it.',
  'removed-property': 'A property that the spec language no longer has; the message says what replaces it.',
  'jsonata-syntax':
    "A JSONata expression does not parse: jsonata's code (S0101-S0402) and message, then how to fix it, at the line:col of the offending token.",
  'duplicate-name': 'Two specs of the same kind have the same name.',
  'duplicate-step-id': 'Two steps of one integration have the same id.',
  'duplicate-test-case': 'Two cases of one test file have the same name.',
  'unknown-connection': 'A step, source or ownership refers to a connection that is not defined.',
  'unknown-connector': "A connection's type is not a known connector.",
  'unknown-operation': 'A step or source uses an operation that its connector does not have.',
  'invalid-params': "A step's params do not match the operation's parameter schema.",
  'invalid-find':
    "A step's `find` looks up with an operation that is not a read or query, or guards a step that only reads.",
  'capped-list':
    'A schedule source polls a list that returns only its first records unless told to return all (M3 without `max_records: 0`), a warning: records beyond are never read.',
  'unguarded-create':
    'A create step has no `find`, `restart_from` or `on_error` continue rule (a warning): a lost answer or two attempts at once can create the record twice.',
  'invalid-abandon':
    "A step's `abandon` is on a step that no `restart_from` names, or drops the entry with a read or query.",
  'invalid-options': "A connection's options do not match the connector's options schema.",
  'unknown-step':
    'An expression reads $steps.<id>, or an on_error rule compares `step` with a name, for a step that does not exist.',
  'step-order': 'An expression reads the result of its own step or of a later step.',
  'unknown-lookup': 'An expression calls $lookup with a lookup name that is not defined.',
  'unknown-integration': 'A test file or an alert names an integration that is not defined.',
  'lookup-source':
    'A lookup has not exactly one of `entries`, `csv` and `resolve`, its CSV is unusable, or its `resolve` does not read.',
  'unknown-environment': 'The environment asked for (`--env`) is not defined by an Environment spec.',
  'missing-owns': "A step writes an object that the integration's `owns` does not cover.",
  'owned-field-conflict': 'Two integrations own the same field of the same object on the same connection.',
  'unknown-target-field': "A step body writes a field that the operation's input schema does not declare.",
  'read-only-field':
    'A step body writes a field the vendor computes (formula, roll-up, auto-number) or, in an update, one set only on create.',
  'unowned-field-write':
    "A step body writes a field that the integration's `owns` does not list (the ownership filter would drop it).",
  'missing-required-field':
    "A step body that creates (or upserts) a record never sets a field the operation's input schema requires.",
  'value-does-not-fit':
    'A constant in a step body does not fit its target field: longer than the field, not a number for a numeric field, not a value of its picklist or format.',
  'unknown-source-field':
    "An expression reads a field that the source's record schema does not declare (a warning when the schema is inferred from the test events).",
  'unknown-read-field':
    "A stream source's params name a field to read that the object does not have (Salesforce `enrich_fields`, `gap_fields`: Salesforce would refuse every read); a warning when no field list of the object is known.",
  'stand-in-events-skipped':
    "A stream source's `when` takes an event kind by name but not the kind its vendor sends in its place (Salesforce: `UPDATE` but not `GAP_UPDATE`), a warning: those events are skipped without a trace.",
  'invalid-record-schema':
    "A source's `record` schema file is missing, is not JSON, or does not hold a JSON Schema object.",
  'unknown-function':
    "An expression calls a function that is neither a JSONata function, a Junction extension ($lookup, $xref, $localDate, $zoneOffset), one of the integration's `functions` nor bound with :=; or one not available where the expression is evaluated.",
  'not-a-function':
    "An entry of an integration's `functions` is not a JSONata function (`function($param, …) { … }`): a constant, a path or a call.",
  'shadowed-builtin':
    "An entry of an integration's `functions` is named like a JSONata function, a Junction extension or a value Junction binds ($string, $lookup, $event…), which it would hide.",
  'unknown-variable':
    'An expression reads a variable ($name) that is neither bound by Junction ($event, $steps, $index, $result…), a function, nor assigned with := in the expression.',
  'undefined-name':
    'An expression compares with `undefined` as in JavaScript: JSONata has no such value, it reads a missing field, so the comparison is always false (test a missing field with $exists()).',
  'invalid-arguments':
    "A function call's arguments do not fit the function's signature: too few, too many, or of a type it refuses.",
  'invalid-picture':
    'A literal picture string of $formatNumber, $formatInteger, $parseInteger, $fromMillis, $toMillis or $now is invalid.',
  'invalid-field-type':
    "A step body writes a value whose inferred type the target field's schema does not allow (a string to a number field, a fraction to an integer).",
  'unknown-test-reference':
    'A test file names a step, lookup or connection the integration or spec set does not have, or an event_file that is missing or not JSON.',
  'unknown-path-placeholder':
    "A step's path template (`path: /items/{sku}`) has a placeholder the record its body writes does not have.",
  'unknown-lookup-key':
    'A $lookup call names a constant key that the table does not have (a warning when the table has a default).',
  'unknown-time-zone':
    'A $localDate or $zoneOffset call names a constant time zone (a literal, or a constant $lookup entry) that is no IANA zone name.',
  'read-operation':
    'A `read.list`, `read.get` or `xref.match.target` uses an operation that writes: Junction reads records itself only with query and read operations.',
  'unknown-xref-map':
    'A `requires` or a `$xref("map", …)` call names a cross-reference map that no step writes (a warning: `junction xref import` may still fill it).',
  'requires-cycle':
    'Integrations require cross-reference maps each other writes (`requires`), so a record can wait for one that waits for it: reported at each `requires` entry of the cycle.',
  'invalid-schema-overlay':
    'A pulled schema overlay (`schemas/overlays/<connection>/<entity>.json`) is malformed or names no known connection.',
  'internal-error': 'Junction itself failed while compiling (a bug): the specs are rejected, and the message says why.',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/**
 * Sorts diagnostics by file, line, column: the order people read them in. A problem reported twice at the same
 * place with the same message (a YAML anchor that two steps merge) is kept once.
 */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const unique = new Map(
    diagnostics.map((d) => [`${d.file}:${d.line}:${d.col}:${d.severity}:${d.code}:${d.message}`, d]),
  );
  return [...unique.values()].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code),
  );
}
