// The dashboard: polls the engine's JSON API a second after each answer and renders it. Data is only ever
// inserted as text (textContent), never as HTML, so an event's content cannot inject markup.
import { refreshAfterEachAnswer, showRows } from './live-refresh.js';

const $ = (selector) => document.querySelector(selector);
const state = {
  dlq: [],
  selected: new Set(),
  open: undefined,
  session: undefined,
  countsSince: undefined,
  // A replay of the selection is running: "Replay selected" waits for it (a second click would send it again).
  replaying: false,
};

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells, onClick) {
  const tr = document.createElement('tr');
  for (const cell of cells)
    tr.append(cell instanceof Node ? (cell.tagName === 'TD' ? cell : wrap(cell)) : el('td', cell));
  if (onClick) {
    tr.classList.add('clickable');
    tr.addEventListener('click', onClick);
  }
  return tr;
}

function wrap(node) {
  const td = document.createElement('td');
  td.append(node);
  return td;
}

const num = (value) => Object.assign(el('td', value ?? 0), { className: 'num' });

/** A live figure from the API (null: nothing measured in its window), with fewer decimals as it grows. */
function figure(value) {
  if (value === null || value === undefined) return num('–');
  return num(value < 1 ? value.toFixed(2) : value < 10 ? value.toFixed(1) : Math.round(value));
}

// A stream or poll runs on one engine of the cluster at a time: which one (none for a moment after it died).
function sourceCell(i) {
  if (i.source !== 'stream' && i.source !== 'schedule') return i.source ?? '';
  if (!i.leader) return el('span', `${i.source} · no leader`, 'warn');
  return `${i.source} · ${i.leader.holder}${i.leader.self ? ' (this engine)' : ''}`;
}

// A source failing round after round: how long, and why (the status cell's tooltip).
function sourceFailure(health) {
  if (!health?.failedRounds) return undefined;
  const since = health.lastSuccessAt ? `last success ${health.lastSuccessAt}` : 'no success yet';
  const last = health.lastFailure ? `, the last at ${health.lastFailure.at}: ${health.lastFailure.message}` : '';
  return `source failed ${health.failedRounds} rounds in a row (${since})${last}`;
}

// Changes a source's vendor could not send as events (an overflow event, say): nothing delivers them until someone
// reconciles the integration, so they are listed above the table, each with the command that recovers them.
function missedChangesItem(i) {
  const item = el('li');
  item.dataset.integration = i.name;
  const when = new Date(i.missedChanges.at).toLocaleString();
  item.append(
    el('strong', `${i.name}: missed changes (${when})`, 'bad'),
    el('span', ` ${i.missedChanges.message}`),
    el('br'),
    el('span', 'To recover them: '),
    el('code', i.missedChanges.recover),
  );
  return item;
}

function renderMissedChanges(integrations) {
  const open = integrations.filter((i) => i.missedChanges && !i.missedChanges.reconciledAt);
  showRows($('#missed-changes'), open, { id: (i) => i.name, shows: (i) => i.missedChanges, build: missedChangesItem });
}

// A hot-loaded change of an integration's key being drained: normal, and it ends by itself, but until then the same
// records' newer events wait behind those stored or parked under the old key. One line each, above the table.
function keyChangeText(k) {
  const partitions = `${k.partitionsLeft} partition${k.partitionsLeft === 1 ? '' : 's'}`;
  const parked =
    k.parkedKeysLeft === null
      ? 'parked keys counted once every partition has passed them'
      : `${k.parkedKeysLeft} key${k.parkedKeysLeft === 1 ? '' : 's'} parked under the old key`;
  return (
    `key ${k.oldKey} -> ${k.newKey} (${short(k.from)} -> ${short(k.to)}): old-key events left in ${partitions}, ` +
    `${parked}; the same records' newer events wait behind them (${k.held} here)`
  );
}

function keyChangeItem({ integration, change }) {
  const item = el('li');
  item.dataset.integration = integration;
  const since = new Date(change.since).toLocaleString();
  item.append(
    el('strong', `${integration}: draining a key change (since ${since})`, 'warn'),
    el('span', ` ${keyChangeText(change)}`),
  );
  return item;
}

