import { describe, expect, it } from 'vitest';
import { fakeTarget, type FakeTargetOptions } from '../../test-support/fake-target';
import { discover, inspect, type CommonOptions } from './initiator';
import { isIscsiError } from './errors';
import { Op } from './pdu';
import { decodeText } from './text';

const T1 = 'iqn.2024-01.test.unit:tgt1';
const names = Array.from({ length: 12 }, (_, i) => `iqn.2024-01.test.unit:target-number-${i}`);

function via(o: FakeTargetOptions) {
  const ft = fakeTarget(o);
  const opts: Pick<CommonOptions, 'portal' | 'connect' | 'initiatorName'> = {
    portal: { address: '192.0.2.10', port: 3260 },
    connect: async () => ft.stream,
    initiatorName: 'iqn.2024-01.test.unit:console',
  };
  return { ft, opts };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as Error & { code: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('discovery session over a chunked stream', () => {
  it('reassembles 1-byte chunks and a SendTargets answer cut mid-key over many PDUs', async () => {
    const { ft, opts } = via({ targets: names, textChunk: 37, writeChunk: 1 });
    const r = await discover(opts);
    expect(r.targets.map((t) => t.targetName)).toEqual(names);
    expect(r.targets[5].portals).toEqual([{ address: '127.0.0.1', port: 3260, tpgt: 1 }]);
    const texts = ft.received.filter((p) => p.opcode === Op.TextRequest);
    expect(texts.length).toBeGreaterThan(10);
    // continuations: same ITT, the target's TTT, F=1, no data
    expect(new Set(texts.map((p) => p.itt)).size).toBe(1);
    expect(texts.slice(1).every((p) => p.ttt === 1 && p.data.length === 0 && p.final)).toBe(true);
    expect(texts[0].ttt).toBe(0xffffffff);
    await ft.closed;
  });

  it('logs in with one PDU when no CHAP is configured (CSG1 -> NSG3, random ISID)', async () => {
    const { ft, opts } = via({ targets: [T1] });
    await discover(opts);
    const login = ft.received.filter((p) => p.opcode === Op.LoginRequest);
    expect(login).toHaveLength(1);
    expect(login[0].bhs[0]).toBe(0x43);
    expect(login[0].flags).toBe(0x87);
    expect(login[0].bhs[8] & 0xc0).toBe(0x80);
    const keys = new Map(decodeText(login[0].data));
    expect(keys.get('SessionType')).toBe('Discovery');
    expect(keys.get('HeaderDigest')).toBe('None');
    expect(keys.has('MaxBurstLength')).toBe(false);
    // a second session gets a different ISID
    const again = via({ targets: [T1] });
    await discover(again.opts);
    expect(again.ft.received[0].bhs.subarray(8, 14).equals(login[0].bhs.subarray(8, 14))).toBe(false);
  });

  it('answers a target NOP-In ping with its TTT', async () => {
    const { ft, opts } = via({ targets: [T1], pingAfterLogin: true });
    await discover(opts);
    const nop = ft.received.find((p) => p.opcode === Op.NopOut);
    expect(nop?.itt).toBe(0xffffffff);
    expect(nop?.ttt).toBe(0x5151);
  });
});

describe('normal session: inspect', () => {
  it('reports LUNs, sizes, GUIDs; absorbs unit attentions; skips absent LUNs', async () => {
    const { ft, opts } = via({ targets: [T1], writeChunk: 7 });
    const r = await inspect({ ...opts, target: T1 });
    expect(r.luns.map((l) => [l.lun, l.present])).toEqual([[0, true], [1, true], [2, false]]);
    const l1 = r.luns[1];
    expect(l1).toMatchObject({
      vendor: 'IET', product: 'VIRTUAL-DISK', revision: '0001', serial: 'beaf11', sizeBytes: 1073741824, blockSize: 512,
      physicalBlockSize: 4096, guid: '360000000000000000e00000000010001', ready: true, deviceTypeName: 'disk',
    });
    expect(l1.designators.map((d) => d.type)).toEqual(['t10', 'naa', 'naa']);
    expect(r.isid).toMatch(/^80[0-9a-f]{10}$/);
    // CmdSN: commands pipelined with consecutive numbers, login did not consume one
    const login = ft.received.find((p) => p.opcode === Op.LoginRequest)!;
    const cmds = ft.received.filter((p) => p.opcode === Op.ScsiCommand);
    expect(cmds[0].bhs.readUInt32BE(24)).toBe(login.bhs.readUInt32BE(24));
    const sns = cmds.map((p) => p.bhs.readUInt32BE(24));
    expect(new Set(sns).size).toBe(sns.length);
    expect(ft.received.at(-1)?.opcode).toBe(Op.LogoutRequest);
  });

  it('needs three exchanges after login: REPORT LUNS, every LUN at once, logout (the UA costs no retry)', async () => {
    const { ft, opts } = via({ targets: [T1] });
    const r = await inspect({ ...opts, target: T1 });
    expect(r.luns.filter((l) => l.present).every((l) => l.ready)).toBe(true);
    const cmds = ft.received.filter((p) => p.opcode === Op.ScsiCommand);
    // REPORT LUNS, then per LUN: TUR (takes the UNIT ATTENTION), INQUIRY, VPD 0x00/0x80/0x83, TUR, READ CAPACITY(16)
    expect(cmds[0].bhs[32]).toBe(0xa0);
    const perLun = cmds.slice(1);
    expect(perLun).toHaveLength(3 * 7);
    expect(perLun.map((p) => p.bhs[32]).slice(0, 7)).toEqual([0x00, 0x12, 0x12, 0x12, 0x12, 0x00, 0x9e]);
    // all 21 were built before any answer came back (same ExpStatSN): one round trip for every LUN
    expect(new Set(perLun.map((p) => p.bhs.readUInt32BE(28))).size).toBe(1);
    expect(perLun[0].bhs.readUInt32BE(28)).toBe((cmds[0].bhs.readUInt32BE(28) + 1) >>> 0);
  });
});

describe('CHAP over the login state machine', () => {
  const chap = { user: 'chapuser', secret: 'chapsecret123' };
  it('one-way CHAP succeeds in three exchanges', async () => {
    const { ft, opts } = via({ targets: [T1], chap });
    const r = await inspect({ ...opts, target: T1, chap });
    expect(r.authentication).toBe('chap');
    const flags = ft.received.filter((p) => p.opcode === Op.LoginRequest).map((p) => p.flags);
    expect(flags).toEqual([0x00, 0x00, 0x83]);
  });
  it('wrong secret gives auth-failed with a plain message and no secret in it', async () => {
    const { opts } = via({ targets: [T1], chap });
    const e = await failure(inspect({ ...opts, target: T1, chap: { user: 'chapuser', secret: 'wrongsecret99' } }));
    expect(e.code).toBe('auth-failed');
    expect(e.message).toMatch(/CHAP authentication failed/);
    expect(e.message).not.toContain('wrongsecret99');
    expect(JSON.stringify(e.details)).not.toContain('wrongsecret99');
  });
  it('no credentials for a CHAP target says CHAP is required', async () => {
    const { opts } = via({ targets: [T1], chap });
    const e = await failure(inspect({ ...opts, target: T1 }));
    expect(e.code).toBe('auth-failed');
    expect(e.message).toMatch(/requires CHAP/);
  });
  it('mutual CHAP verifies the target', async () => {
    const mutual = { user: 'tgtuser', secret: 'tgtsecret456' };
    const { opts } = via({ targets: [T1], chap, mutual });
    expect((await inspect({ ...opts, target: T1, chap: { ...chap, mutual } })).authentication).toBe('mutual-chap');
  });
  it('mutual CHAP with a target that proves another secret fails and closes the stream', async () => {
    const { ft, opts } = via({ targets: [T1], chap, mutual: { user: 'tgtuser', secret: 'othersecret77' } });
    const e = await failure(inspect({ ...opts, target: T1, chap: { ...chap, mutual: { user: 'tgtuser', secret: 'tgtsecret456' } } }));
    expect(e.code).toBe('auth-failed');
    expect(e.message).toMatch(/Mutual CHAP failed/);
    await ft.closed;
    expect(ft.received.every((p) => p.opcode === Op.LoginRequest)).toBe(true);
  });
  it('refuses one secret for both directions before connecting', async () => {
    const { ft, opts } = via({ targets: [T1], chap });
    const e = await failure(inspect({ ...opts, target: T1, chap: { ...chap, mutual: { user: 'x', secret: chap.secret } } }));
    expect(e.code).toBe('auth-failed');
    expect(ft.received).toHaveLength(0);
  });
});

describe('login failures, timeouts, cancellation', () => {
  it('redirect is reported with the new portal', async () => {
    const { opts } = via({ targets: [T1], loginStatus: 0x0101, loginText: [['TargetAddress', '[fd00::7]:3261,2']] });
    const e = await failure(inspect({ ...opts, target: T1 }));
    expect(e.code).toBe('redirect');
    expect(e.message).toMatch(/moved temporarily to portal \[fd00::7\]:3261/);
    expect(e.details?.targetAddress).toEqual({ address: 'fd00::7', port: 3261, tpgt: 2 });
  });
  it.each([
    [0x0202, 'not-authorised', /not authorised/],
    [0x0203, 'target-not-found', /not found .* or its access list/],
    [0x0301, 'target-busy', /try again later/],
    [0x0302, 'target-busy', /out of resources/],
    [0x0300, 'target-error', /target side/],
    [0x0207, 'login-failed', /missing/],
  ])('status 0x%s -> %s', async (status, code, msg) => {
    const { opts } = via({ targets: [T1], loginStatus: status });
    const e = await failure(inspect({ ...opts, target: T1, probeOnNotFound: false }));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(msg);
  });
  it('a silent target times out within the limit and the stream is destroyed', async () => {
    const { ft, opts } = via({ silent: true });
    const t0 = Date.now();
    const e = await failure(discover({ ...opts, timeoutMs: 150 }));
    expect(e.code).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(ft.stream.destroyed).toBe(true);
  });
  it('a connector that never connects times out and a late stream is destroyed', async () => {
    const { ft } = via({});
    let release!: () => void;
    const late = new Promise<void>((r) => (release = r));
    const e = await failure(discover({ portal: { address: '192.0.2.9' }, timeoutMs: 100, connect: async () => { await late; return ft.stream; } }));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/within 100 ms/);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(ft.stream.destroyed).toBe(true);
  });
  it('AbortSignal cancels a session in flight and leaves no stream open', async () => {
    const { ft, opts } = via({ silent: true });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const e = await failure(inspect({ ...opts, target: T1, signal: ac.signal, timeoutMs: 5000 }));
    expect(isIscsiError(e, 'cancelled')).toBe(true);
    expect(ft.stream.destroyed).toBe(true);
  });
});
