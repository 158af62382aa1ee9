/** Deterministic generator of JSONata expressions and input documents for differential testing. */

/** mulberry32: a small seeded PRNG, so every run generates the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(private readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
}

const NAMES = ['sku', 'qty', 'price', 'name', 'tags', 'lines', 'meta', 'id'];

// ---------------------------------------------------------------------------------------------------------------
// Typed grammar (the fuzzer of `npm run fuzz:jsonata` and the CI sample): expressions built by the type they
// produce, over a typed document whose fields include inherited-name keys, unicode text, dates and nulls.

/** One generated case: the grammar area it exercises, the expression and its input. */
interface FuzzCase {
  area: string;
  expr: string;
  data: unknown;
}

const TEXT = ['Ann', 'bob', 'Zoë', '', 'a-b c', 'ÅÄÖ', 'x1', '  pad  ', 'e\u0301', '😀ok', 'A,B;C', 'line\nbreak'];
const KEYS_INHERITED = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];
const DATES = ['2026-03-23T10:33:36Z', '2018-02-28', '1999-12-31T23:59:59.999Z', '2026-11-20T15:30:00+01:00'];

/** A document with typed fields: `items` (objects), `tags` (strings), `n`/`f` numbers, `d` dates, `o` nested. */
function genDoc(g: Gen): unknown {
  const items = Array.from({ length: g.int(5) }, (_, i) => ({
    sku: g.pick(['A1', 'B2', 'c3', 'A1']) + (i % 2),
    qty: g.int(6) - 1,
    price: g.pick([0, 1.5, 2, 10.25, 0.1, -3, 99.995, 1e6]),
    tags: g.pick([['x'], ['x', 'y'], [], 'x']),
    date: g.pick(DATES),
    ...(g.chance(0.3) ? { note: g.pick(TEXT) } : {}),
    ...(g.chance(0.15) ? { [g.pick(KEYS_INHERITED)]: g.pick(['v', 1, null]) } : {}),
  }));
  return {
    id: g.int(1000),
    name: g.pick(TEXT),
    n: g.pick([0, 1, -7, 42, 3.5, 1234567.891]),
    f: g.pick([0.5, 2.675, -0.125, 1e-7, 10]),
    flag: g.chance(0.5),
    nothing: null,
    d: g.pick(DATES),
    tags: g.pick([['x', 'y'], ['z'], []]),
    items,
    o: g.chance(0.6) ? { a: g.int(3), b: { c: g.pick(TEXT) }, list: [1, 2, 3] } : {},
  };
}

type Typed = (g: Gen, d: number) => string;

const leafNum: Typed = (g) => g.pick(['n', 'f', 'id', '1', '0', '-2.5', 'items[0].qty', 'o.a', '$count(items)']);
const leafStr: Typed = (g) => g.pick(['name', 'items[0].sku', 'o.b.c', '"abc"', "'Zoë'", '$string(id)', 'd']);
const leafArr: Typed = (g) => g.pick(['items', 'items.qty', 'items.price', 'tags', 'items.sku', 'o.list', '[1,2,3]']);

const num: Typed = (g, d) => {
  if (d > 2) return leafNum(g, d);
  switch (g.int(9)) {
    case 0:
      return `${num(g, d + 1)} ${g.pick(['+', '-', '*', '/', '%'])} ${num(g, d + 1)}`;
    case 1:
      return `$${g.pick(['sum', 'max', 'min', 'average', 'count'])}(${arr(g, d + 1)})`;
    case 2:
      return `$round(${num(g, d + 1)}, ${g.int(4) - 1})`;
    case 3:
      return `$${g.pick(['floor', 'ceil', 'abs', 'sqrt'])}(${num(g, d + 1)})`;
    case 4:
      return `$length(${str(g, d + 1)})`;
    case 5:
      return `$number(${g.pick(['"12"', '"-1.5e3"', '"0x1F"', 'flag', '"abc"', '$string(n)'])})`;
    case 6:
      return `$toMillis(${g.pick(['d', 'items[0].date', '"2026-01-01"'])})`;
    case 7:
      return `$reduce(${arr(g, d + 1)}, function($a, $b) { $a + ($type($b) = "number" ? $b : 1) }, 0)`;
    default:
      return leafNum(g, d);
  }
};

