/**
 * The store's directory of countries and regions, `GET /V1/directory/countries` and `/countries/{countryId}`
 * (Magento_Directory CountryInformationAcquirer). Regions are the rows Magento_Directory's InitializeDirectoryData
 * patch inserts first, with the ids their insertion order gives them (US 1-65, CA 66-78, DE 79-94, AT 95-103,
 * CH 104-129): the ids a fresh 2.4 store has. Not modelled: the other countries' region lists (ES, FR, RO, FI, EE,
 * LV, LT, BR in the same patch, and those later AddDataFor* patches add), localised names, and countries' names beyond
 * the few below (the others answer without `full_name_*`).
 */
import type { EmulatorReply, Route } from '../../../engine/sdk/index.js';
import { magentoError } from './magento-error.js';

/** A default install's `general/country/allow` (Magento_Directory etc/config.xml). */
export const ALLOWED_COUNTRIES = new Set(
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

/** One region of a country: its id (directory_country_region.region_id), code and default name. */
export interface DirectoryRegion {
  id: number;
  code: string;
  name: string;
}

/** Each country's regions as `code:name` pairs, in InitializeDirectoryData's order (which gives the ids). */
const ROWS: [string, string][] = [
  [
    'US',
    'AL:Alabama,AK:Alaska,AS:American Samoa,AZ:Arizona,AR:Arkansas,AE:Armed Forces Africa,' +
      'AA:Armed Forces Americas,AE:Armed Forces Canada,AE:Armed Forces Europe,AE:Armed Forces Middle East,' +
      'AP:Armed Forces Pacific,CA:California,CO:Colorado,CT:Connecticut,DE:Delaware,DC:District of Columbia,' +
      'FM:Federated States Of Micronesia,FL:Florida,GA:Georgia,GU:Guam,HI:Hawaii,ID:Idaho,IL:Illinois,' +
      'IN:Indiana,IA:Iowa,KS:Kansas,KY:Kentucky,LA:Louisiana,ME:Maine,MH:Marshall Islands,MD:Maryland,' +
      'MA:Massachusetts,MI:Michigan,MN:Minnesota,MS:Mississippi,MO:Missouri,MT:Montana,NE:Nebraska,' +
      'NV:Nevada,NH:New Hampshire,NJ:New Jersey,NM:New Mexico,NY:New York,NC:North Carolina,ND:North Dakota,' +
      'MP:Northern Mariana Islands,OH:Ohio,OK:Oklahoma,OR:Oregon,PW:Palau,PA:Pennsylvania,PR:Puerto Rico,' +
      'RI:Rhode Island,SC:South Carolina,SD:South Dakota,TN:Tennessee,TX:Texas,UT:Utah,VT:Vermont,' +
      'VI:Virgin Islands,VA:Virginia,WA:Washington,WV:West Virginia,WI:Wisconsin,WY:Wyoming',
  ],
  [
    'CA',
    'AB:Alberta,BC:British Columbia,MB:Manitoba,NL:Newfoundland and Labrador,NB:New Brunswick,' +
      'NS:Nova Scotia,NT:Northwest Territories,NU:Nunavut,ON:Ontario,PE:Prince Edward Island,QC:Quebec,' +
      'SK:Saskatchewan,YT:Yukon Territory',
  ],
  [
    'DE',
    'NDS:Niedersachsen,BAW:Baden-Württemberg,BAY:Bayern,BER:Berlin,BRG:Brandenburg,BRE:Bremen,HAM:Hamburg,' +
      'HES:Hessen,MEC:Mecklenburg-Vorpommern,NRW:Nordrhein-Westfalen,RHE:Rheinland-Pfalz,SAR:Saarland,' +
      'SAS:Sachsen,SAC:Sachsen-Anhalt,SCN:Schleswig-Holstein,THE:Thüringen',
  ],
  [
    'AT',
    'WI:Wien,NO:Niederösterreich,OO:Oberösterreich,SB:Salzburg,KN:Kärnten,ST:Steiermark,TI:Tirol,' +
      'BL:Burgenland,VB:Vorarlberg',
  ],
  [
    'CH',
    'AG:Aargau,AI:Appenzell Innerrhoden,AR:Appenzell Ausserrhoden,BE:Bern,BL:Basel-Landschaft,' +
      'BS:Basel-Stadt,FR:Freiburg,GE:Genf,GL:Glarus,GR:Graubünden,JU:Jura,LU:Luzern,NE:Neuenburg,' +
      'NW:Nidwalden,OW:Obwalden,SG:St. Gallen,SH:Schaffhausen,SO:Solothurn,SZ:Schwyz,TG:Thurgau,TI:Tessin,' +
      'UR:Uri,VD:Waadt,VS:Wallis,ZG:Zug,ZH:Zürich',
  ],
];

const REGIONS = new Map<string, DirectoryRegion[]>();
let nextRegionId = 1;
for (const [country, pairs] of ROWS)
  REGIONS.set(
    country,
    pairs.split(',').map((pair) => {
      const [code, name] = pair.split(':');
      return { id: nextRegionId++, code, name };
    }),
  );

/**
 * Countries with regions whose state is optional: the Directory data installer sets `general/region/state_required`
 * to every country with regions except these (Magento_Directory etc/di.xml `countriesWithNotRequiredStates`).
 */
const STATE_OPTIONAL = new Set(['FR', 'DE', 'AT', 'FI', 'BE']);

/** ISO 3166 alpha-3 codes and English names of the countries the emulator names. */
const NAMED: Record<string, [string, string]> = {
  US: ['USA', 'United States'],
  CA: ['CAN', 'Canada'],
  DE: ['DEU', 'Germany'],
  AT: ['AUT', 'Austria'],
  CH: ['CHE', 'Switzerland'],
  GB: ['GBR', 'United Kingdom'],
};

/** The country's regions (none for a country without a list). */
export const regionsOf = (countryId: string): DirectoryRegion[] => REGIONS.get(countryId) ?? [];

/** Whether the store requires a state for the country (`general/region/state_required` of a fresh install). */
export const stateRequired = (countryId: string): boolean =>
  regionsOf(countryId).length > 0 && !STATE_OPTIONAL.has(countryId);

/** CountryInformationInterface as REST answers it: region ids are strings, and a country without regions has none. */
function countryInfo(countryId: string) {
  const [iso3, name] = NAMED[countryId] ?? [];
  const regions = regionsOf(countryId);
  return {
    id: countryId,
    two_letter_abbreviation: countryId,
    ...(iso3 ? { three_letter_abbreviation: iso3, full_name_locale: name, full_name_english: name } : {}),
    ...(regions.length > 0
      ? { available_regions: regions.map((r) => ({ id: String(r.id), code: r.code, name: r.name })) }
      : {}),
  };
}

/**
 * Directory routes under `/rest/:store/V1`. Anonymous, as in Magento_Directory's webapi.xml (resource `anonymous`): a
 * storefront reads them without credentials, so the emulator checks none there.
 */
export function directoryRoutes(V1: string): Route[] {
  return [
    {
      method: 'GET',
      path: `${V1}/directory/countries`,
      public: true,
      handle: (): EmulatorReply => ({ status: 200, body: [...ALLOWED_COUNTRIES].map(countryInfo) }),
    },
    {
      method: 'GET',
      path: `${V1}/directory/countries/:countryId`,
      public: true,
      // The store's countries are the allowed ones; any other id (a name, lower case) is not found.
      handle: (r): EmulatorReply =>
        ALLOWED_COUNTRIES.has(r.params.countryId)
          ? { status: 200, body: countryInfo(r.params.countryId) }
          : magentoError(404, 'Requested country is not available.'),
    },
  ];
}
