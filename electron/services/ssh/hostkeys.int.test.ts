// Host keys against the lab: first contact, accept, persist, known_hosts, change → block, re-accept.
// Faults go to hv2, which the SSH tests own; the original key is restored afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { changeHostKey, restoreHostKey } from '../../../e2e/lab/faults';
import { MemoryHostKeyStore } from './hostkeys';
import { labHost, labPool, TableResolver } from '../../test-support/labkit';
import type { ConnectionState } from '../../../shared/domain/host';

const skip = labSkipReason();
const HOST = 'hv2';

describe.skipIf(skip)('host keys against the lab', () => {
  let lab: LabInfo;
  let resolver: TableResolver;
  const store = new MemoryHostKeyStore();

  beforeAll(() => {
    lab = loadLab()!;
    resolver = new TableResolver();
    resolver.set('h', labHost(lab, HOST, 'admin'));
  });
  afterAll(async () => {
    await restoreHostKey(lab.hosts[HOST]);
  });

  it('first contact: refuses with the SHA256 fingerprint and key type, runs nothing', async () => {
    const pool = labPool(resolver, { hostKeys: store });
    const states: ConnectionState[] = [];
    pool.on('state', (s) => states.push(s));
    const e = await pool.run('h', ['true']).catch((x) => x);
    expect(e.code).toBe('hostkey-unknown');
    expect(e.hostKey).toEqual({ type: 'ssh-ed25519', fingerprint: lab.hosts[HOST].ssh.hostKeyFingerprint });
    expect(e.message).toContain(lab.hosts[HOST].ssh.hostKeyFingerprint);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'failed']);
    expect(states[1]).toMatchObject({ code: 'hostkey-unknown', hostKey: e.hostKey });
    expect(store.get('h')).toBeNull();
    await pool.close();
  });

  it('accept → connects; the key persists for a new pool (no prompt)', async () => {
    const pool = labPool(resolver, { hostKeys: store });
    const e = await pool.connect('h').catch((x) => x);
    expect(e.code).toBe('hostkey-unknown');
    // Accepting a fingerprint other than the one shown is refused.
    await expect(pool.acceptHostKey('h', 'SHA256:' + 'A'.repeat(43))).rejects.toThrow(/different key/);
    await pool.acceptHostKey('h', e.hostKey.fingerprint);
    expect((await pool.run('h', ['hostname'])).stdout.trim()).toBe(HOST);
    await pool.close();
    expect(store.get('h')).toMatchObject({ type: 'ssh-ed25519', fingerprint: lab.hosts[HOST].ssh.hostKeyFingerprint });

    const again = labPool(resolver, { hostKeys: store });
    expect((await again.run('h', ['true'])).code).toBe(0);
    await again.close();
  });

  it('honours ~/.ssh/known_hosts entries (and records the key)', async () => {
    const fresh = new MemoryHostKeyStore();
    const pool = labPool(resolver, { hostKeys: fresh, knownHostsFiles: [lab.knownHostsPath] });
    expect((await pool.run('h', ['true'])).code).toBe(0);
    expect(fresh.get('h')?.fingerprint).toBe(lab.hosts[HOST].ssh.hostKeyFingerprint);
    await pool.close();
  });

  it('changed key → blocked with a loud warning; nothing runs; re-accept unblocks', async () => {
    const pool = labPool(resolver, { hostKeys: store });
    expect((await pool.run('h', ['true'])).code).toBe(0);
    const states: ConnectionState[] = [];
    pool.on('state', (s) => states.push(s));
    const changed = await changeHostKey(lab.hosts[HOST]);
    await pool.disconnect('h'); // the next command has to connect again and meets the new key

    const e = await pool.run('h', ['touch', '/tmp/portico-should-not-exist']).catch((x) => x);
    expect(e.code).toBe('hostkey-mismatch');
    expect(e.message).toMatch(/WARNING: the host key .* has changed/);
    expect(e.hostKey.fingerprint).toBe(changed.fingerprint);
    expect(e.expectedHostKey.fingerprint).toBe(lab.hosts[HOST].ssh.hostKeyFingerprint);
    expect(pool.state('h')).toMatchObject({ state: 'blocked', code: 'hostkey-mismatch' });
    expect(states.at(-1)).toMatchObject({ state: 'blocked', hostKey: { fingerprint: changed.fingerprint } });

    // Blocked: refused at once, without another connection attempt.
    const n = states.length;
    await expect(pool.run('h', ['true'])).rejects.toMatchObject({ code: 'hostkey-mismatch' });
    expect(states.length).toBe(n);

    // A known_hosts file with the old key does not override the block either.
    const viaKnown = labPool(resolver, { hostKeys: new MemoryHostKeyStore(), knownHostsFiles: [lab.knownHostsPath] });
    await expect(viaKnown.run('h', ['true'])).rejects.toMatchObject({ code: 'hostkey-mismatch' });
    await viaKnown.close();

    await pool.acceptHostKey('h', changed.fingerprint);
    expect(pool.state('h').state).toBe('idle');
    expect((await pool.run('h', ['true'])).code).toBe(0);
    expect(store.get('h')?.fingerprint).toBe(changed.fingerprint);
    await pool.close();
  });
});
