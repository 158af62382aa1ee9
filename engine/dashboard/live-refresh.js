// How the dashboard's panels stay live on a slow engine without losing an operator's click: the next poll is planned
// once the last one has answered, and a table's rows are rebuilt only when what they show changed.

/**
 * Calls `refresh` now, and again `pauseMs` after each of its answers, never on a fixed beat: an engine slower than
 * the beat (a loaded machine) would otherwise be sent more requests than it answers, by every open page, and fall
 * further behind. A refresh that fails still plans the next one.
 */
export function refreshAfterEachAnswer(refresh, pauseMs) {
  const again = async () => {
    try {
      await refresh();
    } finally {
      setTimeout(again, pauseMs);
    }
  };
  void again();
}

// Per table body: each shown row by its item's id, with what it shows (JSON).
const shownRows = new WeakMap();

/**
 * Shows one row per item in `body`, in order. `build(item)` makes a row only for an item that is new or whose
 * `shows(item)` (the item itself unless given: add what else the row depends on) changed; every other row stays the
 * same element and is not moved either. A click whose press and release straddle a refresh (a slow machine, a slow
 * hand) would otherwise land on no element and be lost, and with many rows one of them changes at most refreshes.
 */
export function showRows(body, items, { id, build, shows = (item) => item }) {
  const before = shownRows.get(body) ?? new Map();
  const now = new Map();
  for (const item of items) {
    const content = JSON.stringify(shows(item));
    const kept = before.get(id(item));
    now.set(id(item), kept?.content === content ? kept : { content, row: build(item) });
  }
  shownRows.set(body, now);
  const rows = [...now.values()].map(({ row }) => row);
  const keep = new Set(rows);
  for (const row of [...body.children]) if (!keep.has(row)) row.remove();
  rows.forEach((row, n) => {
    if (body.children[n] !== row) body.insertBefore(row, body.children[n] ?? null);
  });
}
