// Hosts through the same router the renderer uses, against the lab's real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labSkipReason, requireLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { contractCaller, testServices } from '../../test-support/services';
import type { AddHostResult, HostView } from '../../../shared/features/hosts';

const reason = labSkipReason();

describe.skipIf(reason)('hosts service against the lab', () => {
  let lab: LabInfo;
  let svc: ReturnType<typeof testServices>;
  const call = <T>(name: string, input: unknown) => contractCaller(svc)<T>(name, input);

  beforeAll(() => {
    lab = requireLab();
    svc = testServices('hosts int passphrase');
  });
  afterAll(async () => svc?.dispose());

  it('adds stor1 with a key: unknown key shown, accepted, connected, capabilities probed', async () => {
    const stor1 = lab.hosts.stor1;
    const added = await call<AddHostResult>('hosts.add', {
      name: 'stor1', address: stor1.ssh.host, port: stor1.ssh.port, user: 'root',
      auth: { kind: 'key', keyPath: lab.accounts.root.keyPath }, sudo: false, roles: ['storage'],
    });
    expect(added.error).toBeNull();
    expect(added.hostKey?.fingerprint).toBe(stor1.ssh.hostKeyFingerprint);
    const host = await call<HostView>('hosts.acceptKey', { hostId: added.host.id, fingerprint: added.hostKey!.fingerprint });
    expect(host.connection.state).toBe('connected');
    expect(host.hostKey?.fingerprint).toBe(stor1.ssh.hostKeyFingerprint);
    expect(host.capabilities?.tools.tgtadm).toBeTruthy();
    expect(host.capabilities?.initiatorName).toBe(stor1.initiatorIqn);
    // Persisted: a fresh list shows the stored key and capabilities.
    const list = await call<HostView[]>('hosts.list', {});
    expect(list.find((h) => h.id === host.id)?.capabilities?.tools.tgtadm).toBeTruthy();
  });

  it('adds hv1 with a password: the secret is kept encrypted and never in the SQLite file', async () => {
    const hv1 = lab.hosts.hv1;
    const pw = lab.accounts.password.password!;
    const added = await call<AddHostResult>('hosts.add', {
      name: 'hv1', address: hv1.ssh.host, port: hv1.ssh.port, user: lab.accounts.password.user,
      auth: { kind: 'password', password: pw }, sudo: false, roles: ['hypervisor', 'ovirt-host'],
    });
    const host = await call<HostView>('hosts.acceptKey', { hostId: added.host.id, fingerprint: added.hostKey!.fingerprint });
    expect(host.connection.state).toBe('connected');
    expect(host.capabilities?.tools.virsh).toBeTruthy();
    expect(JSON.stringify(host)).not.toContain(pw);
    svc.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(join(svc.dataDir, 'portico.sqlite'));
    expect(file.includes(Buffer.from(pw))).toBe(false);
    await call('hosts.remove', { hostId: host.id });
    expect(svc.secrets.get(`host:${host.id}:password`)).toBeNull();
  });

  it('a wrong password says authentication failed without saying which part was wrong', async () => {
    const hv2 = lab.hosts.hv2;
    const added = await call<AddHostResult>('hosts.add', {
      name: 'hv2-bad', address: hv2.ssh.host, port: hv2.ssh.port, user: lab.accounts.password.user,
      auth: { kind: 'password', password: 'definitely-wrong' }, sudo: false, roles: ['hypervisor'],
    });
    await expect(call('hosts.acceptKey', { hostId: added.host.id, fingerprint: added.hostKey!.fingerprint })).rejects.toMatchObject({ code: 'auth-failed' });
    const err = (await call("hosts.reconnect", { hostId: added.host.id }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/authentication failed/i);
    expect(err.message).not.toMatch(/password is wrong|user .* does not exist|definitely-wrong/i);
    await call('hosts.remove', { hostId: added.host.id });
  });

  it('refuses bad input in main, naming the field, before any SSH', async () => {
    await expect(call('hosts.add', { name: 'x', address: 'stor1;reboot', port: 22, user: 'root', auth: { kind: 'agent' }, roles: ['storage'] })).rejects.toMatchObject({ field: 'address' });
    await expect(call('hosts.add', { name: 'x', address: '198.51.100.9', port: 70000, user: 'root', auth: { kind: 'agent' }, roles: ['storage'] })).rejects.toMatchObject({ field: 'port' });
    await expect(call('hosts.add', { name: 'x', address: '198.51.100.9', port: 22, user: '$(id)', auth: { kind: 'agent' }, roles: ['storage'] })).rejects.toMatchObject({ field: 'user' });
  });
});
