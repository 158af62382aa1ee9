/**
 * Serves the dashboard's static files. They are read once at start-up: the page is small, and serving from
 * memory keeps the engine's HTTP server free of file-system work per request.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../runtime/operator/request-guards.js';

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/operations.js': { file: 'operations.js', type: 'text/javascript; charset=utf-8' },
  '/retrying.js': { file: 'retrying.js', type: 'text/javascript; charset=utf-8' },
  '/live-refresh.js': { file: 'live-refresh.js', type: 'text/javascript; charset=utf-8' },
};

const contents = new Map(
  Object.entries(FILES).map(([path, { file, type }]) => [
    path,
    { body: readFileSync(new URL(`./${file}`, import.meta.url)), type },
  ]),
);

/** Answers GET requests for the dashboard's files; returns false for any other request. */
export function serveDashboard(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET') return false;
  const path = (request.url ?? '/').split('?')[0];
  const file = contents.get(path === '/index.html' ? '/' : path);
  if (!file) return false;
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': file.type,
    'cache-control': 'no-cache',
    // No framing (the Replay button cannot be clickjacked), scripts and styles from this origin only.
    'content-security-policy':
      "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; " +
      "form-action 'self'; base-uri 'none'",
  });
  response.end(file.body);
  return true;
}
