/**
 * Magento's searchCriteria query parameters, as `GET /V1/orders` and `GET /V1/customers/search` read them: filters
 * in a group are OR-ed, groups are AND-ed; then sortOrders, pageSize and currentPage. The reply echoes
 * `search_criteria` and gives `total_count` before paging, as Magento does. Text compares as MySQL compares Magento's
 * columns: case-insensitively (the tables' default collation is utf8mb3_general_ci / utf8_general_ci), so an `eq` on
 * `grace@example.com` finds `Grace@Example.com`.
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import type { Row } from './state.js';

interface Filter {
  field: string;
  value: string;
  condition_type: string;
}

/**
 * Web API input limits (`webapi/validation/*`), off unless configured: past `maxPageSize` (300 when enabled without a
 * value) a search answers 400; without a pageSize, `defaultPageSize` (20) applies.
 */
export interface InputLimits {
  maxPageSize?: number;
  defaultPageSize?: number;
}

const FILTER_KEY = /^searchCriteria\[filter_groups\]\[(\d+)\]\[filters\]\[(\d+)\]\[(field|value|condition_type)\]$/;

/** The fields the query's filters name. */
export const filterFields = (query: Record<string, string>): string[] =>
  Object.entries(query)
    .filter(([key]) => FILTER_KEY.exec(key)?.[3] === 'field')
    .map(([, field]) => field);

/**
 * Runs the query's searchCriteria over `rows` and answers Magento's search result. A page past the last one is empty
 * (Magento 2.4; 2.3 answered the last page again).
 */
export function searchReply(
  rows: Row[],
  query: Record<string, string>,
  limits?: InputLimits,
  /** A table column, also one that the answer does not show (a quote's `customer_id`), for filters and sorts. */
  column: (row: Row, field: string) => unknown = (row, field) => row[field],
): EmulatorReply {
  const requested = query['searchCriteria[pageSize]'] ? Number(query['searchCriteria[pageSize]']) : undefined;
  const max = limits?.maxPageSize ?? 300;
  if (limits && requested !== undefined && requested > max)
    return { status: 400, body: { message: 'Maximum SearchCriteria pageSize is %max', parameters: { max } } };
  const groups = new Map<number, Map<number, Partial<Filter>>>();
  const sorts = new Map<number, { field?: string; direction?: string }>();
  for (const [key, value] of Object.entries(query)) {
    const f = FILTER_KEY.exec(key);
    if (f) {
      const group = groups.get(Number(f[1])) ?? new Map<number, Partial<Filter>>();
      group.set(Number(f[2]), { ...group.get(Number(f[2])), [f[3]]: value });
      groups.set(Number(f[1]), group);
      continue;
    }
    const s = /^searchCriteria\[sortOrders\]\[(\d+)\]\[(field|direction)\]$/.exec(key);
    if (s) sorts.set(Number(s[1]), { ...sorts.get(Number(s[1])), [s[2]]: value });
  }
  const filterGroups = [...groups.values()].map((g) => ({
    filters: [...g.values()].map((f) => ({
      field: f.field ?? '',
      value: f.value ?? '',
      condition_type: f.condition_type ?? 'eq',
    })),
  }));
  const sortOrders = [...sorts.values()]
    .filter((s) => s.field)
    .map((s) => ({ field: s.field!, direction: (s.direction ?? 'ASC').toUpperCase() }));
  let items = rows.filter((row) => filterGroups.every((g) => g.filters.some((f) => matches(column(row, f.field), f))));
  for (const sort of [...sortOrders].reverse())
    items = [...items].sort(
      (a, b) => compare(column(a, sort.field), column(b, sort.field)) * (sort.direction === 'DESC' ? -1 : 1),
    );
  const total = items.length;
  const pageSize = requested ?? (limits ? (limits.defaultPageSize ?? 20) : undefined);
  const currentPage = Number(query['searchCriteria[currentPage]'] ?? 1);
  if (pageSize) items = items.slice((currentPage - 1) * pageSize, currentPage * pageSize);
  const criteria = {
    filter_groups: filterGroups,
    ...(sortOrders.length ? { sort_orders: sortOrders } : {}),
    ...(pageSize ? { page_size: pageSize } : {}),
    ...(query['searchCriteria[currentPage]'] ? { current_page: currentPage } : {}),
  };
  return { status: 200, body: { items, search_criteria: criteria, total_count: total } };
}

/** Text as a `_general_ci` collation compares it: letter case does not count. */
const collated = (text: string): string => text.toLowerCase();

function matches(actual: unknown, filter: Filter): boolean {
  const value = collated(actual === undefined || actual === null ? '' : String(actual));
  const wanted = collated(filter.value);
  const numeric = typeof actual === 'number' && filter.value !== '' && !Number.isNaN(Number(filter.value));
  const order = numeric ? (actual as number) - Number(filter.value) : value < wanted ? -1 : value > wanted ? 1 : 0;
  switch (filter.condition_type) {
    case 'eq':
      return order === 0;
    case 'neq':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'gteq':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'lteq':
      return order <= 0;
    case 'in':
      return wanted.split(',').includes(value);
    case 'nin':
      return !wanted.split(',').includes(value);
    case 'like':
      return new RegExp(`^${filter.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*')}$`, 'i').test(
        value,
      );
    default:
      return false;
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = collated(String(a ?? ''));
  const y = collated(String(b ?? ''));
  return x < y ? -1 : x > y ? 1 : 0;
}
