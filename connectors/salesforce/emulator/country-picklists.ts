/**
 * State and Country/Territory Picklists (Salesforce Help: "Integration Values for State and Country/Territory
 * Picklists", "State and Country/Territory Picklist Field-Syncing Logic"; API guide "Address Compound Fields"). With
 * them on, a standard address's Country text field holds an integration value (by default the country's standard
 * name) and a picklist `…CountryCode` field, which exists only then, holds its ISO code; the two are kept in step.
 * Without them Country is free text and no `…CountryCode` field exists. States are not modelled.
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import type { Row } from './record-store.js';

/**
 * The standard countries the emulator knows, ISO code -> standard name (Salesforce Help "Standard Countries and
 * Territories for Address Picklists"; of its 235, those the seed flows meet). A code not here is an unavailable
 * country in the emulator.
 */
export const STANDARD_COUNTRIES: Readonly<Record<string, string>> = {
  AT: 'Austria',
  AU: 'Australia',
  BE: 'Belgium',
  BR: 'Brazil',
  CA: 'Canada',
  CH: 'Switzerland',
  CN: 'China',
  CZ: 'Czechia',
  DE: 'Germany',
  DK: 'Denmark',
  ES: 'Spain',
  FI: 'Finland',
  FR: 'France',
  GB: 'United Kingdom',
  HK: 'Hong Kong',
  IE: 'Ireland',
  IN: 'India',
  IT: 'Italy',
  JP: 'Japan',
  LU: 'Luxembourg',
  MX: 'Mexico',
  NL: 'Netherlands',
  NO: 'Norway',
  NZ: 'New Zealand',
  PL: 'Poland',
  PT: 'Portugal',
  SE: 'Sweden',
  SG: 'Singapore',
  US: 'United States',
  ZA: 'South Africa',
};

/** An org's country picklist: ISO code -> integration value (the standard names unless the admin edited them). */
export type CountryPicklist = ReadonlyMap<string, string>;

/** An org's picklist with the feature on: the standard names, the admin's own integration values over them. */
export function countryPicklist(integrationValues: Record<string, string> = {}): CountryPicklist {
  return new Map(Object.entries({ ...STANDARD_COUNTRIES, ...integrationValues }));
}

/** The `x-country-code-of` marker: this picklist field is the code of that country text field. */
type Fields = Record<string, { title?: string; 'x-country-code-of'?: string }>;

/** The code fields of an object (`BillingCountryCode` -> `BillingCountry`). */
export const countryCodeFields = (properties: Fields): [code: string, text: string][] =>
  Object.entries(properties).flatMap(([name, def]) =>
    def['x-country-code-of'] ? [[name, def['x-country-code-of']]] : [],
  );

/**
 * A write's country fields as the org saves them: a code sets the text to its integration value, an integration value
 * sets the code; a value that is neither is refused (FIELD_INTEGRITY_EXCEPTION), and so is an update that sends a code
 * and a text that disagree (a create takes the code's). Removing the code removes the text.
 */
export function syncCountries(
  picklist: CountryPicklist,
  properties: Fields,
  row: Row,
  existing?: Row,
): { row: Row } | { reply: EmulatorReply } {
  const out = { ...row };
  for (const [codeField, textField] of countryCodeFields(properties)) {
    const code = row[codeField];
    const text = row[textField];
    const label = properties[textField]?.title ?? textField;
    if (code !== undefined && code !== null) {
      const value = picklist.get(String(code));
      if (value === undefined)
        return {
          reply: sfError(
            400,
            'FIELD_INTEGRITY_EXCEPTION',
            `The ${codeField} field contains ${String(code)}, which isn't an available country/territory. Your administrator can add it for you.`,
            [codeField],
          ),
        };
      if (existing && text !== undefined && text !== null && text !== value)
        return { reply: badCountry(label, textField) };
      out[textField] = value;
    } else if (code === null) {
      out[textField] = null;
    } else if (text !== undefined && text !== null) {
      const match = [...picklist].find(([, value]) => value === text);
      if (!match) return { reply: badCountry(label, textField) };
      out[codeField] = match[0];
    } else if (text === null) {
      out[codeField] = null;
    }
  }
  return { row: out };
}

/** Salesforce's error body (as `sfError` in field-rules.ts, which imports this module). */
const sfError = (status: number, errorCode: string, message: string, fields: string[]): EmulatorReply => ({
  status,
  body: [{ message, errorCode, fields }],
});

const badCountry = (label: string, field: string) =>
  sfError(
    400,
    'FIELD_INTEGRITY_EXCEPTION',
    `There's a problem with this country, even though it may appear correct. Please select a country/territory from the list of valid countries.: ${label}`,
    [field],
  );
