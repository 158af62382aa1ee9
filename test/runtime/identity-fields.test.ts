/**
 * Webhook ingest without parsing the whole event (engine/runtime/ingest/identity-fields.ts): which key and dedup
 * expressions it applies to, and that ingest gives the same answer and stores the same event either way. Each body is
 * ingested twice through `ingestWebhook`: once as an engine whose worker takes the parsed event (the whole body is
 * parsed, as before), once as an engine without workers (the body is scanned and only the identity fields are
 * parsed); the replies and the publish requests must be equal, for valid orders, missing and unusable keys, a dedup
 * id that gives nothing (the id is then the hash of the whole event), repeated and escaped names, bytes that are not
 * UTF-8, and every refusal (malformed, too deep, not an object).
 */
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CompiledIntegration } from '../../engine/compiler/compiled-spec.js';
import { DEFAULT_GUARDS } from '../../engine/transform/compiled/evaluate.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import type { TransformEngine } from '../../engine/transform/transform-engine.js';
import { identityEvent, identityFields } from '../../engine/runtime/ingest/identity-fields.js';
import { IngestBudget } from '../../engine/runtime/ingest/read-webhook-body.js';
import { ingestWebhook } from '../../engine/runtime/ingest/webhook-ingest.js';
import type { WebhookIngestDeps } from '../../engine/runtime/ingest/webhook-ingest.js';
import type { PublishRequest } from '../../engine/runtime/ingest/event-publisher.js';
import { ParsedHandoff } from '../../engine/runtime/worker/parsed-handoff.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';
import { guardedReferenceEngine } from './helpers/guarded-engine.js';

const ENGINES: [string, () => TransformEngine][] = [
  ['junction', () => junctionEngine],
  ['reference', () => guardedReferenceEngine()],
];

function integrationWith(engine: TransformEngine, key: string, dedupId?: string): CompiledIntegration {
  return { key: engine.compile(key), dedupId: dedupId === undefined ? undefined : engine.compile(dedupId) } as never;
}

describe('the identity fields of an integration', () => {
  for (const [label, engine] of ENGINES) {
    it(`are the top-level fields plain key and dedup expressions read (${label} engine)`, () => {
      const names = (key: string, dedupId?: string) =>
        identityFields(integrationWith(engine(), key, dedupId))?.names.sort();
      expect(names('$string(entity_id)', 'increment_id & "-" & updated_at')).toEqual([
        'entity_id',
        'increment_id',
        'updated_at',
      ]);
      expect(names('$string(vendor.id)', '$string(vendor.id) & "@" & vendor.updated_at')).toEqual(['vendor']);
      expect(names('$substring(IDAT, 0, 4) & "-" & IVNO', 'a ? `b c` : $lowercase(d)')).toEqual([
        'IDAT',
        'IVNO',
        'a',
        'b c',
        'd',
      ]);
      // No dedup id: the id is the hash of the whole event.
      expect(names('$string(id)')).toBeUndefined();
      // Anything that may read more than the fields it names, or that the scan cannot match by its bytes.
      for (const other of [
        '$',
        '$$.id',
        '$event.id',
        '$string()',
        '$string($)',
        'id[0]',
        'items[sku = "x"].id',
        '*.id',
        '**.id',
        '$keys($)[0]',
        '$sift(function($v){$v})',
        '($x := id; $x)',
        '-id',
        '{"a": id}.a',
        '[id]',
        '`__proto__`',
        'café',
        'id in ["a"]',
        '$eval("id")',
      ])
        expect(names('$string(id)', other), other).toBeUndefined();
    });
  }
});

describe('the identity fields of a scanned body', () => {
  it('hold the values JSON.parse gives, for every kind and length of value', () => {
    const fields = { names: ['id', 'ref'], bytes: [Buffer.from('id'), Buffer.from('ref')] };
    const ascii = (n: number) =>
      Array.from({ length: n }, (_, i) => String.fromCharCode(0x20 + ((i * 7) % 95))).join('');
    const values: string[] = [
      ...['0', '7', '10', '-0', '-5', '1.5', '1e3', '2E-2', '0.0', '123456789012345', '999999999999999'],
      ...[
        '1234567890123456',
        '9007199254740993',
        '95022896531331217',
        '970539216841529066',
        '12345678901234567890123',
        'true',
        'false',
        'null',
      ],
      ...['{}', '{"a": 1}', '[1, "x"]', '[]'],
      // Strings of every length around the cut-over, with each kind of byte a string may hold.
      ...Array.from({ length: 80 }, (_, n) => JSON.stringify(ascii(n))),
      ...[
        '"\\u0041"',
        '"a\\"b"',
        '"a\\\\b"',
        '"a\\/b"',
        '"\\n"',
        '"Zoë"',
        '"日本"',
        '"😀"',
        '"\\ud800"',
        '"\\u007f\u007f"',
      ],
    ];
    for (const id of values)
      for (const text of [`{"id": ${id}, "ref": "r"}`, `{"ref":${id},"id":${id}}`]) {
        const event = identityEvent(Buffer.from(text), fields);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(event, text).toEqual({ id: parsed.id, ref: parsed.ref });
        // toEqual takes 0 for -0; the event must not.
        expect(Object.is(event!.id, parsed.id) || typeof parsed.id === 'object', text).toBe(true);
      }
    // Bytes that are not UTF-8, as JSON.parse of the decoded text reads them (U+FFFD).
    const latin1 = Buffer.concat([Buffer.from('{"id": "caf'), Buffer.from([0xe9]), Buffer.from('", "ref": 1}')]);
    expect(identityEvent(latin1, fields)).toEqual(JSON.parse(latin1.toString('utf8')));
  });
});

