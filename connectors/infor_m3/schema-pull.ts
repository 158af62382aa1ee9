/**
 * `junction schema pull` for Infor M3: each MI transaction's input layout as the site has it, read from MRS001MI, M3's
 * MI repository interface (M3H5 `MRS001MIResource.cs`): `LstTransactions` (MINM) says whether the site has the
 * transaction, `LstFields` (MINM, TRNM, TRTP=I) lists its input fields with description FLDS, length LENG, type TYPE
 * and mandatory flag MAND. One overlay per transaction replaces the catalog's input layout in validate: fields the
 * site has and the catalog lacks, and the site's lengths and mandatory flags.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { EntityOverlay, SchemaPullDef } from '../../engine/sdk/index.js';
import type { M3FieldType, M3Input } from './catalog/catalog-types.js';
import { M3_TRANSACTIONS, m3FieldSchema, m3RequiredInputs } from './schemas/index.js';

type Row = Record<string, string>;
type Read = Parameters<SchemaPullDef['pull']>[1];

const REPOSITORY = 'MRS001MI';
const EXECUTE = '/m3api-rest/v2/execute';
const TYPES: readonly string[] = ['A', 'N', 'D'];

/** A program's transactions, read once per pull (a pull of many transactions of one program lists it once). */
const listed = new WeakMap<Read, Map<string, Promise<Row[]>>>();

/** Runs an MRS001MI list; a site that refuses MRS001MI gets a message that says what to do. */
async function repository(read: Read, transaction: string, body: Row): Promise<Row[]> {
  try {
    const { records } = (await read(`${REPOSITORY}/${transaction}`, { max_records: 0 }, body)) as { records: Row[] };
    return records;
  } catch (error) {
    if (!(error instanceof ConnectorError) || error.code !== 'validation') throw error;
    throw new Error(
      `this M3 site does not let the connection run ${REPOSITORY}/${transaction} (M3 answered: ${error.message}). ` +
        `The pull reads each transaction's layout from ${REPOSITORY}, M3's MI repository interface: ask the M3 ` +
        `administrator to let the API user run ${REPOSITORY} LstTransactions and LstFields, then pull again. Until ` +
        `then validate checks M3 bodies against the built-in catalog (connectors/infor_m3/metadata).`,
    );
  }
}

/** One LstFields record as an input; a type or flag the sources do not describe is an error, not a guess. */
function inputOf(row: Row, name: string): M3Input {
  const field = (row.FLNM ?? '').trim();
  const type = (row.TYPE ?? '').trim();
  const mandatory = (row.MAND ?? '').trim();
  const length = (row.LENG ?? '').trim();
  const problem = !field
    ? 'a field without FLNM'
    : !TYPES.includes(type)
      ? `field ${field} with TYPE ${JSON.stringify(type)} (Junction knows A, N and D)`
      : !['1', '0', ''].includes(mandatory)
        ? `field ${field} with MAND ${JSON.stringify(mandatory)} (Junction reads 1 as mandatory, 0 or blank as not)`
        : !/^\d*$/.test(length)
          ? `field ${field} with LENG ${JSON.stringify(length)}`
          : undefined;
  if (problem)
    throw new Error(`${REPOSITORY}/LstFields of ${name} returned ${problem}; please report it with the record`);
  return [field, type as M3FieldType, length ? Number(length) : null, mandatory === '1', (row.FLDS ?? '').trim()];
}

/** Every transaction of the catalog (MRS001MI's own excepted); by default, those the specs call. */
const pulled = M3_TRANSACTIONS.map((t) => t.name).filter((name) => !name.startsWith(`${REPOSITORY}/`));

export const m3SchemaPull: SchemaPullDef = {
  description: `MI transaction layouts (${REPOSITORY}/LstTransactions, ${REPOSITORY}/LstFields)`,
  entities: pulled,
  entitiesUsed: (operations) => operations.filter((o) => pulled.includes(o)),
  async pull(name, read) {
    const [program, transaction] = name.split('/');
    if (!program || !transaction) return undefined;
    const cache = listed.get(read) ?? new Map<string, Promise<Row[]>>();
    listed.set(read, cache);
    if (!cache.has(program)) cache.set(program, repository(read, 'LstTransactions', { MINM: program }));
    const transactions = await cache.get(program)!;
    if (!transactions.some((t) => t.TRNM?.trim() === transaction)) return undefined;
    const fields = await repository(read, 'LstFields', { MINM: program, TRNM: transaction, TRTP: 'I' });
    const inputs = fields.map((row) => inputOf(row, name));
    const overlay: EntityOverlay = {
      pulled_from: [
        `GET ${EXECUTE}/${REPOSITORY}/LstTransactions?MINM=${program}`,
        `GET ${EXECUTE}/${REPOSITORY}/LstFields?MINM=${program}&TRNM=${transaction}&TRTP=I`,
      ],
      fields: Object.fromEntries(
        inputs.map(([field, type, length, , label]) => [field, m3FieldSchema(type, length, label || field)]),
      ),
      required: m3RequiredInputs(inputs).sort(),
    };
    return overlay;
  },
};
