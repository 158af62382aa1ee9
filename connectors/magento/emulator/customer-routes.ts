/** Customers with addresses: create, replace, read and search. */
import type { EmulatorReply, Route } from '../../../engine/sdk/index.js';
import { now } from './catalog-routes.js';
import { refuseAddresses } from './customer-address-rules.js';
import { regionsOf } from './directory.js';
import { magentoError, noCustomer, requiredField } from './magento-error.js';
import { filterFields, searchReply } from './search-criteria.js';
import type { InputLimits } from './search-criteria.js';
import type { MagentoState, Row } from './state.js';

const REQUIRED: [string, string][] = [
  ['email', 'email'],
  ['firstname', 'First Name'],
  ['lastname', 'Last Name'],
];

/**
 * The customer search runs over an EAV collection: the REST `id` is its `entity_id` column, and `id` is no attribute
 * (a filter on it is refused, a sort on it does nothing).
 */
const customerColumn = (row: Row, field: string): unknown =>
  field === 'entity_id' ? row.id : field === 'id' ? undefined : row[field];

/** Customer routes under `/rest/:store/V1`. */
export function customerRoutes(V1: string, state: () => MagentoState, limits?: InputLimits): Route[] {
  return [
    // Registered before `/customers/:id`, so "search" is never read as an id.
    {
      method: 'GET',
      path: `${V1}/customers/search`,
      handle: (r) =>
        filterFields(r.query).includes('id')
          ? magentoError(400, 'The "%1" attribute name is invalid. Reset the name and try again.', ['id'])
          : searchReply([...state().customers.values()].map(asAnswered), r.query, limits, customerColumn),
    },
    {
      method: 'GET',
      path: `${V1}/customers/:id`,
      handle: (r) => found(state().customers.get(Number(r.params.id)), r.params.id),
    },
    {
      method: 'POST',
      path: `${V1}/customers`,
      handle: (r) => {
        const customer = (r.body as { customer?: Row } | undefined)?.customer;
        if (!customer) return requiredField('customer');
        const invalid = validate(customer) ?? refuseAddresses(sentAddresses(customer.addresses));
        if (invalid) return invalid;
        if (emailTaken(state(), customer.email))
          return magentoError(400, 'A customer with the same email address already exists in an associated website.');
        const id = state().nextId.customer++;
        const stamp = now();
        const created = withDefaults({
          group_id: 1,
          website_id: 1,
          store_id: 1,
          created_in: 'Default Store View',
          disable_auto_group_change: 0,
          ...customer,
          id,
          created_at: stamp,
          updated_at: stamp,
          addresses: addresses(state(), customer.addresses, id),
        });
        state().customers.set(id, created);
        return { status: 200, body: asAnswered(created) };
      },
    },
    {
      method: 'PUT',
      path: `${V1}/customers/:id`,
      handle: (r) => {
        const existing = state().customers.get(Number(r.params.id));
        if (!existing) return noCustomer(r.params.id);
        const customer = (r.body as { customer?: Row } | undefined)?.customer;
        if (!customer) return requiredField('customer');
        const otherEmail =
          customer.email !== undefined && String(customer.email).toLowerCase() !== String(existing.email).toLowerCase();
        if (otherEmail && emailTaken(state(), customer.email))
          return magentoError(400, 'A customer with the same email address already exists in an associated website.');
        // Addresses are replaced as a whole list when sent, and kept when not; one sent with the id of an address the
        // customer has is saved over it (AddressRepository loads it and sets what was sent).
        const sent = sentAddresses(customer.addresses, existing.addresses);
        const updated = withDefaults({
          ...existing,
          ...customer,
          id: existing.id,
          updated_at: now(),
          // Each module saves its own extension attribute (Newsletter's afterSave), so one not sent is kept.
          extension_attributes: {
            ...(existing.extension_attributes as Row | undefined),
            ...(customer.extension_attributes as Row | undefined),
          },
          addresses:
            customer.addresses === undefined ? existing.addresses : addresses(state(), sent, Number(existing.id)),
        });
        // One transaction (TransactionWrapper): a refused address leaves the customer as it was.
        const invalid = validate(updated) ?? refuseAddresses(sent);
        if (invalid) return invalid;
        state().customers.set(Number(existing.id), updated);
        return { status: 200, body: asAnswered(updated) };
      },
    },
  ];
}

function validate(customer: Row): EmulatorReply | undefined {
  for (const [field, label] of REQUIRED) if (!customer[field]) return requiredField(label);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(customer.email)))
    return magentoError(400, '"%1" is not a valid email address.', [String(customer.email)]);
  return undefined;
}

