// The hosted-engine usage source over a recording reader (reads counted per host) and the real
// remote read script run locally on temp files (the password line never leaves the "host").
import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caps, FakeHostRepo, hostRecord } from '../../test-support/bond-fixture';
import { LocalRunner } from '../../test-support/local-runner';
import type { RunOptions } from '../remote/runner';
import { UsageRegistry } from '../usage';
import { HeUsageSource, readHeStorageLines } from './usage';

const IQN = 'iqn.2026-12.lab.stor1:he';
const CONF = `domainType=iscsi\nstorage=203.0.113.11\nport=3260\niqn=${IQN}\nportal=1\nsdUUID=sd-1\n`;

function world(files: Record<string, string | null | Error>) {
  const hosts = new FakeHostRepo().add(
    hostRecord('stor1', ['storage'], caps({ eth0: '198.51.100.11', eth1: '203.0.113.11' })),
    hostRecord('hv1', ['ovirt-host'], null),
    hostRecord('hv2', ['ovirt-host'], null),
    hostRecord('kvm1', ['hypervisor'], null),
  );
  const reads: string[] = [];
  let now = 0;
  const source = new HeUsageSource({
    hosts,
    read: async (h) => {
      reads.push(h);
      const f = files[h];
      if (f instanceof Error) throw f;
      return f ?? null;
    },
    now: () => now,
  });
  const usage = new UsageRegistry();
  usage.register((r) => source.lunUsers(r));
  usage.registerPath((r) => source.pathUsers(r));
  return { source, usage, reads, files, advance: (ms: number) => (now += ms) };
}

describe('HeUsageSource', () => {
  it('reads every oVirt host (only those), once per window for a bulk of checks, and names the HE target\'s users', async () => {
    const w = world({ hv1: CONF, hv2: null, kvm1: CONF });
    const refs = Array.from({ length: 100 }, (_, i) => ({ serverId: 'stor1', iqn: i === 42 ? IQN : `iqn.2026-12.lab.stor1:t${i}` }));
    const users = await Promise.all(refs.map((r) => w.usage.lunUsers(r)));
    expect(users.flatMap((u, i) => u.map((x) => `${i} ${x.owner} ${x.description.slice(0, 50)}`))).toEqual(['42 hosted-engine the hosted-engine storage domain sd-1 of hv1 is on']);
    expect(w.reads.sort()).toEqual(['hv1', 'hv2']);
    // After the window a change on the host is seen.
    w.files.hv1 = null;
    w.advance(20_000);
    expect(await w.usage.lunUsers({ serverId: 'stor1', iqn: IQN, lun: 1 })).toEqual([]);
    expect(w.reads).toHaveLength(4);
    w.files.hv1 = CONF;
    w.source.invalidate('hv1');
    expect(await w.usage.lunUsers({ serverId: 'stor1', iqn: IQN, lun: 1 })).toHaveLength(1);
  });

  it('a host that cannot be read refuses every delete, naming it; its path checks keep the path', async () => {
    const w = world({ hv1: null, hv2: new Error('cannot read /etc/ovirt-hosted-engine/hosted-engine.conf on hv2: sudo: a password is required') });
    const [u] = await w.usage.lunUsers({ serverId: 'stor1', iqn: 'iqn.any:t' });
    expect(u.description).toBe('could not check hv2 for a hosted-engine storage domain on this target (cannot read /etc/ovirt-hosted-engine/hosted-engine.conf on hv2: sudo: a password is required)');
    expect(u.fix).toMatch(/remove its oVirt host role/);
    expect((await w.usage.pathUsers({ hostId: 'hv2', iqn: IQN, address: '203.0.113.11', port: 3260 }))[0].description).toMatch(/^the hosted engine, if hv2 runs one/);
  });

  it('path users: only the host\'s own file counts; hosts without the oVirt role are never read', async () => {
    const w = world({ hv1: CONF, hv2: null, kvm1: CONF });
    const ref = { iqn: IQN, address: '203.0.113.11', port: 3260 };
    expect((await w.usage.pathUsers({ hostId: 'hv1', ...ref })).map((u) => u.description)).toEqual(['the hosted-engine storage domain sd-1 (hosted-engine.conf on hv1)']);
    expect(await w.usage.pathUsers({ hostId: 'hv2', ...ref })).toEqual([]);
    expect(await w.usage.pathUsers({ hostId: 'kvm1', ...ref })).toEqual([]);
    expect(await w.usage.pathUsers({ hostId: 'gone', ...ref })).toEqual([]);
    expect(w.reads.sort()).toEqual(['hv1', 'hv2']);
  });
});