function renderKeyChanges(integrations) {
  const changes = integrations.flatMap((i) => (i.keyChanges ?? []).map((change) => ({ integration: i.name, change })));
  showRows($('#key-changes'), changes, {
    id: ({ integration, change }) => JSON.stringify([integration, change.from, change.to]),
    build: keyChangeItem,
  });
}

// Lag, and the consumers the broker lost (a restart): their stored events count in it and wait until one is back.
function lagCell(i) {
  const missing = i.missingConsumers ?? [];
  if (missing.length === 0) return num(i.lag);
  const cell = el('td', `${i.lag} · ${missing.length} consumer${missing.length === 1 ? '' : 's'} missing`, 'num bad');
  cell.title = missing
    .map((m) => `${m.consumer} missing on the broker: ${m.stored} stored event${m.stored === 1 ? '' : 's'} wait`)
    .join('\n');
  return cell;
}

// Git commits are shortened; other labels ("working-tree" when running a plain directory) are shown whole.
const short = (sha) => (!sha ? '–' : /^[0-9a-f]{40}$/.test(String(sha)) ? String(sha).slice(0, 10) : String(sha));

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  // A session that ended (expired, signed out elsewhere): back to the sign-in page.
  if (response.status === 401) location.assign('/auth/sign-in?next=/');
  if (!response.ok) {
    // The engine's own words (`no dead letter …`) when it gave them, for whoever shows this error.
    const body = await response.json().catch(() => ({}));
    throw Object.assign(new Error(`${path}: HTTP ${response.status}`), { status: response.status, said: body.message });
  }
  return response.json();
}

/** Who is signed in; a viewer gets no action buttons (the API would refuse them anyway). */
function renderSession(session) {
  state.session = session;
  $('#who').textContent = `${session.actor.id} · ${session.role}`;
  $('#sign-out').hidden = session.via !== 'session';
  document.body.classList.toggle('viewer', session.role !== 'operator');
}

const canAct = () => state.session?.role === 'operator';

const auditRow = ({ entry }) =>
  row([
    new Date(entry.at).toLocaleTimeString(),
    `${entry.actor.kind}:${entry.actor.id}`,
    entry.action,
    entry.target,
    el('span', entry.result, entry.result === 'ok' ? 'ok' : 'bad'),
    entry.reason ?? '',
  ]);

function renderAudit(audit) {
  showRows($('#audit tbody'), audit.entries ?? [], { id: (e) => e.seq, build: auditRow });
}

// The counters are the answering engine's since it started: say which engine and since when, and say it when another
// engine answered than before (a restart, or a load balancer sending this page's polls to another engine): the
// figures changed because of that, not because traffic did.
function renderCountsSince(since, engine) {
  if (!since) return;
  const answering = `${engine ?? ''}@${since}`;
  const changed = state.countsSince !== undefined && state.countsSince !== answering;
  const before = state.countsSince?.split('@')[0];
  state.countsSince = answering;
  const note = $('#counts-since');
  const at = new Date(since).toLocaleString();
  if (changed)
    note.dataset.changed =
      engine && before && engine !== before
        ? `Engine ${engine} answered (counting since ${at}), not engine ${before} as before: it restarted, or a load ` +
          'balancer sent this page to another engine. in, delivered, retrying and dead-lettered are the answering ' +
          "engine's own, from 0 when it started."
        : `The engine restarted at ${at}: in, delivered, retrying and dead-lettered count again from 0 since then.`;
  note.textContent =
    note.dataset.changed ??
    `in, delivered, retrying and dead-lettered: ${engine ? `engine ${engine}'s, ` : ''}since ${at}, when ` +
      `${engine ? 'it' : 'the engine'} started (they restart from 0 when it restarts` +
      `${engine ? '; behind a load balancer each engine shows its own' : ''}).`;
  note.className = note.dataset.changed ? 'warn' : 'muted';
}