const PICTURES = ['#,##0.00', '0.0', '#', '#,###.##', '000', '0.00e0', '#%', '0,000.###', '#;(#)'];
const DATE_PICTURES = [
  '[Y0001]-[M01]-[D01]',
  '[D1o] [MNn] [Y]',
  '[H01]:[m01]:[s01]',
  '[FNn], [D] [MN,*-3]',
  '[Y,2][M01]',
];

const str: Typed = (g, d) => {
  if (d > 2) return leafStr(g, d);
  switch (g.int(12)) {
    case 0:
      return `${str(g, d + 1)} & ${g.pick([str(g, d + 1), num(g, d + 1)])}`;
    case 1:
      return `$${g.pick(['uppercase', 'lowercase', 'trim', 'base64encode', 'encodeUrlComponent'])}(${str(g, d + 1)})`;
    case 2:
      return `$substring(${str(g, d + 1)}, ${g.int(6) - 2}${g.chance(0.5) ? ', ' + g.int(4) : ''})`;
    case 3:
      return `$join(${g.pick(['items.sku', 'tags', '$split(name, "")'])}, "${g.pick([',', '', ' | '])}")`;
    case 4:
      return `$replace(${str(g, d + 1)}, ${regex(g)}, ${g.pick(['"#"', '"[$1]"', '"$0$0"', 'function($m) { $uppercase($m.match) }'])})`;
    case 5:
      return `$pad(${str(g, d + 1)}, ${g.int(11) - 5}, "${g.pick(['*', '', '-=', ' '])}")`;
    case 6:
      return `$formatNumber(${num(g, d + 1)}, "${g.pick(PICTURES)}")`;
    case 7:
      return `$fromMillis(${g.pick(['0', '1521801216617', '$toMillis(d)', '-86400000'])}, "${g.pick(DATE_PICTURES)}"${g.chance(0.3) ? `, "${g.pick(['+0100', '-0530'])}"` : ''})`;
    case 8:
      return `$formatInteger(${g.pick(['n', 'id', '7', '1999'])}, "${g.pick(['w', 'I', 'A', '0001', '#,##0', '1;o', 'Ww'])}")`;
    case 9:
      return `$substringBefore(${str(g, d + 1)}, "${g.pick(['-', 'b', ' ', ''])}")`;
    case 10:
      return `$string(${g.pick(['items[0]', 'o', 'tags', 'nothing', 'flag', 'f', 'items'])})`;
    default:
      return leafStr(g, d);
  }
};

function regex(g: Gen): string {
  return g.pick([
    '/[a-c]/i',
    '/(\\w+)\\s(\\w+)/',
    '/^(a+)+$/',
    '/(x)?(b)/',
    '/\\d+/',
    '/[aeiou]{2,}/i',
    '/o(?=k)/',
    '/\\s+/',
  ]);
}

const bool: Typed = (g, d) => {
  switch (g.int(8)) {
    case 0:
      return `${num(g, d + 1)} ${g.pick(['<', '<=', '>', '>=', '=', '!='])} ${num(g, d + 1)}`;
    case 1:
      return `${str(g, d + 1)} ${g.pick(['=', '!=', '<'])} ${str(g, d + 1)}`;
    case 2:
      return `${str(g, d + 1)} in ${g.pick(['items.sku', 'tags', '["x","Ann"]'])}`;
    case 3:
      return `$exists(${path(g)})`;
    case 4:
      return `$contains(${str(g, d + 1)}, ${g.chance(0.5) ? regex(g) : '"b"'})`;
    case 5:
      return `$boolean(${g.pick(['items', 'tags', 'nothing', 'name', 'o', '0', '""'])})`;
    case 6:
      return `${bool(g, d + 2)} ${g.pick(['and', 'or'])} ${bool(g, d + 2)}`;
    default:
      return `$not(${g.pick(['flag', 'name', 'items[0].qty'])})`;
  }
};

