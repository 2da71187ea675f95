// Test support (lab only) for the bonds feature: lab hosts added through the contract (key
// accepted), and a throw-away tgt target on stor1 (one LUN on a sparse file, open to all
// initiators) with its own IQN and tid, removed again by the returned function.
import { execOnHost } from '../../e2e/lab/hosts';
import type { LabHostInfo, LabInfo } from '../../e2e/lab/labinfo';
import type { AddHostResult, HostView } from '../../shared/features/hosts';
import type { HostRole } from '../../shared/domain/host';

type Call = <T>(name: string, input: unknown) => Promise<T>;

export async function addLabHost(call: Call, lab: LabInfo, name: string, roles: HostRole[]): Promise<HostView> {
  const h = lab.hosts[name];
  const added = await call<AddHostResult>('hosts.add', { name, address: h.ssh.host, port: h.ssh.port, user: 'root', auth: { kind: 'key', keyPath: lab.accounts.root.keyPath }, sudo: false, roles });
  return call<HostView>('hosts.acceptKey', { hostId: added.host.id, fingerprint: added.hostKey!.fingerprint });
}

async function tgtadm(stor: LabHostInfo, args: string[], allowFail = false): Promise<void> {
  const r = await execOnHost(stor, ['tgtadm', '-C', String(stor.tgt!.controlPort), '--lld', 'iscsi', ...args], { allowFail: true });
  if (r.code !== 0 && !allowFail) throw new Error(`tgtadm ${args.join(' ')}: ${r.stderr || r.stdout}`);
}

/** A target on the storage host's tgtd; `chap` binds an incoming account. Returns its cleanup. */
export async function makeBondTarget(stor: LabHostInfo, o: { tid: number; iqn: string; sizeMiB?: number; chap?: { user: string; secret: string } }): Promise<() => Promise<void>> {
  const file = `${stor.storageDir}/${o.iqn.replace(/[^a-z0-9]+/g, '-')}.img`;
  const cleanup = async () => {
    await tgtadm(stor, ['--mode', 'target', '--op', 'delete', '--force', '--tid', String(o.tid)], true);
    if (o.chap) await tgtadm(stor, ['--mode', 'account', '--op', 'delete', '--user', o.chap.user], true);
    await execOnHost(stor, ['rm', '-f', file], { allowFail: true });
  };
  await cleanup();
  await execOnHost(stor, ['truncate', '-s', `${o.sizeMiB ?? 64}M`, file]);
  await tgtadm(stor, ['--mode', 'target', '--op', 'new', '--tid', String(o.tid), '-T', o.iqn]);
  await tgtadm(stor, ['--mode', 'logicalunit', '--op', 'new', '--tid', String(o.tid), '--lun', '1', '-b', file]);
  await tgtadm(stor, ['--mode', 'target', '--op', 'bind', '--tid', String(o.tid), '-I', 'ALL']);
  if (o.chap) {
    // The secret goes on tgtadm's argv in the lab's own namespace only (test setup, not Portico).
    await tgtadm(stor, ['--mode', 'account', '--op', 'new', '--user', o.chap.user, '--password', o.chap.secret]);
    await tgtadm(stor, ['--mode', 'account', '--op', 'bind', '--tid', String(o.tid), '--user', o.chap.user]);
  }
  return cleanup;
}
