/**
 * A customer's addresses (OCUSAD, maintained in 'Customer. Connect Addresses' OIS002) through CRS610MI: each keyed
 * by customer, address type (ADRT) and address number (ADID). An add needs the customer and a new key; a change or
 * delete needs the address; blank fields of a change stay as they are, and neither answers a record (their
 * transactions have no output layout). The list is the customer's addresses (of one type when ADRT is given, changed
 * at or after LMTS when that is given) in type and number order.
 */
import { alreadyExists, doesNotExist } from './messages.js';
import { entered, existing } from './program-call.js';
import type { ProgramCall, ProgramHandlers } from './program-call.js';
import type { Row } from './state.js';

const key = (input: Row) => `${input.CUNO}/${Number(input.ADRT)}/${input.ADID}`;
const stamp = () => ({ LMTS: String(Date.now()) });

function address({ state, input }: ProgramCall): Row {
  const row = state.tables.customer_address.get(key(input));
  if (!row) throw doesNotExist('ADID', input.ADID);
  return row;
}

export const customerAddresses: ProgramHandlers = {
  'CRS610MI/AddAddress': ({ state, input }) => {
    existing(state, 'customer', input.CUNO, 'CUNO');
    if (state.tables.customer_address.has(key(input))) throw alreadyExists('ADID');
    const ADRT = String(Number(input.ADRT));
    state.tables.customer_address.set(key(input), { ...entered(input), ADRT, ...stamp() });
    return [{ CUNO: input.CUNO, ADRT, ADID: input.ADID }];
  },
  'CRS610MI/ChgAddress': (call) => {
    const row = address(call);
    call.state.tables.customer_address.set(key(call.input), {
      ...row,
      ...entered(call.input),
      ADRT: row.ADRT,
      ...stamp(),
    });
    return [];
  },
  'CRS610MI/GetAddress': (call) => [address(call)],
  'CRS610MI/LstAddresses': ({ state, input }) => {
    existing(state, 'customer', input.CUNO, 'CUNO');
    // LMTS as the customer list takes it: changed at or after (the format is the same assumption [U]).
    return [...state.tables.customer_address.values()]
      .filter((a) => a.CUNO === input.CUNO && (!input.ADRT?.trim() || Number(a.ADRT) === Number(input.ADRT)))
      .filter((a) => !input.LMTS?.trim() || Number(a.LMTS ?? 0) >= Number(input.LMTS))
      .sort((a, b) => Number(a.ADRT) - Number(b.ADRT) || a.ADID.localeCompare(b.ADID));
  },
  'CRS610MI/DeleteAddress': (call) => {
    address(call);
    call.state.tables.customer_address.delete(key(call.input));
    return [];
  },
};
