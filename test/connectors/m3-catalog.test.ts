/**
 * The M3 catalog drives the connector, validate and the emulator: every transaction of the gathered metadata has a
 * role and an emulator program, its schema carries the metadata's mandatory flags, types and lengths, and a spec that
 * calls a transaction M3 does not have, leaves a mandatory field out or writes a constant that cannot fit gets a
 * diagnostic at the right line and column.
 */
import { describe, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { M3_CATALOG, M3_SOURCES } from '../../connectors/infor_m3/catalog/m3-catalog.js';
import { HANDLERS } from '../../connectors/infor_m3/emulator/execute.js';
import { M3_ROLES } from '../../connectors/infor_m3/schemas/index.js';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';

const connector = createConnectorRegistry().get('infor_m3')!;

describe('the M3 catalog', () => {
  it('gives every transaction of the metadata a role, an operation and an emulator program, and nothing else', () => {
    const names = Object.keys(M3_CATALOG).sort();
    expect(Object.keys(M3_ROLES).sort()).toEqual(names);
    expect(Object.keys(connector.operations).sort()).toEqual(names);
    expect(Object.keys(HANDLERS).sort()).toEqual(names);
  });

  it('names the source of every program: repository, commit and file of the M3 metadata', () => {
    for (const [program, source] of Object.entries(M3_SOURCES))
      expect(source).toEqual({
        description: expect.any(String),
        repo: 'GaryWayneSmith/M3H5',
        commit: '3b80c412b63c0316b28fbac6e06c5034811efa99',
        path: `M3H5Lib.Api/${program}Resource.cs`,
      });
  });

  it('puts the metadata into the input schema: mandatory fields required, lengths, numbers and dates', () => {
    const item = connector.operations['MMS200MI/AddItmBasic'].input!;
    expect(item.required).toEqual(['STAT', 'ITNO', 'ITDS', 'RESP', 'UNMS', 'ITTY', 'MABU', 'PRVG']);
    expect(connector.operations['CRS610MI/Add'].input!.required).toEqual(['CUTM', 'CUNM', 'CUA1']);
    expect(connector.operations['CRS620MI/AddSupplier'].input!.required).toHaveLength(23);
    // GLS840MI makes CONO mandatory: it comes from the connection's company, so a body need not set it.
    expect(connector.operations['GLS840MI/AddBatchHead'].input!.required).toEqual(['KEY1', 'INTN', 'DESC']);
    const properties = item.properties as Record<string, Record<string, unknown>>;
    expect(properties.ITDS).toMatchObject({ type: ['string', 'number'], maxLength: 30 });
    expect(properties.MABU).toMatchObject({ pattern: '^-?\\d{0,1}(\\.\\d+)?$', exclusiveMaximum: 10 });
    const head = connector.operations['OIS100MI/AddBatchHead'].input!.properties as Record<string, object>;
    expect(head.RLDT).toMatchObject({ pattern: '^\\d{8}$' });
  });
});

const CONNECTION = `apiVersion: junction/v1
kind: Connection
name: m3
type: infor_m3
base_url: https://m3.example.com
options: { company: 100 }
`;
const integration = (steps: string) => `apiVersion: junction/v1
kind: Integration
name: m3-check
source: { webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(id)
steps:
${steps}
owns:
  - { connection: m3, object: order_batch, fields: ["*"] }
  - { connection: m3, object: item, fields: ["*"] }
  - { connection: m3, object: purchase_order_line, fields: ["*"] }
`;

/** The catalog's diagnostics; these creates have no `find` to stay short (that warning: test/compiler corpus). */
function diagnose(steps: string): string[] {
  const files = { 'm3.yaml': CONNECTION, 'check.yaml': integration(steps) };
  const result = compileSpecTree(
    { displayRoot: '.', files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) })) },
    { connectors: createConnectorRegistry(), engine: referenceEngine },
  );
  return result.diagnostics
    .filter((d) => d.code !== 'unguarded-create')
    .map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);
}

describe('validate with the M3 catalog', () => {
  it('names the real transaction for one M3 does not have', () => {
    expect(
      diagnose(`  - id: head
    connection: m3
    operation: OIS100MI/AddHead
    body: '{ "CUNO": "10042" }'`),
    ).toEqual([
      '9:16 unknown-operation connector infor_m3 has no operation "OIS100MI/AddHead"; did you mean `OIS100MI/AddBatchHead`?',
    ]);
  });

  it('reports the mandatory fields a create leaves out', () => {
    expect(
      diagnose(`  - id: item
    connection: m3
    operation: MMS200MI/AddItmBasic
    body: '{ "ITNO": sku, "ITDS": name, "ITTY": "FG", "UNMS": "EA" }'`),
    ).toEqual([
      '10:12 missing-required-field step `item` never sets `STAT`, `RESP`, `MABU`, `PRVG`, which infor_m3 MMS200MI/AddItmBasic requires for item',
    ]);
  });

  it('reports a constant longer than its field and a word in a numeric field', () => {
    expect(
      diagnose(`  - id: head
    connection: m3
    operation: OIS100MI/AddBatchHead
    body: '{ "CUNO": "10042", "ORTP": "A01X" }'
  - id: line
    connection: m3
    operation: PPS370MI/AddLine
    body: '{ "MSGN": "1", "ITNO": "MUG-1", "ORQA": "ten" }'`),
    ).toEqual([
      '10:39 value-does-not-fit "A01X" does not fit `ORTP` (infor_m3 OIS100MI/AddBatchHead input): it is 4 characters, and the field holds at most 3',
      '14:52 value-does-not-fit "ten" does not fit `ORQA` (infor_m3 PPS370MI/AddLine input): it is not in the field\'s format (for example "12.5")',
    ]);
  });
});