/** Magento's check (`email = :email` on customer_entity) compares under a case-insensitive collation. */
function emailTaken(state: MagentoState, email: unknown): boolean {
  const wanted = String(email).toLowerCase();
  return [...state.customers.values()].some((c) => String(c.email).toLowerCase() === wanted);
}

/** The addresses a save sends, each one with the id of a stored address laid over that address. */
function sentAddresses(list: unknown, stored: unknown = []): Row[] {
  if (!Array.isArray(list)) return [];
  const byId = new Map((Array.isArray(stored) ? (stored as Row[]) : []).map((a) => [a.id, a]));
  return (list as Row[]).map((a) => (a.id !== undefined && byId.has(a.id) ? { ...byId.get(a.id), ...a } : a));
}

/** Gives every address an id, the customer id and its region as the address keeps it (`keptRegion`). */
function addresses(state: MagentoState, list: unknown, customerId: number): Row[] {
  if (!Array.isArray(list)) return [];
  return (list as Row[]).map((a) => {
    const region = a.region && typeof a.region === 'object' ? keptRegion(a.region as Row, a.country_id) : undefined;
    return {
      ...a,
      // The address's own region_id attribute beside its region object (AbstractAddress::getDataModel answers both).
      ...(region ? { region, region_id: region.region_id } : {}),
      id: a.id ?? state.nextId.address++,
      customer_id: customerId,
    };
  });
}

const DEFAULTS = ['default_billing', 'default_shipping'] as const;

/**
 * The defaults as Magento keeps and answers them. An address saved with `default_billing` (or `default_shipping`)
 * true becomes the customer's default: Address\Relation writes its id to customer_entity, and the customer answers
 * it as a string (CustomerInterface::getDefaultBilling); `false` changes nothing. An address answers `true` only when
 * it is the customer's default and no flag otherwise (AbstractAddress::getDataModel sets only true, and the REST
 * layer leaves out a null). A default whose address the save deleted is gone [U].
 */
function withDefaults(customer: Row): Row {
  if (!Array.isArray(customer.addresses)) return customer;
  const saved = customer.addresses as Row[];
  const ids = Object.fromEntries(
    DEFAULTS.map((flag) => {
      const chosen = saved.filter((a) => a[flag] === true).at(-1)?.id ?? customer[flag];
      return [flag, saved.some((a) => String(a.id) === String(chosen)) ? String(chosen) : undefined];
    }),
  );
  const answered = saved.map((address) => {
    const { default_billing: _billing, default_shipping: _shipping, ...rest } = address;
    for (const flag of DEFAULTS) if (ids[flag] === String(address.id)) rest[flag] = true;
    return rest;
  });
  const { default_billing: _billing, default_shipping: _shipping, ...rest } = customer;
  for (const flag of DEFAULTS) if (ids[flag] !== undefined) rest[flag] = ids[flag];
  return { ...rest, addresses: answered };
}

/**
 * A region as the customer address keeps it. Sent without a region id it is not looked up: the address model takes
 * `(int)` of the id (0), which the Country validator does not count as missing, and reads the region's text back as
 * its code too (AbstractAddress::getRegionCode). So a US address with only `{ region: "Virginia" }` is saved, with
 * region id 0. With one of the country's region ids (the validator refused any other), the saved text is the
 * directory's name and the code the directory's (AbstractAddress::getRegion in beforeSave, getRegionCode).
 */
function keptRegion(region: Row, countryId: unknown): Row {
  const regionId = Math.trunc(Number(region.region_id ?? 0)) || 0;
  const listed = regionsOf(String(countryId)).find((r) => r.id === regionId);
  if (listed) return { region: listed.name, region_code: listed.code, region_id: listed.id };
  if (regionId !== 0) return region;
  const text = typeof region.region === 'string' ? region.region : null;
  return { region: text, region_code: text ?? region.region_code ?? null, region_id: 0 };
}

/**
 * A customer as 2.4 answers every read and save of one: with the Newsletter module's `is_subscribed` among its
 * extension attributes (CustomerPlugin afterGetById, afterGetList, afterSave): true once a save sent it true (the
 * store subscribes at once: `newsletter/subscription/confirm` is 0 by default), until one sends it false; false for a
 * customer never subscribed. A cart's customer is read through the same repository (Quote::getCustomer), so it too.
 */
export function asAnswered(customer: Row): Row {
  const extension = customer.extension_attributes as Row | undefined;
  return { ...customer, extension_attributes: { ...extension, is_subscribed: Boolean(extension?.is_subscribed) } };
}

function found(row: Row | undefined, id: string): EmulatorReply {
  return row ? { status: 200, body: asAnswered(row) } : noCustomer(id);
}
