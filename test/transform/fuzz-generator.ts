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

export function genData(g: Gen, depth = 0): unknown {
  const lines = Array.from({ length: g.int(4) }, (_, i) => ({
    sku: g.pick(['A1', 'B2', 'C3', 'a1']) + i,
    qty: g.int(5),
    price: g.pick([1.5, 2, 10, 0.1, -3, 99.99]),
    tags: g.chance(0.5) ? [g.pick(['x', 'y', 'z'])] : g.pick(['x', 'y']),
    ...(g.chance(0.3) ? { meta: { id: g.int(3), name: 'm' + g.int(3) } } : {}),
  }));
  return {
    id: g.int(100),
    name: g.pick(['Ann', 'bob', 'Zoë', '']),
    lines,
    meta: depth < 1 && g.chance(0.5) ? genData(g, depth + 1) : null,
  };
}

function path(g: Gen): string {
  const base = g.pick([
    'lines',
    'lines.meta',
    'meta.lines',
    'lines[qty > 1]',
    'lines[0]',
    'lines[-1]',
    '**.lines',
    'lines[tags = "x"]',
    '*',
  ]);
  return g.chance(0.6) ? `${base}.${g.pick(NAMES)}` : base;
}

function num(g: Gen, d: number): string {
  if (d > 2) return g.pick(['1', '2.5', '0', '-4', 'id', 'lines[0].qty']);
  switch (g.int(8)) {
    case 0:
      return `${num(g, d + 1)} ${g.pick(['+', '-', '*', '/', '%'])} ${num(g, d + 1)}`;
    case 1:
      return `$sum(${path(g)})`;
    case 2:
      return `$count(${path(g)})`;
    case 3:
      return `$round(${num(g, d + 1)}, ${g.int(3)})`;
    case 4:
      return `$max(lines.${g.pick(['qty', 'price'])})`;
    case 5:
      return `$length(${str(g, d + 1)})`;
    case 6:
      return `(${num(g, d + 1)})`;
    default:
      return g.pick(['id', '3', 'lines.qty', 'lines[1].price', '$number("12")']);
  }
}

function str(g: Gen, d: number): string {
  if (d > 2) return g.pick(['name', '"abc"', 'lines[0].sku', '$string(id)']);
  switch (g.int(7)) {
    case 0:
      return `${str(g, d + 1)} & ${g.pick([str(g, d + 1), num(g, d + 1)])}`;
    case 1:
      return `$uppercase(${str(g, d + 1)})`;
    case 2:
      return `$substring(${str(g, d + 1)}, ${g.int(4) - 1}, ${g.int(3)})`;
    case 3:
      return `$join(lines.sku, "${g.pick([',', '-', ''])}")`;
    case 4:
      return `$string(${g.pick([path(g), num(g, d + 1)])})`;
    case 5:
      return `$replace(${str(g, d + 1)}, /[a-c]/i, "#")`;
    default:
      return `$pad(${str(g, d + 1)}, ${g.int(9) - 4}, "*")`;
  }
}

function bool(g: Gen, d: number): string {
  switch (g.int(5)) {
    case 0:
      return `${num(g, d + 1)} ${g.pick(['<', '>=', '=', '!='])} ${num(g, d + 1)}`;
    case 1:
      return `${str(g, d + 1)} in lines.sku`;
    case 2:
      return `$exists(${path(g)})`;
    case 3:
      return `$contains(${str(g, d + 1)}, "b")`;
    default:
      return `${g.pick(['true', 'false', 'id > 50'])} ${g.pick(['and', 'or'])} ${g.pick(['$boolean(lines)', 'name = "Ann"'])}`;
  }
}

/** One expression; mixes paths, operators, functions, lambdas, constructors, sorting and grouping. */
export function genExpr(g: Gen): string {
  switch (g.int(12)) {
    case 0:
      return path(g);
    case 1:
      return num(g, 0);
    case 2:
      return str(g, 0);
    case 3:
      return bool(g, 0);
    case 4:
      return `${bool(g, 1)} ? ${num(g, 1)} : ${str(g, 1)}`;
    case 5:
      return `lines.{ "k": sku, "v": ${num(g, 2)} }`;
    case 6:
      return `lines{ sku: $sum(qty) }`;
    case 7:
      return `lines^(${g.pick(['price', '>qty', 'sku', '>price, sku'])}).sku`;
    case 8:
      return `$map(lines, function($l, $i) { $l.qty * $i + ${num(g, 2)} })`;
    case 9:
      return `$filter(lines, function($l) { ${bool(g, 2).replace(/\blines\b/g, '$l')} }).sku`;
    case 10:
      return `(${'$x'} := ${num(g, 1)}; [$x, ${str(g, 2)}, ${path(g)}])`;
    default:
      return `lines#$i[$i ${g.pick(['<', '>='])} 1].{ "i": $i, "s": sku, "p": %.id }`;
  }
}
