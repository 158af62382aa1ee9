/**
 * What Magento checks on each customer address it saves (AddressRepository::save -> the address validators General
 * and Country): first and last name, the first street line, city, telephone (required in a default install),
 * postcode (except in the countries where it is optional) and a country among the allowed ones, as an ISO 3166
 * two-letter code. CustomerRepository::save runs in one transaction (TransactionWrapper), so one bad address refuses
 * the whole customer save. The region: a customer address sent without a region id passes, even for a country that
 * requires one (the model reads the missing id as 0, which the Country validator's NotEmpty takes as given), and is
 * kept as text (customer-routes.ts `keptRegion`); a region id that is not one of the country's regions is not
 * modelled (the emulator has no directory of regions).
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import { magentoError } from './magento-error.js';
import type { Row } from './state.js';

/** A default install's `general/country/allow` (Magento_Directory etc/config.xml). */
const ALLOWED_COUNTRIES = new Set(
  (
    'AF,AL,DZ,AS,AD,AO,AI,AQ,AG,AR,AM,AW,AU,AT,AX,AZ,BS,BH,BD,BB,BY,BE,BZ,BJ,BM,BL,BT,BO,BA,BW,BV,BR,IO,VG,BN,BG,BF,' +
    'BI,KH,CM,CA,CD,CV,KY,CF,TD,CL,CN,CX,CC,CO,KM,CG,CK,CR,HR,CU,CY,CZ,DK,DJ,DM,DO,EC,EG,SV,GQ,ER,EE,ET,FK,FO,FJ,FI,' +
    'FR,GF,PF,TF,GA,GM,GE,DE,GG,GH,GI,GR,GL,GD,GP,GU,GT,GN,GW,GY,HT,HM,HN,HK,HU,IS,IM,IN,ID,IR,IQ,IE,IL,IT,CI,JE,JM,' +
    'JP,JO,KZ,KE,KI,KW,KG,LA,LV,LB,LS,LR,LY,LI,LT,LU,ME,MF,MO,MK,MG,MW,MY,MV,ML,MT,MH,MQ,MR,MU,YT,FX,MX,FM,MD,MC,MN,' +
    'MS,MA,MZ,MM,NA,NR,NP,NL,AN,NC,NZ,NI,NE,NG,NU,NF,KP,MP,NO,OM,PK,PW,PA,PG,PY,PE,PH,PN,PL,PS,PT,PR,QA,RE,RO,RS,RU,' +
    'RW,SH,KN,LC,PM,VC,WS,SM,ST,SA,SN,SC,SL,SG,SK,SI,SB,SO,ZA,GS,KR,ES,LK,SD,SR,SJ,SZ,SE,CH,SY,TL,TW,TJ,TZ,TH,TG,TK,' +
    'TO,TT,TN,TR,TM,TC,TV,VI,UG,UA,AE,GB,US,UM,UY,UZ,VU,VA,VE,VN,WF,EH,YE,ZM,ZW'
  ).split(','),
);

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
  return problems;
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