const arr: Typed = (g, d) => {
  if (d > 2) return leafArr(g, d);
  switch (g.int(7)) {
    case 0:
      return `items[${bool(g, d + 1).replace(/\bitems\b/g, '$$.items')}].${g.pick(['qty', 'price', 'sku'])}`;
    case 1:
      return `$map(${arr(g, d + 1)}, function($v, $i) { ${g.pick(['$v', '$i', '$string($v) & $i', '$type($v)'])} })`;
    case 2:
      return `$filter(items, function($v) { $v.qty ${g.pick(['>', '<=', '='])} ${g.int(4)} }).${g.pick(['sku', 'price'])}`;
    case 3:
      return `$sort(${g.pick(['items.qty', 'items.sku', 'tags', '[3,1,2]'])})`;
    case 4:
      return `$distinct(${g.pick(['items.sku', 'items.tags', '[1,1,"1",null,null]'])})`;
    case 5:
      return `$append(${arr(g, d + 1)}, ${g.pick([num(g, d + 1), str(g, d + 1)])})`;
    default:
      return leafArr(g, d);
  }
};

function pathStep(g: Gen): string {
  return g.pick([...NAMES, 'items', 'o', 'b', 'c', 'list', 'tags', ...KEYS_INHERITED, '`name`', '*']);
}

function path(g: Gen): string {
  const steps = Array.from({ length: 1 + g.int(3) }, () => pathStep(g));
  let p = steps.join('.');
  if (g.chance(0.3)) p += `[${g.pick(['0', '-1', 'qty > 1', '$ = "x"', 'sku', '[0,1]'])}]`;
  return g.chance(0.1) ? `**.${pathStep(g)}` : p;
}

const AREAS: Record<string, (g: Gen) => string> = {
  path: (g) => path(g),
  numeric: (g) => num(g, 0),
  string: (g) => str(g, 0),
  boolean: (g) => bool(g, 0),
  array: (g) => arr(g, 0),
  condition: (g) => `${bool(g, 1)} ? ${num(g, 1)} : ${str(g, 1)}`,
  object: (g) =>
    `items.{ ${g.pick(['"k"', 'sku', '"__proto__"', '"constructor"'])}: ${g.pick(['qty', 'price', num(g, 2)])} }`,
  'group-by': (g) =>
    `items{ ${g.pick(['sku', '$string(qty)', 'note', '"all"'])}: ${g.pick(['$sum(price)', 'qty', '$count(sku)', '$'])} }`,
  sort: (g) => `items^(${g.pick(['price', '>qty', 'sku', '>price, sku', 'date'])}).${g.pick(['sku', 'qty'])}`,
  binding: (g) => `items#$i@$it[$i ${g.pick(['<', '>='])} 1].{ "i": $i, "s": $it.sku, "id": %.id }`,
  block: (g) => `($x := ${num(g, 1)}; $y := ${str(g, 2)}; [$x, $y, ${path(g)}])`,
  lambda: (g) =>
    `($f := function($a, $b) { ${g.pick(['$a + $b', '$a & $b', '$b ? $a : 0'])} }; $f(${num(g, 2)}, ${num(g, 2)}))`,
  transform: (g) =>
    `$ ~> | ${g.pick(['items', 'o', '$', 'o.b', '__proto__'])} | ${g.pick(['{"x": 1}', '{"qty": 0}', '{"__proto__": {"p": 1}}', '{}'])}${g.chance(0.4) ? `, ${g.pick(['"qty"', '["sku","tags"]', '"c"'])}` : ''} |`,
  lookup: (g) =>
    `$lookup(${g.pick(['o', 'items[0]', '$', 'o.b'])}, ${g.pick([...KEYS_INHERITED.map((k) => `"${k}"`), '"a"', 'name'])})`,
  keys: (g) =>
    `${g.pick(['$keys', '$spread', '$sift'])}(${g.pick(['o', 'items', 'items[0]', '$'])}${g.chance(0.3) ? ', function($v) { $v }' : ''})`,
  date: (g) =>
    `$toMillis(${g.pick(['"2018th"', '"15"', '"10:30"', '"March 2018"', '"2026-13-01"', '"23/03/26"'])}, "${g.pick(['[Y0001;o]', '[D]', '[m]:[s]', '[MNn] [Y]', '[Y]-[M]-[D]', '[D01]/[M01]/[Y01]', '[H]:[m]'])}") = $toMillis("2000-01-01") or true`,
};

/** One case of a random area. */
export function genCase(g: Gen): FuzzCase {
  const area = g.pick(Object.keys(AREAS));
  return { area, expr: AREAS[area](g), data: genDoc(g) };
}
