import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import type { NatsServerProcess } from '../../engine/runtime/broker/nats-server-process.js';
import { brokerCounters, ioCalls, monitoringArgs, perEvent, trafficLine } from './broker-traffic.js';

describe('broker traffic counts (nats-server /varz)', () => {
  let root: string;
  let nats: NatsServerProcess;
  let monitorPort: number;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'junction-traffic-'));
    monitorPort = await freePort();
    nats = await startNatsServer({ storeDir: join(root, 'js'), args: monitoringArgs(monitorPort) });
  });
  afterAll(async () => {
    await nats?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('counts the messages and payload bytes a client sent and the server delivered', async () => {
    const nc = await connect({ servers: nats.url });
    const received: number[] = [];
    nc.subscribe('traffic.test', {
      callback: (_, m) => {
        received.push(m.data.length);
      },
    });
    await nc.flush();
    const before = await brokerCounters(monitorPort);
    for (let i = 0; i < 10; i++) nc.publish('traffic.test', new Uint8Array(100));
    await nc.flush();
    while (received.length < 10) await new Promise((r) => setTimeout(r, 5));
    const after = await brokerCounters(monitorPort);
    await nc.close();

    // The flush's PING is protocol, not a message: ten in, ten out, 100 payload bytes each.
    const each = perEvent(before, after, 10);
    expect(each).toEqual({ inMsgs: 1, outMsgs: 1, inBytes: 100, outBytes: 100 });
    expect(trafficLine('test', each)).toBe(
      'broker traffic per event (test, nats-server /varz): clients -> server 1.00 msgs 0.10 KB, ' +
        'server -> clients 1.00 msgs 0.10 KB, 2.00 msgs in all',
    );
  });

  it('fails with the port when nothing answers there', async () => {
    const port = await freePort();
    await expect(brokerCounters(port)).rejects.toThrow();
  });
});

describe('system calls of a process (/proc/<pid>/io)', () => {
  it('counts the writes this process makes (Linux)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'junction-io-'));
    const fd = openSync(join(root, 'f'), 'w');
    const before = ioCalls('self')!;
    for (let i = 0; i < 5; i++) writeSync(fd, 'x');
    const after = ioCalls(process.pid)!;
    closeSync(fd);
    await rm(root, { recursive: true, force: true });
    expect(after.writes - before.writes).toBeGreaterThanOrEqual(5);
    expect(after.reads).toBeGreaterThanOrEqual(before.reads);
  });

  it('is undefined for a process that does not exist', () => {
    expect(ioCalls(2 ** 22 + 1)).toBeUndefined();
  });
});