/** A request as node:http gives it: the body streams in after the handler attached its listeners. */
function request(body: Buffer): IncomingMessage {
  const req = new PassThrough() as unknown as IncomingMessage;
  Object.assign(req, { method: 'POST', url: '/hooks/orders', headers: { 'content-length': String(body.length) } });
  setImmediate(() => (req as unknown as PassThrough).end(body));
  return req;
}

/** Ingests `body` into `integration` as an engine with or without a worker of its own; the reply and what it stored. */
async function ingest(specSet: ReturnType<typeof compileRuntimeSpecs>, body: Buffer, worker: boolean) {
  const published: PublishRequest[] = [];
  const handoff = worker ? new ParsedHandoff() : undefined;
  const counter = { inc: () => undefined };
  const deps = {
    specs: { active: specSet },
    publisher: {
      publish: (r: PublishRequest) => {
        published.push(r);
        return Promise.resolve({ subject: 's', stream: 'S', seq: published.length, duplicate: false });
      },
    },
    broker: { unavailable: () => undefined, answered: () => undefined },
    metrics: { duplicates: counter, eventsIn: counter },
    log: pino({ level: 'silent' }),
    guards: DEFAULT_GUARDS,
    budget: new IngestBudget(1 << 26),
    handoff,
  } as unknown as WebhookIngestDeps;
  const reply = await ingestWebhook('orders', request(body), deps);
  return { reply, published, handedOff: handoff?.size ?? 0 };
}

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

const BODIES: (string | Buffer)[] = [
  '{"id": 7, "ref": "r-7", "updated_at": "2026-12-05", "status": "new", "lines": [{"sku": "A", "qty": 2}]}',
  '{"id": "A-1", "ref": 12.50, "updated_at": null}',
  '{"id": {"nested": 1}, "ref": "r"}',
  '{"id": "A-1\\nA-2", "ref": "r"}',
  '{"id": "  padded  ", "ref": "  r  "}',
  '{"ref": "r-8"}',
  // The dedup id gives nothing: the id is the hash of the whole event, not of its identity fields.
  '{"id": 9, "status": "new", "lines": [1, 2, 3]}',
  '{"id": 10, "ref": "", "status": "other"}',
  // A repeated name: JSON.parse keeps the last.
  '{"id": 1, "ref": "first", "id": 2, "ref": "last"}',
  // An escaped top-level name spells `id`: the scan declines, the whole event is parsed.
  '{"i\\u0064": 11, "ref": "r"}',
  '{"id": "Zoë 日本 😀", "ref": "\\ud800"}',
  Buffer.concat([Buffer.from('{"id": "caf'), Buffer.from([0xe9]), Buffer.from('", "ref": "x"}')]),
  '{}',
  ' \n{"id":1,"ref":"r"}\t',
  '{"id": 1, "ref": "r"',
  '{"id": 1, "ref": "r",}',
  '{"id": 01, "ref": "r"}',
  '{"id": 1} {"id": 2}',
  '\ufeff{"id": 1, "ref": "r"}',
  '',
  '[{"id": 1, "ref": "r"}]',
  '"id"',
  '42',
  'null',
  `{"id": 1, "ref": "r", "deep": ${deep(63)}}`,
  `{"id": 1, "ref": "r", "deep": ${deep(64)}}`,
  `{"id": 1, "ref": "r", "deep": ${deep(64)}`,
  `{"id": 1, "ref": "r", "deep": ${deep(200)}, oops}`,
];

describe('webhook ingest with and without the whole parse', () => {
  const DEDUP_IDS = ['ref', '$string(ref) & "@" & updated_at', undefined];
  for (const [label, engine] of ENGINES)
    for (const dedupId of DEDUP_IDS)
      it(`answers and stores the same (${label} engine, dedup_id ${dedupId ?? 'none'})`, async () => {
        const specSet = compileRuntimeSpecs('http://127.0.0.1:9', [integrationYaml({ dedupId })], {
          engine: engine(),
        });
        const integration = specSet.integrations.get('orders')!;
        const fields = identityFields(integration);
        expect(fields === undefined).toBe(dedupId === undefined);
        let cut = 0;
        for (const text of BODIES) {
          const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
          const whole = await ingest(specSet, body, true);
          const scanned = await ingest(specSet, body, false);
          expect(scanned.reply, body.toString()).toEqual(whole.reply);
          expect(scanned.published, body.toString()).toEqual(whole.published);
          if (whole.reply.status === 202) expect(whole.handedOff).toBe(1);
          if (fields && identityEvent(body, fields)) cut++;
        }
        // Most of the bodies took the scan when the integration has identity fields.
        if (fields) expect(cut).toBeGreaterThan(10);
      });
});
