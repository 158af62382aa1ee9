/**
 * MRS001MI, the MI repository interface, answered from the site's own layouts: LstTransactions lists a program's
 * transactions, LstFields a transaction's input (TRTP I) or output (TRTP O) fields with description, length, type and
 * mandatory flag. Fields per M3H5 `MRS001MI/LstTransactionsResponse.cs` and `LstFieldsResponse.cs`; MAND `1`/`0` and
 * a blank LENG for a field whose length the catalog does not know are the emulator's reading [U].
 */
import type { M3Transaction } from '../schemas/index.js';
import { Nok, doesNotExist } from './messages.js';
import type { ProgramHandlers } from './program-call.js';
import type { Row } from './state.js';

const programOf = (tx: M3Transaction) => tx.name.split('/')[0];
const transactionOf = (tx: M3Transaction) => tx.name.split('/')[1];

export const miRepository: ProgramHandlers = {
  'MRS001MI/LstTransactions': ({ layouts, input }) => {
    const rows = [...layouts.values()]
      .filter((tx) => programOf(tx) === input.MINM)
      .map((tx): Row => ({ MINM: programOf(tx), TRNM: transactionOf(tx), TRDS: tx.description }));
    if (rows.length === 0) throw doesNotExist('MINM', input.MINM);
    return rows;
  },
  'MRS001MI/LstFields': ({ layouts, input }) => {
    const tx = layouts.get(`${input.MINM}/${input.TRNM}`);
    if (!tx) throw doesNotExist('TRNM', input.TRNM);
    const head = { MINM: input.MINM, TRNM: input.TRNM, TRTP: input.TRTP };
    const length = (n: number | null) => (n === null ? '' : String(n));
    if (input.TRTP === 'I')
      return tx.inputs.map(([FLNM, TYPE, n, mandatory, FLDS]) => ({
        ...head,
        FLNM,
        FLDS,
        LENG: length(n),
        TYPE,
        MAND: mandatory ? '1' : '0',
      }));
    if (input.TRTP === 'O')
      return tx.outputs.map(([FLNM, TYPE, n, FLDS]) => ({ ...head, FLNM, FLDS, LENG: length(n), TYPE, MAND: '0' }));
    throw new Nok('Input/Output must be I or O', 'TRTP');
  },
};
