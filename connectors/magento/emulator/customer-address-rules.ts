/**
 * What Magento checks on each customer address it saves (AddressRepository::save -> the address validators General
 * and Country): first and last name, the first street line, city, telephone (required in a default install),
 * postcode (except in the countries where it is optional), a country among the allowed ones, as an ISO 3166
 * two-letter code, and then the region (`regionProblems`). CustomerRepository::save runs in one transaction
 * (TransactionWrapper), so one bad address refuses the whole customer save. A region sent without a region id passes,
 * even for a country that requires one, and is kept as text (customer-routes.ts `keptRegion`); a region id must be
 * one of the country's regions in the store's directory (directory.ts).
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import { ALLOWED_COUNTRIES, regionsOf, stateRequired } from './directory.js';
import { magentoError } from './magento-error.js';
import type { Row } from './state.js';

/** A default install's `general/country/optional_zip_countries`. */
const OPTIONAL_POSTCODE = new Set(['HK', 'IE', 'MO', 'PA', 'GB']);

const REQUIRED = '"%fieldName" is required. Enter and try again.';

interface Phrase {
  message: string;
  parameters: Record<string, string>;
}

const blank = (value: unknown): boolean => value === undefined || value === null || String(value).trim() === '';

/** The validators' messages for one address, in Magento's order (General, then Country). */
export function addressProblems(address: Row): Phrase[] {
  const required = (fieldName: string): Phrase => ({ message: REQUIRED, parameters: { fieldName } });
  const problems: Phrase[] = [];
  const street = Array.isArray(address.street) ? (address.street as unknown[])[0] : address.street;
  for (const [field, value] of [
    ['firstname', address.firstname],
    ['lastname', address.lastname],
    ['street', street],
    ['city', address.city],
    ['telephone', address.telephone],
  ] as const)
    if (blank(value)) problems.push(required(field));
  const country = blank(address.country_id) ? '' : String(address.country_id);
  if (!OPTIONAL_POSTCODE.has(country) && blank(address.postcode)) problems.push(required('postcode'));
  if (!country) problems.push(required('countryId'));
  else if (!ALLOWED_COUNTRIES.has(country))
    problems.push({
      message: 'Invalid value of "%value" provided for the %fieldName field.',
      parameters: { fieldName: 'countryId', value: country },
    });
  else problems.push(...regionProblems(address, country));
  return problems;
}

/**
 * Country::validateRegion, run once the country passed. The region id is the address model's `(int)` of what was
 * sent, read as a string: "0" when none was sent, which NotEmpty counts as given, so a state-required country with
 * no region id (or only a text) passes; a non-zero id must be one of the country's regions. A state-required country
 * without a region list would need the text (no such country in a fresh store).
 */
function regionProblems(address: Row, country: string): Phrase[] {
  const region = (address.region ?? {}) as Row;
  const regionId = String(Math.trunc(Number(region.region_id ?? 0)) || 0);
  const allowed = regionsOf(country).map((r) => String(r.id));
  if (stateRequired(country) && allowed.length === 0 && blank(region.region))
    return [{ message: REQUIRED, parameters: { fieldName: 'region' } }];
  if (allowed.length > 0 && regionId !== '0' && !allowed.includes(regionId))
    return [
      {
        message: 'Invalid value of "%value" provided for the %fieldName field.',
        parameters: { fieldName: 'regionId', value: regionId },
      },
    ];
  return [];
}

/**
 * The answer to the first address that fails (AddressRepository throws an InputException with its problems): one
 * problem is the message itself, several are "One or more input exceptions have occurred." with `errors`.
 */
export function refuseAddresses(addresses: Row[]): EmulatorReply | undefined {
  for (const address of addresses) {
    const problems = addressProblems(address);
    if (problems.length === 1) return magentoError(400, problems[0].message, problems[0].parameters);
    if (problems.length > 1)
      return { status: 400, body: { message: 'One or more input exceptions have occurred.', errors: problems } };
  }
  return undefined;
}