/** An integration's row; `active` is the cluster's commit, shown when the integration names none of its own. */
function integrationRow(i, active) {
  const c = i.counts ?? {};
  const health = i.status ?? (i.deadLetters > 0 ? 'dead letters' : i.lag > 0 ? 'busy' : 'ok');
  const calm = health === 'busy' || health === 'draining';
  const statusCell = el('span', health, health === 'ok' ? 'ok' : calm ? 'warn' : 'bad');
  const failing = sourceFailure(i.sourceHealth);
  const missed = i.missedChanges && !i.missedChanges.reconciledAt ? `missed changes: ${i.missedChanges.message}` : '';
  const draining = (i.keyChanges ?? []).map((k) => `draining a key change: ${keyChangeText(k)}`);
  const notes = [...(failing ? [failing] : []), ...(missed ? [missed] : []), ...draining, ...(i.problems ?? [])];
  if (notes.length > 0) statusCell.title = notes.join('\n');
  const tr = row([
    i.name,
    statusCell,
    sourceCell(i),
    short(i.commit ?? active),
    num(c.in),
    num(c.delivered),
    num(c.retried),
    num(c.deadLettered),
    figure(i.throughputPerS),
    figure(i.latencyP50Ms),
    figure(i.latencyP99Ms),
    lagCell(i),
  ]);
  tr.dataset.integration = i.name;
  // Labels for the narrow-screen layout, where each row becomes a card without the table header.
  const labels = [...document.querySelectorAll('#integrations thead th')].map((th) => th.textContent);
  tr.querySelectorAll('td').forEach((td, n) => (td.dataset.label = labels[n] ?? ''));
  return tr;
}

function rejectedBox(r) {
  const box = el('div');
  box.append(el('p', `rejected ${short(r.commit)}`, 'error'));
  const list = el('ul');
  for (const d of r.diagnostics ?? []) list.append(el('li', `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`));
  box.append(list);
  return box;
}

const workerLine = (w) =>
  `${w.id} · ${short(w.commit)}${w.applied_at ? ` · ${new Date(w.applied_at).toLocaleTimeString()}` : ''}`;

/** One name and value of the Spec sync details, together so that showRows keeps them as one. */
function syncPair([name, value, className]) {
  const pair = el('div');
  pair.append(el('dt', name, className), el('dd', value, className));
  return pair;
}

function renderStatus(status) {
  renderCountsSince(status.countsSince, status.engine);
  const active = status.active_commit ?? status.commit;
  $('#sync').textContent = status.rejected?.length ? 'rejected commit' : `active ${short(active)}`;
  $('#sync').className = `pill ${status.rejected?.length ? 'bad' : 'ok'}`;
  renderMissedChanges(status.integrations ?? []);
  renderKeyChanges(status.integrations ?? []);
  // The integrations' rows, like the missed changes, key changes, sync details, rejected commits and workers, stay the
  // same elements while nothing they show changed (live-refresh.js): one rebuilt every second would drop an operator's
  // selection (a command to copy) and the tooltip being read.
  showRows($('#integrations tbody'), status.integrations ?? [], {
    id: (i) => i.name,
    shows: (i) => [i, active],
    build: (i) => integrationRow(i, active),
  });
  const pairs = [
    ['branch', status.tracked_branch],
    ['last seen', status.last_seen_commit && short(status.last_seen_commit)],
    ['active', short(active)],
    ['pinned', status.pinned ? short(status.pinned) : undefined],
    ['NATS', status.nats ? (status.nats.connected ? 'connected' : 'disconnected') : undefined],
  ];
  showRows(
    $('#sync-details'),
    [
      ...pairs.filter(([, v]) => v),
      // Engine-wide conditions (the events stream nearly full, or refusing webhooks with 507).
      ...(status.warnings ?? []).map((w) => ['warning', w, 'error']),
    ],
    { id: ([name, value]) => (name === 'warning' ? `warning ${value}` : name), build: syncPair },
  );
  showRows($('#rejected'), status.rejected ?? [], { id: (r) => r.commit, build: rejectedBox });
  const workers = status.workers ?? [];
  showRows($('#workers'), workers, { id: (w) => w.id, shows: workerLine, build: (w) => el('li', workerLine(w)) });
  // Without GitOps (a plain spec directory) no process reports a spec version.
  $('#workers-none').hidden = workers.length > 0;
}

// What the filter matches, the same text the engine searches for `GET /api/dlq?q=` (dead-letter-index.ts listedText).
const listedText = (e) =>
  [e.id, e.integration, e.key, e.status, e.error?.code, e.error?.message, e.step ?? ''].join(' ').toLowerCase();