describe('readHeStorageLines (the remote script, run locally)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'he-usage-'));
  // The local runner, recording whether each run asked for sudo (it runs them all as this user).
  const sudoFlags: boolean[] = [];
  const local = new LocalRunner('hv1');
  const hosts = { runner: () => ({ label: 'hv1', run: (argv: readonly string[], o: RunOptions = {}) => (sudoFlags.push(!!o.sudo), local.run(argv, o)) }) };
  // As root only: the login user is nobody (setpriv), so a mode 000 file is really unreadable to
  // it, and a sudo run stays root.
  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const userHosts = { runner: () => ({ label: 'hv1', run: (argv: readonly string[], o: RunOptions = {}) => (sudoFlags.push(!!o.sudo), local.run(o.sudo ? argv : [...asNobody, ...argv], o)) }) };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('only the storage key lines come back: no password, no user; a missing file is null; a folder is an error', async () => {
    const f = join(dir, 'hosted-engine.conf');
    writeFileSync(f, `fqdn=engine.lab\n${CONF}user=heuser\npassword=Clear-Text-Secret\n  iqn = ${IQN}\n`, { mode: 0o600 });
    const text = await readHeStorageLines(hosts, 'hv1', { path: f });
    expect(text).not.toContain('Clear-Text-Secret');
    expect(text).not.toContain('heuser');
    expect(text).not.toContain('fqdn');
    expect(text?.split('\n').filter(Boolean)).toEqual(['domainType=iscsi', 'storage=203.0.113.11', 'port=3260', `iqn=${IQN}`, 'portal=1', 'sdUUID=sd-1', `  iqn = ${IQN}`]);
    writeFileSync(f, 'fqdn=engine.lab\n');
    expect(await readHeStorageLines(hosts, 'hv1', { path: f })).toBe('');
    expect(await readHeStorageLines(hosts, 'hv1', { path: join(dir, 'absent.conf') })).toBeNull();
    mkdirSync(join(dir, 'd'));
    await expect(readHeStorageLines(hosts, 'hv1', { path: join(dir, 'd') })).rejects.toThrow(/not a regular file/);
    // None of these needed root: each was one run as the login user.
    expect(sudoFlags).toEqual([false, false, false, false]);
  });

  it.skipIf(process.getuid?.() !== 0)('a file (or folder) the login user cannot read is read again through sudo', async () => {
    sudoFlags.length = 0;
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    const f = join(locked, 'hosted-engine.conf');
    writeFileSync(f, `${CONF}password=Clear-Text-Secret\n`, { mode: 0o000 });
    // Root through "sudo" reads it: the key lines, no password.
    expect((await readHeStorageLines(userHosts, 'hv1', { path: f }))?.split('\n').filter(Boolean)).toEqual(['domainType=iscsi', 'storage=203.0.113.11', 'port=3260', `iqn=${IQN}`, 'portal=1', 'sdUUID=sd-1']);
    expect(sudoFlags).toEqual([false, true]);
    chmodSync(locked, 0o700);
    sudoFlags.length = 0;
    // A folder it cannot look into must not read as "no file": the sudo run looks.
    expect(await readHeStorageLines(userHosts, 'hv1', { path: join(locked, 'other.conf') })).toBeNull();
    expect(sudoFlags).toEqual([false, true]);
  });
});
