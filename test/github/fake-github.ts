/**
 * A local fake of the GitHub REST API endpoints `junction ci github` uses (issue comments, check runs), on
 * 127.0.0.1. It records every request and enforces GitHub's limits that matter here: a token, at most 50
 * annotations per check-run request, an annotation's message of at most 64 KB (counted here as UTF-8 bytes) and
 * title of at most 255 characters, at most 65,536 characters per comment. Sources in docs/testing-and-ci.md.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output: { title?: string; summary?: string; text?: string };
  annotations: Record<string, unknown>[];
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  comments: Map<number, FakeComment[]>;
  checkRuns: FakeCheckRun[];
  close(): Promise<void>;
}

export async function startFakeGitHub(token = 'test-token'): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const comments = new Map<number, FakeComment[]>();
  const checkRuns: FakeCheckRun[] = [];
  let nextId = 1000;

  const handle = (req: IncomingMessage, body: Record<string, unknown> | undefined, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    if (!/^(token|bearer) /i.test(req.headers.authorization ?? '') || !req.headers.authorization?.endsWith(token))
      return send(401, { message: 'Bad credentials' });
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const list = comments.get(Number(m[1])) ?? [];
      if (req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        // Pagination as GitHub does it: a Link header names the next page.
        if (page * perPage < list.length)
          res.setHeader(
            'link',
            `<http://${req.headers.host}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"`,
          );
        return send(200, list.slice((page - 1) * perPage, page * perPage));
      }
      if (req.method === 'POST') {
        if (String(body?.body ?? '').length > 65_536)
          return send(422, { message: 'Validation Failed: body is too long (maximum is 65536 characters)' });
        const comment = { id: nextId++, body: String(body?.body), user: { login: 'github-actions[bot]', type: 'Bot' } };
        comments.set(Number(m[1]), [...list, comment]);
        return send(201, comment);
      }
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
      const comment = [...comments.values()].flat().find((c) => c.id === Number(m![1]));
      if (!comment) return send(404, { message: 'Not Found' });
      if (String(body?.body ?? '').length > 65_536)
        return send(422, { message: 'Validation Failed: body is too long (maximum is 65536 characters)' });
      comment.body = String(body?.body);
      return send(200, comment);
    }
    if (/^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(url.pathname) && req.method === 'POST') {
      const run: FakeCheckRun = {
        id: nextId++,
        name: String(body?.name),
        head_sha: String(body?.head_sha),
        status: 'queued',
        output: {},
        annotations: [],
      };
      const refused = applyCheckRun(run, body);
      if (refused) return send(422, { message: `Validation Failed: ${refused}` });
      checkRuns.push(run);
      return send(201, run);
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
      const run = checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return send(404, { message: 'Not Found' });
      const refused = applyCheckRun(run, body);
      if (refused) return send(422, { message: `Validation Failed: ${refused}` });
      return send(200, run);
    }
    return send(404, { message: `fake GitHub has no route ${req.method} ${url.pathname}` });
  };

  const server = createServer((req, res) => {
    // Chunks are joined as bytes: decoding each alone would break a character split across two of them.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      requests.push({ method: req.method ?? '', path: req.url ?? '', body });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    comments,
    checkRuns,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Status, conclusion and output as GitHub applies them; annotations are appended. The reason when refused. */
function applyCheckRun(run: FakeCheckRun, body: Record<string, unknown> | undefined): string | undefined {
  const output = (body?.output ?? {}) as {
    title?: string;
    summary?: string;
    text?: string;
    annotations?: Record<string, unknown>[];
  };
  const annotations = output.annotations ?? [];
  if (annotations.length > 50) return 'at most 50 annotations per request';
  if (annotations.some((a) => Buffer.byteLength(String(a.message)) > 64 * 1024))
    return 'an annotation message is over 64 KB';
  if (annotations.some((a) => String(a.title ?? '').length > 255)) return 'an annotation title is over 255 characters';
  if (body?.status) run.status = String(body.status);
  if (body?.conclusion) {
    run.conclusion = String(body.conclusion);
    run.status = 'completed';
  }
  run.output = {
    ...run.output,
    ...(output.title ? { title: output.title } : {}),
    ...(output.summary ? { summary: output.summary } : {}),
    ...(output.text ? { text: output.text } : {}),
  };
  run.annotations.push(...annotations);
  return undefined;
}
