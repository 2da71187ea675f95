// Lab side of the Datastores spec: the oned TEST DOUBLE on fe1:2633 (started here when nothing
// listens there; its user's password in its environment, never in argv), reading the double's
// state through its inspection hook, one XML-RPC call for cleanup, and the libvirt secrets on the
// hypervisors (listed, value read back as root from libvirt's own store: the secret is private, so
// `virsh secret-get-value` refuses, by design).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XmlRpcClient } from '@foxglove/xmlrpc';
import { execOnHost, startOnHost, type LabProcess } from '../lab/hosts';
import type { LabHostInfo } from '../lab/labinfo';
import { tcpOpen } from '../lab/util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ONED_PORT = 2633;

export interface OnedDoubleHandle {
  endpoint: string;
  session: string;
  /** Ours to stop (false: another run's double, whose session came from the environment). */
  started: boolean;
  stop(): Promise<void>;
}

export async function ensureOnedDouble(fe1: LabHostInfo): Promise<OnedDoubleHandle> {
  const addr = fe1.addresses.mgmt!;
  const endpoint = `http://${addr}:${ONED_PORT}/RPC2`;
  if (await tcpOpen(addr, ONED_PORT)) {
    const session = process.env.PORTICO_E2E_ONED_SESSION;
    if (!session) throw new Error(`something already listens on fe1:${ONED_PORT} and PORTICO_E2E_ONED_SESSION does not say its session string`);
    return { endpoint, session, started: false, stop: async () => undefined };
  }
  const session = `oneadmin:e2e-${randomBytes(9).toString('base64url')}`;
  const proc: LabProcess = startOnHost(
    fe1,
    [process.execPath, '--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'e2e/doubles/oned/main.ts'), '--listen', `0.0.0.0:${ONED_PORT}`, '--hosts', 'hv1,hv2'],
    { stdio: 'log', logName: 'oned-double-e2e', cwd: ROOT, env: { PORTICO_ONED_DOUBLE_USER: session } },
  );
  await proc.ready(() => tcpOpen(addr, ONED_PORT), 30_000);
  return { endpoint, session, started: true, stop: () => proc.stop() };
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
