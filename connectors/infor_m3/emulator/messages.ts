/**
 * M3's answers for the emulator: NOK message ids and texts by field, as M3's message files name them (`…02` must be
 * entered, `…03` does not exist, `…04` already exists; W + a field family, or X for generic messages). Where no source
 * names a field's id, the generic XRE0103/XRE0104, or a message without an id, is used. Sources: docs/connectors.md.
 */

/** A NOK the emulator answers: M3's message (the `&1` filled in), the field it names and its message id. */
export class Nok extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly code = '',
  ) {
    super(message);
  }
}

interface FieldMessages {
  label: string;
  /** `…02`: "must be entered". */
  missing?: [code: string, text: string];
  /** `…03`: "&1 does not exist". */
  unknown: [code: string, text: string];
}

/** Message ids per key field (Infor m3-h5-sdk README for WCU0203; the M3 message catalogue for the others). */
const FIELDS: Readonly<Record<string, FieldMessages>> = {
  CUNO: {
    label: 'Customer number',
    missing: ['WCU0202', 'Customer must be entered'],
    unknown: ['WCU0203', 'Customer number &1 does not exist'],
  },
  ITNO: {
    label: 'Item number',
    missing: ['WIT0102', 'Item number must be entered'],
    unknown: ['WIT0103', 'Item number &1 does not exist'],
  },
  SUNO: {
    label: 'Supplier number',
    missing: ['WSU0102', 'Supplier number must be entered'],
    unknown: ['WSU0103', 'Supplier number &1 does not exist'],
  },
  WHLO: {
    label: 'Warehouse',
    missing: ['WWH0102', 'Warehouse must be entered'],
    unknown: ['WWH0103', 'Warehouse &1 does not exist'],
  },
  FACI: {
    label: 'Facility',
    missing: ['WFAC302', 'Facility must be entered'],
    unknown: ['WFAC303', 'Facility &1 does not exist'],
  },
  PUNO: {
    label: 'Purchase order number',
    missing: ['WRI0102', 'Purchase order number must be entered'],
    unknown: ['WPU0803', 'Purchase order number &1 does not exist'],
  },
  MSGN: { label: 'Message number', unknown: ['WMS3703', 'Message number &1 does not exist'] },
  ORNO: { label: 'Customer order number', unknown: ['WOR0303', 'Customer order number &1 does not exist'] },
  PONR: { label: 'Order line number', unknown: ['WPO0303', 'Order line number &1 does not exist'] },
  PNLI: { label: 'Purchase order line', unknown: ['WPN0103', 'Purchase order line &1 does not exist'] },
};

/** `…02`: a mandatory field left blank. */
export function mustBeEntered(field: string, label: string): Nok {
  const known = FIELDS[field]?.missing;
  return known ? new Nok(known[1], field, known[0]) : new Nok(`${label} must be entered`, field);
}

/** `…03`: the record a field names does not exist (XRE0103 where no field-specific id is known). */
export function doesNotExist(field: string, value: string | undefined): Nok {
  const known = FIELDS[field]?.unknown;
  return known
    ? new Nok(known[1].replace('&1', value ?? ''), field, known[0])
    : new Nok('Record does not exist', field, 'XRE0103');
}

/** `…04`: a record with that key exists (XRE0104, M3's generic message). */
export function alreadyExists(field: string): Nok {
  return new Nok('Record already exists', field, 'XRE0104');
}

/** A numeric field holding something else (XNU0000). */
export function numericError(field: string): Nok {
  return new Nok('Numeric error', field, 'XNU0000');
}

/** A date field that is not a date in M3's default format YMD8 (XDT0001). */
export function incorrectDate(field: string): Nok {
  return new Nok('Incorrect date', field, 'XDT0001');
}

/** A change to a record whose state no longer allows it (XST0020). */
export function statusForbids(field: string): Nok {
  return new Nok('Status change are not permitted any longer', field, 'XST0020');
}

/** Transient contention, as M3 answers it: changed by another user, or a lock that timed out. */
export function transient(code: 'XUP0001' | 'XO_1130', field?: string): Nok {
  return code === 'XUP0001'
    ? new Nok('The record has been changed by user M3BATCH', field, 'XUP0001')
    : new Nok('Please try again later', field, 'XO_1130');
}
