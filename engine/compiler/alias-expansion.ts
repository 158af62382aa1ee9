/**
 * How much of a YAML document its aliases make, and whether that is an alias bomb ("billion laughs"). The `yaml`
 * package's own guard (`maxAliasCount`, 100 by default) counts, per anchor, its aliases times the aliases nested in
 * it (node_modules/yaml/dist/nodes/Alias.js, `data.count * data.aliasCount`): a file whose shared `&defaults` is
 * merged into 101 entries fails it although it expands to little, while a chain of many anchors, each used once per
 * level, stays under it. What exhausts memory is the expansion: every value a walk of the document visits with its
 * aliases expanded (validation, the bundle, the transforms all walk it). So the limit is go-yaml v3's
 * (gopkg.in/yaml.v3 decode.go, `allowedAliasRatio`): a document of more than 1,000 values may take at most 99% of
 * them from aliases up to 400,000 values, a share falling to 10% at 4,000,000. A file that writes its values out
 * is never refused; a bomb, almost all expansion, is.
 */
import { isAlias, isCollection, isPair, isScalar, visit } from 'yaml';
import type { Alias, Document } from 'yaml';

export interface AliasExpansion {
  /** Values a walk of the document visits, aliases expanded. */
  values: number;
  /** Of those, the values the aliases repeat (not written where they appear). */
  fromAliases: number;
  /** The alias that repeats the most values, and how many: where a chain explodes. */
  worst?: { alias: Alias; values: number };
}

/**
 * What each alias of the document repeats (undefined: no anchor before it), in one walk: the last node before it
 * with its anchor, as `Alias.resolve` finds it, which walks the whole document again for every alias it is asked.
 */
export function aliasTargets(doc: Document.Parsed): Map<Alias, unknown> {
  const anchors = new Map<string, unknown>();
  const targets = new Map<Alias, unknown>();
  visit(doc, {
    Alias(_, alias) {
      targets.set(alias, anchors.get(alias.source));
    },
    Node(_, node) {
      if (!isAlias(node) && node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

/** The document's expansion; undefined when it has no alias. */
export function aliasExpansion(doc: Document.Parsed, targets = aliasTargets(doc)): AliasExpansion | undefined {
  if (targets.size === 0) return undefined;
  // Values under each node with aliases expanded, counted once per node; a node counts 1 while it is being counted,
  // so an alias inside its own anchor ends.
  const sizes = new Map<unknown, number>();
  const size = (node: unknown): number => {
    if (isAlias(node)) return size(targets.get(node));
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, 1);
    let n = 1;
    if (isCollection(node))
      for (const item of node.items) n += isPair(item) ? size(item.key) + size(item.value) : size(item);
    sizes.set(node, Math.min(n, Number.MAX_SAFE_INTEGER));
    return n;
  };
  let written = 0;
  let worst: AliasExpansion['worst'];
  visit(doc, {
    Alias(_, alias) {
      const values = size(alias);
      if (!worst || values > worst.values) worst = { alias, values };
    },
    Node(_, node) {
      if (isScalar(node) || isCollection(node)) written++;
    },
  });
  const values = doc.contents ? size(doc.contents) : 0;
  return { values, fromAliases: Math.max(values - written, 0), worst };
}

/** The share of a document of `values` values that may come from aliases (go-yaml v3's `allowedAliasRatio`). */
export function allowedAliasShare(values: number): number {
  const [low, high] = [400_000, 4_000_000];
  if (values <= low) return 0.99;
  if (values >= high) return 0.1;
  return 0.99 - (0.89 * (values - low)) / (high - low);
}

/** True for a bomb: more than 1,000 values, more than 100 of them repeated, and a larger share than allowed. */
export function isAliasBomb({ values, fromAliases }: AliasExpansion): boolean {
  return fromAliases > 100 && values > 1000 && fromAliases / values > allowedAliasShare(values);
}
