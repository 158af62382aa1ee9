/**
 * The store's directory of countries and regions, `GET /V1/directory/countries` and `/countries/{countryId}`
 * (Magento_Directory CountryInformationAcquirer). Regions are every row Magento_Directory's InitializeDirectoryData
 * patch inserts (directory-regions.ts: US, CA, DE, AT, CH, ES, FR, RO, FI, EE, LV, LT, BR), with the ids their
 * insertion order gives them: the ids every 2.4 store has. Not modelled: the region lists later AddDataFor* patches
 * add (HR, IN, AU, MX, PL, IT, ...; a store lists them and requires a state there, and their ids follow its patch
 * order), the codes 2026 patches change to ISO 3166-2, localised names, and the names of countries beyond those below
 * (the others answer without `full_name_*`).
 */
import type { EmulatorReply, Route } from '../../../engine/sdk/index.js';
import { INITIAL_REGION_ROWS } from './directory-regions.js';
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

const REGIONS = new Map<string, DirectoryRegion[]>();
let nextRegionId = 1;
for (const [country, pairs] of INITIAL_REGION_ROWS)
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
  ES: ['ESP', 'Spain'],
  FR: ['FRA', 'France'],
  RO: ['ROU', 'Romania'],
  FI: ['FIN', 'Finland'],
  EE: ['EST', 'Estonia'],
  LV: ['LVA', 'Latvia'],
  LT: ['LTU', 'Lithuania'],
  BR: ['BRA', 'Brazil'],
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
