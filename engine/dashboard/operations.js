// The dashboard's operations panels: what happened to one record (GET /api/trace) and the latest reconciliation
// (GET /api/reconcile). Their own file, so the main dashboard script stays about the live view. Text only.
import { refreshAfterEachAnswer, showRows } from './live-refresh.js';

const form = document.querySelector('#trace-form');
const output = document.querySelector('#trace-output');

function line(text, className) {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

function render(trace) {
  const items = [];
  for (const a of trace.attempts) {
    const error = a.error ? ` · ${a.error.code}${a.error.status ? ` ${a.error.status}` : ''}: ${a.error.message}` : '';
    const requests = a.requests.map((r) => `${r.method} ${r.path}`).join(', ');
    const bad = a.outcome === 'dead_lettered' ? 'bad' : a.outcome === 'delivered' ? 'ok' : 'warn';
    items.push(line(`${a.at} · event ${a.eventId} · #${a.attempt} ${a.outcome} · commit ${a.commit}${error}`, bad));
    if (requests) items.push(line(`    ${requests}`, 'muted'));
  }
  for (const d of trace.deadLetters)
    items.push(line(`dead letter ${d.id} (${d.status}) · ${d.error.code}: ${d.error.message}`, 'bad'));
  output.replaceChildren(
    ...(items.length ? items : [line(`nothing traced for ${trace.integration} key ${trace.key}`, 'muted')]),
  );
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  // The key is sent as typed (a vendor's key may have blanks around it); the engine finds the record it names.
  const integration = encodeURIComponent(form.elements.integration.value.trim());
  const query = `integration=${integration}&key=${encodeURIComponent(form.elements.key.value)}`;
  const response = await fetch(`/api/trace?${query}`, { headers: { accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) output.replaceChildren(line(body.message ?? `HTTP ${response.status}`, 'bad'));
  else render(body);
});

// Reconciliation: the latest report of each integration (GET /api/reconcile), asked for again 10 s after each answer.
const reconcile = document.querySelector('#reconcile');

function reportRow(r) {
  const c = r.counts;
  const state = c.differs + c.missing + c.error > 0 ? 'bad' : 'ok';
  const item = line(
    `${r.integration} · ${new Date(r.at).toLocaleString()} · ${r.checked} of ${r.listed} checked · ${c.match} match, ${c.differs} differ, ${c.missing} missing, ${c.error} errors`,
    state,
  );
  const details = r.problems
    .slice(0, 5)
    .flatMap((p) =>
      p.steps.length
        ? p.steps
            .filter((s) => s.status !== 'match')
            .map(
              (s) => `${p.key}: ${s.status} ${s.target}${(s.differences ?? []).map((d) => ` · ${d.field}`).join('')}`,
            )
        : [`${p.key}: ${p.outcome} ${p.error ?? ''}`],
    );
  if (details.length) {
    const list = document.createElement('ul');
    list.append(...details.map((d) => line(d, 'muted')));
    item.append(list);
  }
  return item;
}

function renderReconcile(reports) {
  // A report's row stays the same element while nothing it shows changed (live-refresh.js), so a key selected in it
  // to be copied stays selected.
  showRows(reconcile, reports, { id: (r) => r.integration, build: reportRow });
  document.querySelector('#reconcile-none').hidden = reports.length > 0;
}

async function refreshReconcile() {
  const response = await fetch('/api/reconcile', { headers: { accept: 'application/json' } });
  if (response.ok) renderReconcile((await response.json()).reports ?? []);
}

refreshAfterEachAnswer(refreshReconcile, 10_000);