// The rows the last answer holds, narrowed at once while typing; the next refresh asks the engine for every match.
function shownEntries() {
  const filter = $('#dlq-filter').value.trim().toLowerCase();
  return state.dlq.filter((e) => !filter || listedText(e).includes(filter));
}

const selectable = (entry) => entry.status === 'open' && canAct();

// Only rows on the page can be selected: an entry replayed, discarded or purged by someone else since (gone from the
// listing, or no longer open) is dropped from the selection, so "Replay selected" never acts on rows nobody sees.
function keepShownSelection() {
  const open = new Set(state.dlq.filter(selectable).map((e) => e.id));
  for (const id of state.selected) if (!open.has(id)) state.selected.delete(id);
}

// The rows' ticks, "Replay selected" and the select-all box follow the selection: a row is ticked when it is selected
// (also right after a replay took it, before the next refresh), select-all when every selectable row shown is, and
// half-ticked when some are.
function showSelection() {
  for (const box of document.querySelectorAll('#dlq tbody tr[data-id] input[type=checkbox]'))
    box.checked = state.selected.has(box.closest('tr').dataset.id);
  const selectableShown = shownEntries().filter(selectable);
  const chosen = selectableShown.filter((e) => state.selected.has(e.id)).length;
  const all = $('#dlq-all');
  all.checked = chosen > 0 && chosen === selectableShown.length;
  all.indeterminate = chosen > 0 && chosen < selectableShown.length;
  $('#replay-selected').disabled = state.selected.size === 0 || state.replaying;
}

function dlqRow(entry) {
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', disabled: !selectable(entry) });
  box.setAttribute('aria-label', `select ${entry.id}`);
  box.addEventListener('click', (event) => {
    event.stopPropagation();
    if (box.checked) state.selected.add(entry.id);
    else state.selected.delete(entry.id);
    showSelection();
  });
  const error = `${entry.error?.code ?? ''}: ${entry.error?.message ?? ''}`;
  const when = entry.createdAt ? new Date(entry.createdAt).toLocaleTimeString() : '';
  const tr = row(
    [
      box,
      entry.integration,
      entry.key ?? '',
      error,
      entry.step ?? '',
      num(entry.attempts),
      when,
      entry.status ?? 'open',
    ],
    () => openEntry(entry),
  );
  tr.dataset.id = entry.id;
  return tr;
}

function renderDlq() {
  // A row stays the same element while nothing it shows changed (live-refresh.js); its tick follows the selection.
  showRows($('#dlq tbody'), shownEntries(), { id: (entry) => entry.id, shows: (e) => [canAct(), e], build: dlqRow });
  showSelection();
}

function openEntry(entry) {
  state.open = entry;
  $('#entry-title').textContent = `${entry.integration} · ${entry.id}`;
  $('#entry-error').textContent = `${entry.error?.code ?? ''}: ${entry.error?.message ?? ''}`;
  for (const part of ['#entry-event', '#entry-request', '#entry-response']) $(part).textContent = '…';
  $('#entry-replay').disabled = entry.status !== 'open' || !canAct();
  $('#entry-stale').hidden = true;
  $('#entry').showModal();
  // The listing holds summaries: the event, request and response come with the entry itself, and so does the flag
  // of a replay that would write older data over a later delivery of the same record.
  getJson(`/api/dlq/${encodeURIComponent(entry.id)}`).then(showEntry(entry), (error) => {
    // Discarded by someone else (or expired) since the listing: say so, instead of "…" for ever.
    if (state.open?.id !== entry.id) return;
    for (const part of ['#entry-event', '#entry-request', '#entry-response']) $(part).textContent = '';
    $('#entry-replay').disabled = true;
    const gone = error.status === 404 ? ' (it was discarded, or has expired)' : '';
    $('#entry-error').textContent = `${entry.id} could not be loaded: ${error.said ?? error.message}${gone}`;
  });
}

