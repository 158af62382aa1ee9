// The dashboard's operations panel: what happened to one record (GET /api/trace). Its own file, so the main
// dashboard script stays about the live view. Data is inserted as text only.
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
  const query = ['integration', 'key']
    .map((name) => `${name}=${encodeURIComponent(form.elements[name].value.trim())}`)
    .join('&');
  const response = await fetch(`/api/trace?${query}`, { headers: { accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) output.replaceChildren(line(body.message ?? `HTTP ${response.status}`, 'bad'));
  else render(body);
});
