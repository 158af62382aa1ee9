// The dashboard's retrying keys (GET /api/retrying): events being retried with backoff, their key's later events
// queued behind them, each with "Retry now" (skip the rest of the backoff) and "Give up" (dead-letter it now, with a
// reason; the key's later events then run in order). Operators only act; viewers see the list. Text only.
import { refreshAfterEachAnswer, showRows } from './live-refresh.js';

const body = document.querySelector('#retrying tbody');
const note = document.querySelector('#retrying-message');

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.className = 'retry-action';
  b.addEventListener('click', onClick);
  return b;
}

async function order(verb, k, reason) {
  const response = await fetch(`/api/retrying/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ integration: k.integration, key: k.key, eventId: k.eventId, ...(reason ? { reason } : {}) }),
  });
  const answer = await response.json().catch(() => ({}));
  note.textContent = answer.message ?? `answered ${response.status}`;
  note.className = response.ok ? 'ok' : 'error';
  await refreshRetrying();
}

function keyRow(k) {
  const tr = document.createElement('tr');
  tr.dataset.integration = k.integration;
  tr.dataset.key = k.key;
  const error = k.lastError ? `${k.lastError.code}${k.lastError.status ? ` ${k.lastError.status}` : ''}` : '';
  const next = k.order
    ? `${k.order.kind} ordered by ${k.order.by}`
    : k.nextAttemptAt
      ? new Date(k.nextAttemptAt).toLocaleString()
      : '';
  const actions = document.createElement('td');
  actions.append(
    button('Retry now', () => order('retry-now', k)),
    button('Give up', () => {
      const reason = prompt(
        `Give up on event ${k.eventId} of ${k.integration} key ${k.key}? It is dead-lettered now and the key's ` +
          `${k.queued} later event(s) run in order. Why?`,
      );
      if (reason?.trim()) void order('give-up', k, reason.trim());
    }),
  );
  const errorCell = cell(error, 'bad');
  if (k.lastError) errorCell.title = k.lastError.message;
  tr.append(
    cell(k.integration),
    cell(k.key),
    // Beside the key: the table scrolls sideways in a narrow column, and the actions stay in view.
    actions,
    cell(k.attempts ?? '?', 'num'),
    errorCell,
    cell(next),
    cell(k.queued, 'num'),
  );
  return tr;
}

function render(keys) {
  // A key's row and its buttons stay the same elements while nothing it shows changed (live-refresh.js).
  showRows(body, keys, { id: (k) => JSON.stringify([k.integration, k.key]), build: keyRow });
  document.querySelector('#retrying-count').textContent =
    keys.length === 0 ? 'no event is being retried' : `${keys.length} key${keys.length === 1 ? '' : 's'}`;
}

async function refreshRetrying() {
  const response = await fetch('/api/retrying', { headers: { accept: 'application/json' } }).catch(() => undefined);
  if (!response?.ok) return;
  const { keys } = await response.json();
  render(keys);
}

refreshAfterEachAnswer(refreshRetrying, 2000);