/** Fills the open entry's dialog with its detail (the event, request and response, and whether it is stale). */
function showEntry(entry) {
  return (detail) => {
    if (state.open?.id !== entry.id) return;
    $('#entry-event').textContent = JSON.stringify(detail.event, null, 2);
    $('#entry-request').textContent = JSON.stringify(detail.request ?? null, null, 2);
    $('#entry-response').textContent = detail.responseExcerpt ?? '';
    if (!detail.stale) return;
    $('#entry-stale').textContent = detail.stale.deliveredAt
      ? `Older than the record's last delivery: event ${detail.stale.eventId} of key ${entry.key} was delivered at ` +
        `${new Date(detail.stale.deliveredAt).toLocaleString()}. A replay would write older data over it.`
      : `A later event ${detail.stale.eventId} of key ${entry.key} is still being retried: it will be delivered ` +
        'before a replay, which would then write older data over it.';
    $('#entry-stale').hidden = false;
  };
}

async function replay(ids) {
  // Every entry is tried; the ones not replayed are listed at the end with the engine's reason.
  const failed = [];
  state.replaying = true;
  showSelection();
  try {
    await replayEach(ids, failed);
  } finally {
    state.replaying = false;
  }
  if (failed.length > 0) alert(`${failed.length} of ${ids.length} not replayed:\n${failed.join('\n')}`);
  // Only the rows this replay took leave the selection: a row ticked while it ran stays ticked for the next one.
  for (const id of ids) state.selected.delete(id);
  showSelection();
  await refresh();
}

async function replayEach(ids, failed) {
  for (const id of ids) {
    const path = `/api/dlq/${encodeURIComponent(id)}/replay`;
    try {
      let response = await fetch(path, { method: 'POST' });
      let body = await response.json().catch(() => ({}));
      // A stale entry needs a confirmation: replaying it overwrites newer data of the same record. So does one whose
      // finished steps the specs renamed or removed: they would run again. And one whose enrichment read the source
      // refused: it would be sent without the fields that read adds.
      if (['stale', 'steps-changed', 'enrichment-refused'].includes(body.error)) {
        if (!confirm(`${id}: ${body.message}. Replay anyway?`)) continue;
        response = await fetch(`${path}?force=1`, { method: 'POST' });
        body = await response.json().catch(() => ({}));
      }
      if (!response.ok) failed.push(`${id}: ${body.message ?? `answered ${response.status}`}`);
    } catch (error) {
      failed.push(`${id}: ${error.message}`);
    }
  }
}

async function refresh() {
  try {
    // The filter goes to the engine, which searches every dead letter: the page holds only the newest 100.
    const filter = $('#dlq-filter').value.trim();
    const [session, status, dlq, audit] = await Promise.all([
      getJson('/api/session'),
      getJson('/api/status'),
      getJson(`/api/dlq?limit=100${filter ? `&q=${encodeURIComponent(filter.slice(0, 200))}` : ''}`),
      getJson('/api/audit?limit=20'),
    ]);
    renderSession(session);
    renderStatus(status);
    renderAudit(audit);
    state.dlq = dlq.entries ?? [];
    keepShownSelection();
    const matching = filter ? ' matching' : '';
    $('#dlq-count').textContent =
      dlq.total > state.dlq.length
        ? `newest ${state.dlq.length} of ${dlq.total}${matching}`
        : filter
          ? `${dlq.total}${matching}`
          : '';
    renderDlq();
    $('#updated').textContent =
      `updated ${new Date().toLocaleTimeString()}${status.engine ? ` by ${status.engine}` : ''}`;
  } catch (error) {
    $('#sync').textContent = `engine unreachable (${error.message})`;
    $('#sync').className = 'pill bad';
  }
}

let refreshSoon;
$('#dlq-filter').addEventListener('input', () => {
  renderDlq();
  clearTimeout(refreshSoon);
  refreshSoon = setTimeout(refresh, 250);
});
$('#replay-selected').addEventListener('click', () => replay([...state.selected]));
$('#entry-replay').addEventListener('click', async () => {
  $('#entry').close();
  if (state.open) await replay([state.open.id]);
});
$('#dlq-all').addEventListener('change', (event) => {
  for (const e of shownEntries().filter(selectable)) {
    if (event.target.checked) state.selected.add(e.id);
    else state.selected.delete(e.id);
  }
  renderDlq();
});
refreshAfterEachAnswer(refresh, 1000);
