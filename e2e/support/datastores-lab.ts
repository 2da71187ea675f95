// Lab side of the Datastores spec: the oned TEST DOUBLE the e2e global setup runs on fe1:2633
// (e2e/support/oned-double.ts), read through its inspection hook, one XML-RPC call for cleanup,
// and the libvirt secrets on the hypervisors (listed, value read back as root from libvirt's own
// store: the secret is private, so `virsh secret-get-value` refuses, by design).
import { XmlRpcClient } from '@foxglove/xmlrpc';
import { execOnHost } from '../lab/hosts';
import type { LabHostInfo } from '../lab/labinfo';
import { tcpOpen } from '../lab/util';
import { ONED_DOUBLE_PORT, ONED_DOUBLE_SESSION } from './oned-double';

export interface OnedDoubleHandle {
  endpoint: string;
  session: string;
}

/** The double the global setup started (fails in words when it is not there). */
export async function onedDouble(fe1: LabHostInfo): Promise<OnedDoubleHandle> {
  const addr = fe1.addresses.mgmt!;
  if (!(await tcpOpen(addr, ONED_DOUBLE_PORT))) throw new Error(`the oned test double does not answer on fe1:${ONED_DOUBLE_PORT} (the e2e global setup starts it)`);
  return { endpoint: `http://${addr}:${ONED_DOUBLE_PORT}/RPC2`, session: ONED_DOUBLE_SESSION };
}

export interface DoubleState {
  datastores: { id: number; name: string; clusterIds: number[]; template: Record<string, string> }[];
  images: { id: number; name: string; datastoreId: number; persistent: boolean; template: Record<string, string> }[];
}

/** The double's state through its inspection hook (not an OpenNebula API). */
export async function doubleState(endpoint: string): Promise<DoubleState> {
  const r = await fetch(new URL('/portico-double/state', endpoint));
  if (!r.ok) throw new Error(`oned double state: HTTP ${r.status}`);
  return (await r.json()) as DoubleState;
}

/** Cleanup through the real API: [ok, value, errcode] answers, failures returned, not thrown. */
export async function onedCall(endpoint: string, session: string, method: string, ...args: (number | boolean | string)[]): Promise<unknown[]> {
  return (await new XmlRpcClient(endpoint).methodCall(method, [session, ...args])) as unknown[];
}

/** `virsh secret-list` rows of a host: uuid and usage ("iscsi NAME"). */
export async function secretList(h: LabHostInfo): Promise<{ uuid: string; usage: string }[]> {
  const r = await execOnHost(h, ['virsh', '-c', 'qemu:///system', 'secret-list']);
  return r.stdout
    .split('\n')
    .map((l) => /^\s*([0-9a-f-]{36})\s+(.+?)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ uuid: m[1], usage: m[2] }));
}

/** The secret's stored value, read as root from libvirt's store (base64 file; goes through stdout only). */
export async function secretValue(h: LabHostInfo, uuid: string): Promise<string> {
  if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new Error(`not a uuid: ${uuid}`);
  const r = await execOnHost(h, ['cat', `/etc/libvirt/secrets/${uuid}.base64`]);
  return Buffer.from(r.stdout.trim(), 'base64').toString('utf8');
}

export async function undefineSecretByUsage(h: LabHostInfo, usage: string): Promise<void> {
  for (const s of await secretList(h).catch(() => [])) {
    if (s.usage === `iscsi ${usage}`) await execOnHost(h, ['virsh', '-c', 'qemu:///system', 'secret-undefine', s.uuid], { allowFail: true });
  }
}
