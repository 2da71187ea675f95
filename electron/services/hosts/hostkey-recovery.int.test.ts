// Host-key recovery through the router, against the lab's real sshd on hv2 (issue 12 item 10):
// a blocked host reconnects with a fresh handshake, re-accept checks the key the server presents
// at accept time (never the one seen at the last failure), and an address or port edit clears the
// block until the key check says otherwise. Every key change is undone in finally: the lab is shared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { labSkipReason, requireLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { changeHostKey, restoreHostKey } from '../../../e2e/lab/faults';
import { hostPath, startOnHost, type LabProcess } from '../../../e2e/lab/hosts';
import { tcpOpen } from '../../../e2e/lab/util';
import { contractCaller, testServices } from '../../test-support/services';
import type { AddHostResult, HostKeyCheck, HostView } from '../../../shared/features/hosts';
import type { ConnectionState } from '../../../shared/domain/host';

const reason = labSkipReason();
const HOST = 'hv2';
const SIDE_PORT = 2222;

describe.skipIf(reason)('host-key recovery against the lab', () => {
  let lab: LabInfo;
  let svc: ReturnType<typeof testServices>;
  const call = <T>(name: string, input: unknown) => contractCaller(svc)<T>(name, input);
  const fail = (name: string, input: unknown) => call(name, input).then(() => { throw new Error(`${name} should have failed`); }, (e: Error & { code?: string }) => e);

  beforeAll(() => {
    lab = requireLab();
    svc = testServices('hostkey recovery passphrase');
  });
  afterAll(async () => svc?.dispose());

  it('change → blocked; restore → connected; change again → fetchKey shows it; stale accept refused; current accept connects; address edit re-checks', async () => {
    const hv2 = lab.hosts[HOST];
    const original = hv2.ssh.hostKeyFingerprint;
    const dir = `/run/portico-hostkey-recovery-${process.pid}`;
    let side: LabProcess | null = null;
    const input = (over: { address?: string; port?: number } = {}) => ({
      name: 'hv2-keys', address: over.address ?? hv2.ssh.host, port: over.port ?? hv2.ssh.port, user: 'root',
      auth: { kind: 'key', keyPath: lab.accounts.root.keyPath }, sudo: false, roles: ['hypervisor'],
    });
    try {
      const added = await call<AddHostResult>('hosts.add', input());
      const hostId = added.host.id;
      expect(added.hostKey?.fingerprint).toBe(original);
      expect((await call<HostView>('hosts.acceptKey', { hostId, fingerprint: original })).connection.state).toBe('connected');

      // 1. The key changes: blocked, nothing runs.
      const k1 = await changeHostKey(hv2);
      expect(await fail('hosts.reconnect', { hostId })).toMatchObject({ code: 'hostkey-mismatch' });
      expect((await call<HostView>('hosts.get', { hostId })).connection).toMatchObject({
        state: 'blocked', hostKey: { fingerprint: k1.fingerprint }, expectedHostKey: { fingerprint: original },
      });

      // 2. The original key is back: a reconnect makes a fresh handshake and connects.
      await restoreHostKey(hv2);
      const back = await call<HostView>('hosts.reconnect', { hostId });
      expect(back.connection.state).toBe('connected');
      expect(back.hostKey?.fingerprint).toBe(original);

      // 3. Changed, blocked, then changed again: fetchKey shows the key presented NOW and the stored one.
      const k2 = await changeHostKey(hv2);
      expect(await fail('hosts.reconnect', { hostId })).toMatchObject({ code: 'hostkey-mismatch' });
      expect((await call<HostView>('hosts.get', { hostId })).connection.hostKey?.fingerprint).toBe(k2.fingerprint);
      const k3 = await changeHostKey(hv2);
      const check = await call<HostKeyCheck>('hosts.fetchKey', { hostId });
      expect(check.presented).toEqual({ type: 'ssh-ed25519', fingerprint: k3.fingerprint });
      expect(check.stored).toEqual({ type: 'ssh-ed25519', fingerprint: original });
      expect(check.matches).toBe(false);
      // fetchKey is read-only: nothing stored, still blocked.
      expect((await call<HostView>('hosts.get', { hostId })).hostKey?.fingerprint).toBe(original);
      expect((await call<HostView>('hosts.get', { hostId })).connection.state).toBe('blocked');

      // 4. Accepting the key seen at the last failure (k2) is refused, naming both fingerprints.
      const stale = await fail('hosts.acceptKey', { hostId, fingerprint: k2.fingerprint });
      expect(stale.code).toBe('hostkey-mismatch');
      expect(stale.message).toContain(k2.fingerprint);
      expect(stale.message).toContain(k3.fingerprint);
      expect((await call<HostView>('hosts.get', { hostId })).hostKey?.fingerprint).toBe(original);

      // 5. Accepting the key presented now connects and records it.
      const accepted = await call<HostView>('hosts.acceptKey', { hostId, fingerprint: k3.fingerprint });
      expect(accepted.connection.state).toBe('connected');
      expect(accepted.hostKey?.fingerprint).toBe(k3.fingerprint);
      // The audit log has the accept, and the refused stale accept too.
      const audit = svc.audit.list(50).filter((e) => e.action === 'call.hosts.acceptKey').map((e) => e.detail);
      expect(audit.some((d) => d.includes(k3.fingerprint) && / → ok$/.test(d))).toBe(true);
      expect(audit.some((d) => d.includes(k2.fingerprint) && /failed \(hostkey-mismatch\)/.test(d))).toBe(true);

      // 6. Blocked again (the original key is back on port 22, k3 is on record). A second sshd on
      // port 2222 presents k3: editing the port clears the block and the key check connects.
      mkdirSync(hostPath(hv2, dir), { recursive: true, mode: 0o700 });
      copyFileSync(hostPath(hv2, '/etc/ssh/ssh_host_ed25519_key'), hostPath(hv2, `${dir}/key`));
      chmodSync(hostPath(hv2, `${dir}/key`), 0o600);
      await restoreHostKey(hv2);
      expect(await fail('hosts.reconnect', { hostId })).toMatchObject({ code: 'hostkey-mismatch' });
      const conf = readFileSync(hostPath(hv2, '/etc/ssh/sshd_config'), 'utf8')
        .replace(/^Port .*$/m, `Port ${SIDE_PORT}`)
        .replace(/^HostKey .*$/m, `HostKey ${dir}/key`)
        .replace(/^PidFile .*$/m, `PidFile ${dir}/sshd.pid`);
      writeFileSync(hostPath(hv2, `${dir}/sshd_config`), conf, { mode: 0o600 });
      side = startOnHost(hv2, ['/usr/sbin/sshd', '-D', '-e', '-f', `${dir}/sshd_config`], { stdio: 'log', logName: 'sshd-hostkey-recovery' });
      await side.ready(() => tcpOpen(hv2.ssh.host, SIDE_PORT, 500), 10_000);

      const states: ConnectionState[] = [];
      const off = svc.events.subscribe((event, payload) => {
        const s = payload as ConnectionState;
        if (event === 'host.state' && s.hostId === hostId) states.push(s);
      });
      const moved = await call<AddHostResult>('hosts.update', { hostId, host: input({ port: SIDE_PORT }) });
      expect(moved.error).toBeNull();
      expect(moved.hostKey).toBeNull(); // the stored key still identifies the host: no new prompt
      expect(moved.host.connection.state).toBe('connected');
      expect(moved.host.hostKey?.fingerprint).toBe(k3.fingerprint);
      expect(states.map((s) => s.state)).toEqual(['idle', 'connecting', 'connected']);

      // Back to port 22 (the original key, not on record): blocked again because the key check says so.
      states.length = 0;
      const again = await call<AddHostResult>('hosts.update', { hostId, host: input() });
      expect(again.error?.code).toBe('hostkey-mismatch');
      expect(again.host.connection).toMatchObject({ state: 'blocked', hostKey: { fingerprint: original }, expectedHostKey: { fingerprint: k3.fingerprint } });
      expect(states.map((s) => s.state)).toEqual(['idle', 'connecting', 'blocked']);
      off();
      await call('hosts.remove', { hostId });
    } finally {
      await side?.stop();
      rmSync(hostPath(hv2, dir), { recursive: true, force: true });
      await restoreHostKey(hv2);
    }
  });
});
